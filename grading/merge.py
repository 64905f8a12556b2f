"""The notebook that is graded: the lab's source, with the learner's answers in their places.

nbgrader restores read-only cells from its gradebook (OverwriteCells). Here the graded
notebook is rebuilt from the trusted source instead: every cell the learner may not change
(instructions, given code, tests with their hidden part) comes from the source, and only
answer cells and cells the learner added come from the submission. A deleted test still
runs; an edited one runs as written by the trainer, and the edit is reported.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode


def nbgrader_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell: NotebookNode) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def is_answer(cell: NotebookNode) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def is_test(cell: NotebookNode) -> bool:
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


@dataclass
class Merged:
    notebook: NotebookNode
    findings: list[str] = field(default_factory=list)


def student_version(source: NotebookNode) -> NotebookNode:
    """The notebook learners receive (solutions and hidden tests removed), made in memory
    with nbgrader's own preprocessors."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, ClearOutput, ClearSolutions

    notebook = copy.deepcopy(source)
    resources: dict = {}
    for step in (ClearSolutions(), ClearHiddenTests(), ClearMarkScheme(), ClearOutput()):
        notebook, resources = step.preprocess(notebook, resources)
    return notebook


def merge(source: NotebookNode, submitted: NotebookNode | None) -> Merged:
    """Source cells, the learner's answers and added cells; findings name what was changed."""
    blank = {grade_id(cell): cell for cell in student_version(source).cells if grade_id(cell)}
    result = Merged(nbformat.v4.new_notebook(metadata=copy.deepcopy(source.metadata)))
    if submitted is None:
        result.findings.append("notebook not submitted: graded as the blank version")
        submitted = student_version(source)
    answers: dict[str, NotebookNode] = {}
    added_after: dict[str | None, list[NotebookNode]] = {}
    previous: str | None = None
    known = {grade_id(cell) for cell in source.cells if grade_id(cell)}
    given = {cell.source.strip() for cell in source.cells if not grade_id(cell)}  # cells nbgrader does not track
    for cell in submitted.cells:
        gid = grade_id(cell)
        if gid in known:
            if gid in answers or gid == previous:
                result.findings.append(f"cell {gid} appears twice: the first one is graded")
                continue
            answers[gid] = cell
            previous = gid
        elif not gid and cell.source.strip() in given:
            continue
        else:
            if gid:
                result.findings.append(f"cell {gid} is not part of the lab: run as an added cell")
            plain = nbformat.v4.new_code_cell(cell.source) if cell.cell_type == "code" else \
                nbformat.v4.new_markdown_cell(cell.source)
            added_after.setdefault(previous, []).append(plain)
    result.notebook.cells.extend(added_after.get(None, []))
    for cell in source.cells:
        gid = grade_id(cell)
        mine = answers.get(gid) if gid else None
        graded = copy.deepcopy(cell)
        if gid and is_answer(cell):
            if mine is not None and mine.cell_type == cell.cell_type:
                graded.source = mine.source
            else:
                graded.source = blank[gid].source if gid in blank else ""
                if mine is None:
                    result.findings.append(f"answer cell {gid} was deleted: graded as blank")
        elif gid and mine is not None and gid in blank and mine.source.strip() != blank[gid].source.strip():
            result.findings.append(f"read-only cell {gid} was edited: the trainer's version was run")
        elif gid and mine is None and is_test(cell):
            result.findings.append(f"test cell {gid} was deleted: it was run anyway")
        if graded.cell_type == "code":
            graded.outputs, graded.execution_count = [], None
        result.notebook.cells.append(graded)
        result.notebook.cells.extend(added_after.get(gid, []) if gid else [])
    return result
