"""A two-task lab made for the grading tests: one task checked against the pack's public
data, one against its hidden answers/ (as the catalogue's labs do)."""

from __future__ import annotations

from pathlib import Path

import nbformat

from sandlab.labs import notebook as nbk
from sandlab.labs.paths import source_notebook
from sandlab.labs.scaffold import new_lab

LAB = "l91-grading"
HIDDEN_MARK = "hidden-0b7c31"  # a string only the hidden tests hold
SETUP = ('import os\nfrom pathlib import Path\nimport pandas as pd\n'
         'DATA = Path(os.environ.get("SANDLAB_DATA", "~/data")).expanduser()\n'
         'employees = pd.read_parquet(DATA / "tables" / "employees.parquet")\n'
         'applications = pd.read_parquet(DATA / "tables" / "applications.parquet")')
RIGHT = {"answer": "headcount = len(employees)", "answer2": "applications_count = len(applications)"}


def make_lab(root: Path) -> str:
    """Write the lab under ``root`` (French only is enough here) and return its id."""
    new_lab(LAB, "business", 1, root)
    cells = [
        nbk.text("intro", "# Comptage\n\nConsigne."),
        nbk.setup("load", SETUP),
        nbk.solution("answer", "headcount = None\n### BEGIN SOLUTION\nheadcount = len(employees)\n### END SOLUTION"),
        nbk.tests("test_answer", "assert headcount is not None, 'compute headcount'\n### BEGIN HIDDEN TESTS\n"
                                 f"assert headcount == len(employees), '{HIDDEN_MARK}'\n### END HIDDEN TESTS",
                  points=2),
        nbk.solution("answer2", "applications_count = None\n### BEGIN SOLUTION\n"
                                "applications_count = len(applications)\n### END SOLUTION"),
        nbk.tests("test_answer2", "assert applications_count is not None\n### BEGIN HIDDEN TESTS\n"
                                  "ANSWERS = Path(os.environ.get('SANDLAB_ANSWERS', '~/answers')).expanduser()\n"
                                  "truth = pd.read_parquet(ANSWERS / 'tables' / 'screening_truth.parquet')\n"
                                  "assert applications_count == len(truth)\n### END HIDDEN TESTS", points=1),
    ]
    nbformat.write(nbk.notebook(cells, "fr"), source_notebook(LAB, "fr", root))
    return LAB


def submission(root: Path, tmp: Path, answers: dict[str, str], name: str = "submission") -> Path:
    """The student version of the lab with ``answers`` (grade id -> code) in its answer cells."""
    from sandlab.grading.merge import grade_id, student_version

    notebook = student_version(nbformat.read(source_notebook(LAB, "fr", root), as_version=4))
    for cell in notebook.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    path = tmp / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path
