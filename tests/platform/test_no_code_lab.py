"""A non-programmer does a no-code lab in the browser: fill the answer cells, Run All, hand in, full marks."""

from __future__ import annotations

import json
import re
import time

import nbformat

from sandlab.grading.merge import nbgrader_meta
from sandlab.labs.notebook import SOLUTION_MARKERS
from sandlab.labs.paths import source_notebook
from tests.platform.browser import login, server_page
from tests.platform.test_course_loop import grading

LAB, COHORT, LEARNER = "l01-what-ai-is", "omega", "noe"


def answers(language: str) -> dict[int, str]:
    """Cell index -> what a learner types there: the solution's literal lines, read off the reference pack."""
    notebook = nbformat.read(source_notebook(LAB, language), as_version=4)
    typed = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and nbgrader_meta(cell).get("solution"):
            lines = cell.source.splitlines()
            typed[index] = "\n".join(lines[lines.index(SOLUTION_MARKERS[0]) + 1:lines.index(SOLUTION_MARKERS[1])])
    return typed


def run_all_saved(page, session, path: str, timeout: float = 300) -> nbformat.NotebookNode:
    """Save until the saved notebook shows every lab cell run (or an error that stopped Run All)."""
    deadline = time.monotonic() + timeout
    while True:
        page.keyboard.press("Control+S")
        page.wait_for_timeout(3000)
        saved = nbformat.reads(json.dumps(session.server("GET", f"api/contents/{path}").json()["content"]),
                               as_version=4)
        lab_cells = [c for c in saved.cells if c.cell_type == "code" and not c.metadata.get("sandlab")]
        stopped = any(o.output_type == "error" for c in lab_cells for o in c.get("outputs", []))
        if stopped or all(c.execution_count for c in lab_cells) or time.monotonic() > deadline:
            return saved


def test_a_business_learner_fills_only_answer_cells_runs_all_and_gets_full_marks(platform, browser):
    cohort_file = platform.cohort_file(COHORT)
    grading(platform, cohort_file, "release")
    session = platform.login(LEARNER)
    session.start_server()
    fetched = session.server("POST", "assignments/fetch", data={"course_id": COHORT, "assignment_id": LAB})
    assert fetched.json()["success"], fetched.text
    path = f"labs/{LAB}/{LAB}.en.ipynb"
    typed = answers("en")
    assert typed and all("(" not in text for text in typed.values())  # literals only: nothing to program
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        login(page, platform, LEARNER)
        page.goto(server_page(platform, LEARNER, f"lab/tree/{path}"))
        cells = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell")
        cells.first.wait_for(timeout=120_000)
        for index, text in typed.items():
            editor = cells.nth(index).locator(".cm-content")
            editor.scroll_into_view_if_needed()
            editor.click()
            page.keyboard.press("Control+A")
            page.keyboard.type(text)
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        saved = run_all_saved(page, session, path)
        page.screenshot(path=str(platform.cohorts[COHORT].pack.parent / "no-code-lab.png"))
    finally:
        page.close()
    errors = [(i, o.get("ename"), o.get("evalue")) for i, cell in enumerate(saved.cells) if cell.cell_type == "code"
              for o in cell.get("outputs", []) if o.output_type == "error"]
    assert errors == []  # every visible test passed
    assert all(saved.cells[index].source.strip() == text.strip() for index, text in typed.items())
    submitted = session.server("POST", "assignments/submit", data={"course_id": COHORT, "assignment_id": LAB})
    assert submitted.json()["success"], submitted.text
    grading(platform, cohort_file, "collect")
    graded = grading(platform, cohort_file, "autograde")
    assert graded["graded"] and not graded["problems"], graded
    rows = [row for row in grading(platform, cohort_file, "gradebook") if row["user"] == LEARNER and row["task"]
            and not row["manual"]]
    assert rows and sum(row["score"] for row in rows) == sum(row["max_score"] for row in rows) > 0, rows
