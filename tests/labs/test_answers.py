"""The answer-cell rule of no-code labs: literals in `name = value` lines, nothing a learner must program."""

from __future__ import annotations

import nbformat
import pytest

from sandlab.labs import notebook as nbk
from sandlab.labs.answers import answer_cell_problem, no_code_problems


@pytest.mark.parametrize("source", [
    'choice = "B"',
    "threshold = 0.35\ncount = -12",
    "# ✏️ your answer\nkeep = True\nreasons = ['cost', 'risk']\nnothing = None",
    'reponse = None\n### BEGIN SOLUTION\nreponse = "C"\n### END SOLUTION',
    "",
])
def test_literal_answers_are_answers(source):
    assert answer_cell_problem(source) is None


@pytest.mark.parametrize(("source", "line"), [
    ("share = len(employees) / 300", 1),
    ('choice = "B"\nimport os', 2),
    ("def cost(t):\n    return t", 1),
    ("share = None\n### BEGIN SOLUTION\n_flag = scores >= 0.5\nshare = 0.4\n### END SOLUTION", 3),
    ("a = b = 1", 1),
    ("print('hello')", 1),
    ("x = [1, y]", 1),
])
def test_code_is_not_an_answer_and_the_line_is_named(source, line):
    assert answer_cell_problem(source).startswith(f"line {line}: ")


def test_broken_python_is_named():
    assert answer_cell_problem('choice = "B').startswith("line 1: not valid Python")


def test_only_the_learners_cells_are_checked_with_the_cell_and_the_fix():
    notebook = nbk.notebook([
        nbk.setup("load", "import pandas as pd\nshare = pd.Series([1, 2]).mean()"),
        nbk.answer("pick", {"choice": "B"}, "✏️ A, B or C"),
        nbk.solution("compute", "total = None\n### BEGIN SOLUTION\ntotal = sum([1, 2])\n### END SOLUTION"),
        nbk.written_answer("why", "Because the data says so.", points=1),
    ], "en")
    found = no_code_problems(notebook, "l99.en.ipynb")
    assert len(found) == 1
    assert found[0].startswith("l99.en.ipynb: cell 3 ('compute'): line 3: `total = sum([1, 2])` is not an answer")
    assert "move the computation to a prepared, locked cell" in found[0]


def test_the_answer_builder_makes_a_cell_the_rule_accepts_and_the_learner_sees_none():
    cell = nbk.answer("pick", {"choice": "B", "threshold": 0.35}, "✏️ your choice")
    assert answer_cell_problem(cell.source) is None
    assert cell.source.splitlines()[:3] == ["# ✏️ your choice", "choice = None", "threshold = None"]
    assert cell.metadata["nbgrader"]["solution"] and not cell.metadata["nbgrader"]["locked"]
    assert nbformat.v4.new_notebook(cells=[cell])  # a valid cell
