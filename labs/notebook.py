"""nbgrader cells with correct metadata, for scaffolding and authoring labs, and the graded cells of a notebook."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sandlab.grading.merge import grade_id, nbgrader_meta

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, locked: bool = False,
          points: float | None = None, task: bool = False) -> dict:
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    if task:
        meta["task"] = True
    return {"nbgrader": meta}


def text(grade_id: str, source: str) -> nbformat.NotebookNode:
    """Instructions: locked, so a learner cannot change what is asked."""
    return new_markdown_cell(source, metadata=_meta(grade_id, locked=True))


def setup(grade_id: str, source: str) -> nbformat.NotebookNode:
    """Code given to the learner (imports, loading the pack): locked."""
    return new_code_cell(source, metadata=_meta(grade_id, locked=True))


def solution(grade_id: str, source: str) -> nbformat.NotebookNode:
    """The learner's code; the answer sits between BEGIN/END SOLUTION markers."""
    return new_code_cell(source, metadata=_meta(grade_id, solution=True))


def answer(grade_id: str, values: dict[str, object], hint: str = "") -> nbformat.NotebookNode:
    """A no-code lab's answer cell: ``name = None`` for the learner to fill with a literal (a choice, a
    number, a short text), the lab's answer between the SOLUTION markers. ``hint`` is a comment line above."""
    lines = [f"# {line}" for line in hint.splitlines()]
    lines += [f"{name} = None" for name in values]
    lines += [SOLUTION_MARKERS[0], *(f"{name} = {value!r}" for name, value in values.items()), SOLUTION_MARKERS[1]]
    return solution(grade_id, "\n".join(lines))


def tests(grade_id: str, source: str, points: float) -> nbformat.NotebookNode:
    """Autograded tests: visible asserts, hidden ones between BEGIN/END HIDDEN TESTS."""
    return new_code_cell(source, metadata=_meta(grade_id, grade=True, locked=True, points=points))


def written_answer(grade_id: str, source: str, points: float) -> nbformat.NotebookNode:
    """A written answer graded by the trainer (a justification, a recommendation)."""
    return new_markdown_cell(source, metadata=_meta(grade_id, solution=True, grade=True, points=points))


def notebook(cells: list, language: str) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = KERNEL
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["sandlab"] = {"language": language}
    return nb


def graded_cells(notebook: nbformat.NotebookNode) -> dict[str, int]:
    """grade id -> cell number (from 1) of each cell nbgrader scores (``nbgrader.grade``): autograded tests
    (:func:`tests`) and answers the trainer grades (:func:`written_answer`)."""
    return {grade_id(cell): number for number, cell in enumerate(notebook.cells, start=1)
            if nbgrader_meta(cell).get("grade") and grade_id(cell)}


def collapse_prepared_code(source: bytes) -> bytes:
    """A no-code lab's student version with the code of its locked cells collapsed (JupyterLab's
    ``jupyter.source_hidden``): the learner sees what they compute, and may open the code with a click."""
    document = nbformat.reads(source.decode("utf-8"), as_version=4)
    for cell in document.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("locked"):
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    return nbformat.writes(document).encode("utf-8")
