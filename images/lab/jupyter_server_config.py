"""Each learner's server start: the interface in the learner's language, the welcome notebook with their path."""

import json
import os
from pathlib import Path

HOME = Path.home()
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


for _step in (_interface_language, _welcome):
    try:
        _step()
    except Exception as error:  # noqa: BLE001 - a welcome must never stop the learner's server
        print(f"sandlab: {_step.__name__} skipped: {type(error).__name__}")
