"""Answer cells of no-code labs: the learner's part is a literal in a ``name = value`` line.

Leaders, business users and support staff never write code: prepared (locked) cells do the
work, and the learner answers in answer cells that only assign literals (a choice, a
number, a short text). This module is the one rule for what such a cell may hold.
"""

from __future__ import annotations

import ast

import nbformat

from sandlab.grading.merge import grade_id, nbgrader_meta

ANSWER_FIX = ("in a no-code lab an answer cell holds only `name = value` lines whose value is a literal "
              "(a number, a text in quotes, True/False, a list of those); move the computation to a prepared, "
              "locked cell and ask for its result")


def _is_literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True


def answer_cell_problem(source: str) -> str | None:
    """What makes ``source`` more than answer lines (the first offending line), or None."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return f"line {error.lineno}: not valid Python ({error.msg})"
    lines = source.splitlines()
    for statement in tree.body:
        if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name) and _is_literal(statement.value)):
            continue
        shown = lines[statement.lineno - 1].strip() if statement.lineno <= len(lines) else ""
        return f"line {statement.lineno}: `{shown[:80]}` is not an answer"
    return None


def no_code_problems(notebook: nbformat.NotebookNode, name: str) -> list[str]:
    """Each code cell the learner writes in (nbgrader solution cells) that is not answer lines, with its fix."""
    problems = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code" or not nbgrader_meta(cell).get("solution"):
            continue
        problem = answer_cell_problem(cell.source)
        if problem:
            problems.append(f"{name}: cell {number} ('{grade_id(cell)}'): {problem}; {ANSWER_FIX}")
    return problems
