"""The grading desk on a state folder: collect the last submission, record, gradebook with late marks."""

from __future__ import annotations

import nbformat
import pytest

from sandlab.grading import desk
from sandlab.grading.exchange.store import ExchangeStore
from sandlab.grading.merge import student_version
from sandlab.labs.paths import source_notebook
from tests.grading.lab import LAB, make_lab


@pytest.fixture
def state(tmp_path):
    catalogue = tmp_path / "catalogue"
    make_lab(catalogue)
    source = source_notebook(LAB, "fr", catalogue).read_text()
    blank = nbformat.writes(student_version(nbformat.reads(source, as_version=4))).encode()
    store = ExchangeStore(tmp_path / "state" / "exchange")
    for _ in range(2):
        store.put_submission("c1", "ana", LAB, {f"{LAB}.fr.ipynb": blank})
    store.put_submission("c1", "ben", LAB, {f"{LAB}.fr.ipynb": blank})
    return tmp_path / "state", tmp_path / "course", {LAB: {f"{LAB}.fr.ipynb": source}}


def test_collect_takes_the_last_submission_once_and_counts_attempts(state):
    root, course, sources = state
    first = desk.collect("c1", {"sources": sources}, root, course)
    assert {(row["user"], row["attempts"], row["new"]) for row in first["collected"]} == {("ana", 2, True),
                                                                                            ("ben", 1, True)}
    assert not first["problems"]
    again = desk.collect("c1", {"sources": sources}, root, course)
    assert not any(row["new"] for row in again["collected"])
    assert len(desk.pending("c1", {}, root, course)["pending"]) == 2


def test_an_untrusted_run_scores_zero_and_is_not_pending_any_more(state):
    root, course, sources = state
    desk.collect("c1", {"sources": sources}, root, course)
    ana = next(item for item in desk.pending("c1", {}, root, course)["pending"] if item["user"] == "ana")
    done = desk.record("c1", {"results": [{"user": "ana", "lab": LAB, "submission_id": ana["submission_id"],
                                           "notebooks": {}, "findings": ["no trustworthy result"],
                                           "trusted": False}]}, root, course)
    assert done["recorded"] == [{"user": "ana", "lab": LAB}] and not done["problems"]
    assert [item["user"] for item in desk.pending("c1", {}, root, course)["pending"]] == ["ben"]
    rows = [row for row in desk.gradebook("c1", {}, root, course)["rows"] if row["user"] == "ana"]
    assert {row["task"]: row["score"] for row in rows} == {"test_answer": 0, "test_answer2": 0}
    assert rows[0]["findings"] == ["no trustworthy result"]


def test_late_submissions_are_marked_not_lost(state):
    root, course, sources = state
    desk.collect("c1", {"sources": sources}, root, course)
    early = desk.gradebook("c1", {"due": {LAB: "2000-01-01T00:00:00+00:00"}}, root, course)["rows"]
    late = desk.gradebook("c1", {"due": {LAB: "2999-01-01T00:00:00+00:00"}}, root, course)["rows"]
    assert all(row["late"] for row in early) and len(early) == 2
    assert not any(row["late"] for row in late) and len(late) == 2


def test_a_stale_result_for_a_replaced_submission_is_refused(state):
    root, course, sources = state
    desk.collect("c1", {"sources": sources}, root, course)
    done = desk.record("c1", {"results": [{"user": "ana", "lab": LAB, "submission_id": "20000101T000000.000000Z-0000",
                                           "notebooks": {}, "findings": [], "trusted": False}]}, root, course)
    assert done["recorded"] == [] and "newer submission" in done["problems"][0]
