"""The graded notebook is rebuilt from the trusted source: learners change only their answers."""

from __future__ import annotations

import nbformat
import pytest

from sandlab.grading.merge import grade_id, merge, student_version
from sandlab.grading.runner import decode_result, encode_result
from sandlab.labs.paths import source_notebook
from tests.grading.lab import HIDDEN_MARK, make_lab


@pytest.fixture
def source(tmp_path):
    lab = make_lab(tmp_path)
    return nbformat.read(source_notebook(lab, "fr", tmp_path), as_version=4)


def cells_by_id(notebook):
    return {grade_id(cell): cell for cell in notebook.cells if grade_id(cell)}


def test_the_student_version_has_no_solution_and_no_hidden_test(source):
    text = nbformat.writes(student_version(source))
    assert HIDDEN_MARK not in text and "len(employees)\n" not in text.replace("\\n", "\n").split("answer")[0]
    assert "BEGIN HIDDEN TESTS" not in text


def test_answers_come_from_the_learner_and_tests_from_the_source(source):
    learner = student_version(source)
    mine = cells_by_id(learner)
    mine["answer"].source = "headcount = 41"
    mine["test_answer"].source = "pass  # no test here"
    learner.cells.insert(3, nbformat.v4.new_code_cell("print('my own cell')"))
    merged = merge(source, learner)
    graded = cells_by_id(merged.notebook)
    assert graded["answer"].source == "headcount = 41"
    assert HIDDEN_MARK in graded["test_answer"].source
    assert any("test_answer was edited" in finding for finding in merged.findings)
    sources = [cell.source for cell in merged.notebook.cells]
    assert sources.index("print('my own cell')") == sources.index("headcount = 41") + 1


def test_a_deleted_test_still_runs_and_a_missing_notebook_is_graded_blank(source):
    learner = student_version(source)
    learner.cells = [cell for cell in learner.cells if grade_id(cell) != "test_answer"]
    merged = merge(source, learner)
    assert HIDDEN_MARK in cells_by_id(merged.notebook)["test_answer"].source
    assert any("test_answer was deleted" in finding for finding in merged.findings)
    blank = merge(source, None)
    assert "headcount = None" in cells_by_id(blank.notebook)["answer"].source
    assert any("not submitted" in finding for finding in blank.findings)


def test_a_flag_flip_does_not_make_a_test_an_answer(source):
    learner = student_version(source)
    test = cells_by_id(learner)["test_answer"]
    test.metadata["nbgrader"]["solution"] = True
    test.source = "pass"
    merged = merge(source, learner)
    assert HIDDEN_MARK in cells_by_id(merged.notebook)["test_answer"].source
    assert not cells_by_id(merged.notebook)["test_answer"].metadata["nbgrader"]["solution"]


def test_only_a_result_signed_with_the_runs_key_is_read():
    line = encode_result("k1", [], ["one finding"])
    assert decode_result("k1", line) == {"notebooks": [], "findings": ["one finding"]}
    assert decode_result("k2", line) is None
    prefix, payload, signature = line.split(" ")
    middle = len(payload) // 2
    altered = payload[:middle] + ("A" if payload[middle] != "A" else "B") + payload[middle + 1:]
    assert decode_result("k1", f"{prefix} {altered} {signature}") is None
    assert decode_result("k1", "SANDLAB-RESULT forged 00") is None
