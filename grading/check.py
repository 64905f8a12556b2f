"""Grade one notebook exactly as a cohort's submissions are graded: `sandlab grading check`.

The notebook is handed in to a throw-away exchange and course on this machine, then graded
by the grading desk's own steps around a grading sandbox: the same code as a cohort's
autograde, not a copy of it.
"""

from __future__ import annotations

import json
import secrets
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import docker

from sandlab.framework import LANGUAGES
from sandlab.grading import desk
from sandlab.grading.course import TaskScore
from sandlab.grading.exchange import wire
from sandlab.grading.exchange.store import ExchangeStore
from sandlab.grading.sandbox import InputsVolume, run_submission
from sandlab.hub.state import exchange_dir
from sandlab.labs.paths import notebook_name, source_texts
from sandlab.sandbox import Hardening

COHORT, STUDENT = "check", "check"  # the throw-away course's names


@dataclass
class Graded:
    """One submission, graded: per task, in total, and what was found on the way."""

    lab: str
    tasks: list[TaskScore] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    feedback: dict[str, str] = field(default_factory=dict)  # notebook name -> HTML; empty when withheld
    executed: dict[str, str] = field(default_factory=dict)  # notebook name -> the graded notebook, run
    trusted: bool = True

    @property
    def score(self) -> float:
        return sum(task.score or 0 for task in self.tasks)

    @property
    def max_score(self) -> float:
        return sum(task.max_score for task in self.tasks)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("feedback")
        data.pop("executed")
        data.update(score=self.score, max_score=self.max_score)
        return data


def language_of(notebook: Path, lab: str) -> str:
    """From the file's name (<lab>.<lang>.ipynb) or the notebook's own metadata."""
    for language in LANGUAGES:
        if notebook.name == notebook_name(lab, language):
            return language
    try:
        return json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["sandlab"]["language"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return LANGUAGES[0]


def check_notebook(engine: docker.DockerClient, image: str, lab: str, notebook: Path, pack: Path,
                   hardening: Hardening, *, language: str | None = None, cell_timeout: int = 60,
                   deadline: int = 600, root: Path | None = None, owner: str | None = None) -> Graded:
    """Hand ``notebook`` in to a throw-away exchange and course, then grade it with the steps a
    cohort's autograde takes: the desk collects it, a grading sandbox runs it, the desk
    records it, publishes its feedback and reads the gradebook. A file the exchange would
    refuse a learner (not a notebook, too large) is refused here too (ExchangeRefused).
    ``owner`` labels the sandbox; by default one of its own, so that checks running side by
    side, or a sandbox an interrupted run left behind, are never taken for this one."""
    sources = source_texts(lab, language or language_of(notebook, lab), root)
    [name] = sources
    graded = Graded(lab)
    with tempfile.TemporaryDirectory(prefix="sandlab-check-") as work:
        state, course = Path(work) / "state", Path(work) / "course"
        store = ExchangeStore(exchange_dir(state))
        store.put_submission(COHORT, STUDENT, lab, {name: notebook.read_bytes()})
        problems = desk.collect(COHORT, {"sources": {lab: sources}}, state, course)["problems"]
        [item] = desk.pending(COHORT, {}, state, course)["pending"]
        submission = {file: content.decode("utf-8", errors="replace")
                      for file, content in wire.decode(item["files"]).items()}
        with InputsVolume(engine, image, pack) as inputs:
            outcome = run_submission(engine, image, inputs, sources, submission, hardening,
                                     cell_timeout=cell_timeout, deadline=deadline,
                                     owner=owner or f"check-{secrets.token_hex(4)}")
        graded.seconds = round(sum(outcome.seconds.values()), 2)
        graded.trusted, graded.executed = outcome.trusted, outcome.notebooks
        problems += desk.record(COHORT, {"results": [{
            "user": STUDENT, "lab": lab, "submission_id": item["submission_id"], "notebooks": outcome.notebooks,
            "findings": outcome.findings, "trusted": outcome.trusted}]}, state, course)["problems"]
        problems += desk.feedback(COHORT, {}, state, course, public=Path(pack) / "public",
                                  answers=Path(pack) / "answers")["problems"]
        rows = desk.gradebook(COHORT, {}, state, course)["rows"]
        entry = desk.read_entry(desk.course(COHORT, course), STUDENT, lab)
        if entry is not None and entry.feedback == "published":
            pages = store.feedback_files(COHORT, STUDENT, lab, item["submission_id"])
            graded.feedback = {page: content.decode("utf-8") for page, content in pages.items()}
    graded.tasks = [TaskScore(row["task"], row["score"], row["max_score"], row["manual"])
                    for row in rows if row["task"]]
    graded.findings = (entry.findings if entry else outcome.findings) + problems
    return graded
