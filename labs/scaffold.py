"""`sandlab labs new`: a lab folder with its spec and a source notebook to fill in."""

from __future__ import annotations

from pathlib import Path

import nbformat
import yaml

from sandlab.labs import notebook as nbk
from sandlab.labs.paths import lab_folder, source_notebook, spec_file
from sandlab.labs.reference import EMPLOYEES
from sandlab.labs.spec import LabSpec, mode_for

LOAD_PACK = '''import os
from pathlib import Path

import pandas as pd

DATA = Path(os.environ.get("SANDLAB_DATA", "~/data")).expanduser()
'''


def _answer_cells(mode: str, language: str) -> tuple[nbformat.NotebookNode, str]:
    """The scaffold's question (its answer cell) and the plausible wrong answer's source of that cell.
    A no-code lab's solution is the answer read off the reference pack; a code lab's is the computation."""
    if mode == "code":
        return (nbk.solution("answer", "headcount = None\n### BEGIN SOLUTION\nheadcount = len(employees)\n"
                                       "### END SOLUTION"), "headcount = len(employees) - 1")
    hint = ("Le nombre de lignes affiché ci-dessus, sans guillemets" if language == "fr"
            else "The number of rows shown above, without quotes")
    return nbk.answer("answer", {"headcount": EMPLOYEES}, hint), f"headcount = {EMPLOYEES - 1}"


def new_lab(lab_id: str, persona: str, level: int, root: Path | None = None) -> Path:
    """A lab that validates as it is: no-code for leaders, business and support staff, code for the
    technical persona."""
    mode = mode_for([persona])
    folder = lab_folder(lab_id, root)
    if folder.exists():
        raise FileExistsError(f"{folder}: a lab with this id exists; choose another id")
    spec = {"id": lab_id, "title": {"fr": "Titre du lab", "en": "Lab title"},
            "summary": {"fr": "Ce que l'on fait et pourquoi.", "en": "What learners do and why."},
            "personas": [persona], "level": level, "duration_minutes": 45,
            "objectives": [{"fr": "Premier objectif", "en": "First objective", "tasks": ["test_answer"]}],
            "reads": {"tables": ["employees"], "texts": [], "answers": []}, "prerequisites": [],
            "languages": ["fr", "en"], "mode": mode}
    LabSpec.model_validate(spec)  # the scaffold itself must be valid
    (folder / "wrong").mkdir(parents=True)
    spec_file(lab_id, root).write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for language in ("fr", "en"):
        answer, wrong_answer = _answer_cells(mode, language)
        cells = [
            nbk.text("intro", "# Titre\n\nConsigne." if language == "fr" else "# Title\n\nInstructions."),
            nbk.setup("load", LOAD_PACK + 'employees = pd.read_parquet(DATA / "tables" / "employees.parquet")\n'
                              "len(employees)"),
            answer,
            nbk.tests("test_answer", "assert headcount is not None, 'compute headcount'\n"
                                     "### BEGIN HIDDEN TESTS\nassert headcount == len(employees)\n"
                                     "### END HIDDEN TESTS", points=1),
        ]
        path = source_notebook(lab_id, language, root)
        nbformat.write(nbk.notebook(cells, language), path)
        wrong = nbformat.read(path, as_version=4)
        wrong.cells[2].source = wrong_answer
        nbformat.write(wrong, folder / "wrong" / path.name)
    return folder
