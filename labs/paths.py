"""Where everything about a lab lives: the one module that knows the path template.

    labs/<lab-id>/lab.yaml                 the lab's spec
    labs/<lab-id>/<lab-id>.<lang>.ipynb    nbgrader source notebook per language
    labs/<lab-id>/wrong/<lab-id>.<lang>.ipynb   a plausible wrong answer (must not score full marks)

In a learner's sandbox the dataset pack's public part is mounted at ``~/data``; grading
also has ``answers/``. Both can be moved with SANDLAB_DATA / SANDLAB_ANSWERS (a trainer's
machine, the validator); labs that save files write under ``~/work`` (SANDLAB_WORK).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DATA_ENV, ANSWERS_ENV, WORK_ENV = "SANDLAB_DATA", "SANDLAB_ANSWERS", "SANDLAB_WORK"
SANDBOX_DATA = "~/data"
SANDBOX_ANSWERS = "~/answers"


def catalogue_root() -> Path:
    return Path(str(resources.files("sandlab.labs")))


def lab_folder(lab_id: str, root: Path | None = None) -> Path:
    return (root or catalogue_root()) / lab_id


def spec_file(lab_id: str, root: Path | None = None) -> Path:
    return lab_folder(lab_id, root) / "lab.yaml"


def notebook_name(lab_id: str, language: str) -> str:
    return f"{lab_id}.{language}.ipynb"


def source_notebook(lab_id: str, language: str, root: Path | None = None) -> Path:
    return lab_folder(lab_id, root) / notebook_name(lab_id, language)


def source_texts(lab_id: str, language: str, root: Path | None = None) -> dict[str, str]:
    """{notebook name: text} of a lab's source in one language (solutions and hidden tests included)."""
    path = source_notebook(lab_id, language, root)
    if not path.is_file():
        raise FileNotFoundError(f"lab {lab_id} has no {language} version ({path.name}): see `sandlab labs list`")
    return {path.name: path.read_text(encoding="utf-8")}


def wrong_notebook(lab_id: str, language: str, root: Path | None = None) -> Path:
    return lab_folder(lab_id, root) / "wrong" / notebook_name(lab_id, language)


def lab_ids(root: Path | None = None) -> list[str]:
    base = root or catalogue_root()
    return sorted(p.parent.name for p in base.glob("*/lab.yaml"))
