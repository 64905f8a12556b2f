"""Each learner's server start: the interface in the learner's language, the welcome notebook with their path,
the assistant's key for the `openai` package and its chat notebook; in a trainer's, their workspace."""

import json
import os
from pathlib import Path

HOME = Path.home()

# Set here, not in jupyter_server_config.d/ (read for enabling extensions only): terminals run a
# non-login bash, with the server's environment (a login shell's /etc/profile drops /opt/sandlab/bin
# from PATH: no `sandlab` in a trainer's terminal); JupyterLab's extension manager lists, never installs.
c = get_config()  # noqa: F821 - provided by traitlets when the server loads this file
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash"]}
c.LabApp.extension_manager = "readonly"
LANGUAGE = os.environ.get("SANDLAB_LANGUAGE", "")
LOCALES = {"fr": "fr_FR", "en": "en"}


def _interface_language() -> None:
    """JupyterLab's language as a user setting, set once: the learner may change it in Settings > Language."""
    settings = HOME / ".jupyter/lab/user-settings/@jupyterlab/translation-extension/plugin.jupyterlab-settings"
    if LANGUAGE in LOCALES and not settings.exists():
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(json.dumps({"locale": LOCALES[LANGUAGE]}), encoding="utf-8")


def _welcome() -> None:
    from sandlab.labs.path import learner_language, path_markdown
    from sandlab.labs.welcome import write_welcome

    write_welcome(HOME, learner_language(), path_markdown())


def _assistant_notebook() -> None:
    if os.environ.get("SANDLAB_ASSISTANT_URL"):
        from sandlab.labs.path import learner_language
        from sandlab.labs.welcome import write_assistant

        write_assistant(HOME, learner_language())


def _assistant_key() -> None:
    """`openai` reads OPENAI_API_KEY: the learner's own hub token, which the gateway checks with the hub
    (kernels and terminals inherit the server's environment). No other key ever enters the container."""
    if os.environ.get("OPENAI_BASE_URL") and os.environ.get("JUPYTERHUB_API_TOKEN"):
        os.environ.setdefault("OPENAI_API_KEY", os.environ["JUPYTERHUB_API_TOKEN"])


def _trainer_workspace() -> None:
    from sandlab.labs.workspace import prepare

    prepare()  # nothing outside the trainer image


for _step in (_assistant_key, _interface_language, _welcome, _assistant_notebook, _trainer_workspace):
    try:
        _step()
    except Exception as error:  # noqa: BLE001 - a welcome must never stop the learner's server
        print(f"sandlab: {_step.__name__} skipped: {type(error).__name__}")
