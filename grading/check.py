"""Grade one notebook exactly as a cohort's submissions are graded: `sandlab grading check`.

The notebook runs in the grading sandbox; nbgrader scores the signed, executed notebook
from its outputs in a course of its own; the feedback is checked for the pack's answers
before it is written.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import docker

from sandlab.grading.course import Course, TaskScore
from sandlab.grading.leaks import AnswerLeaks
from sandlab.grading.sandbox import InputsVolume, run_submission
from sandlab.labs.paths import notebook_name, source_notebook
from sandlab.sandbox import Hardening

STUDENT = "check"


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


def lab_sources(lab: str, language: str, root: Path | None = None) -> dict[str, str]:
    path = source_notebook(lab, language, root)
    if not path.is_file():
        raise FileNotFoundError(f"lab {lab} has no {language} version ({path.name}): see `sandlab labs list`")
    return {notebook_name(lab, language): path.read_text(encoding="utf-8")}


def language_of(notebook: Path, lab: str) -> str:
    """From the file's name (<lab>.<lang>.ipynb) or the notebook's own metadata."""
    for language in ("fr", "en"):
        if notebook.name == notebook_name(lab, language):
            return language
    try:
        return json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["sandlab"]["language"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return "fr"


def grade_executed(work: Path, lab: str, sources: dict[str, str], executed: dict[str, str], leaks: AnswerLeaks,
                   timestamp: str | None = None) -> tuple[list[TaskScore], dict[str, str], list[str]]:
    """nbgrader's scores and feedback for notebooks executed in a sandbox, in a course under ``work``."""
    course = Course(work)
    folder = course.source_dir(lab)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in sources.items():
        (folder / name).write_text(text, encoding="utf-8")
    findings = [p for p in [course.generate(lab)] if p]
    course.submit(lab, STUDENT, executed, timestamp)
    findings += [p for p in [course.record(lab, STUDENT)] if p]
    tasks = course.scores(lab, STUDENT) or []
    findings += [p for p in [course.feedback(lab, STUDENT)] if p]
    feedback = {}
    for page in sorted(course.feedback_dir(lab, STUDENT).glob("*.html")):
        leaked = leaks.find(page.read_text(encoding="utf-8"))
        if leaked:
            findings.append(f"answers-leak: the feedback of {page.stem} holds {' and '.join(leaked)}: withheld, "
                            "the trainer reviews this submission")
            return tasks, {}, findings
        feedback[page.stem + ".ipynb"] = page.read_text(encoding="utf-8")
    return tasks, feedback, findings


def zero_tasks(work: Path, lab: str, sources: dict[str, str]) -> list[TaskScore]:
    """Every task of the lab at 0: what an untrusted run earns."""
    course = Course(work)
    folder = course.source_dir(lab)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in sources.items():
        (folder / name).write_text(text, encoding="utf-8")
    course.generate(lab)
    course.submit(lab, STUDENT, {name: (course.release_dir(lab) / name).read_bytes() for name in sources})
    course.record(lab, STUDENT)
    return [TaskScore(t.task, 0.0 if not t.manual else None, t.max_score, t.manual, t.notebook)
            for t in course.scores(lab, STUDENT) or []]


def check_notebook(engine: docker.DockerClient, image: str, lab: str, notebook: Path, pack: Path,
                   hardening: Hardening, *, language: str | None = None, cell_timeout: int = 60,
                   deadline: int = 600, root: Path | None = None) -> Graded:
    language = language or language_of(notebook, lab)
    sources = lab_sources(lab, language, root)
    [name] = sources
    submission = {name: notebook.read_bytes().decode("utf-8", errors="replace")}
    graded = Graded(lab)
    with InputsVolume(engine, image, pack) as inputs:
        outcome = run_submission(engine, image, inputs, sources, submission, hardening,
                                 cell_timeout=cell_timeout, deadline=deadline)
    graded.findings += outcome.findings
    graded.seconds = round(sum(outcome.seconds.values()), 2)
    graded.trusted = outcome.trusted
    graded.executed = outcome.notebooks
    leaks = AnswerLeaks.from_pack(pack, visible_texts=list(sources.values()))
    with tempfile.TemporaryDirectory(prefix="sandlab-check-") as work:
        if not outcome.trusted:
            graded.tasks = zero_tasks(Path(work), lab, sources)
            return graded
        graded.tasks, graded.feedback, found = grade_executed(Path(work), lab, sources, outcome.notebooks, leaks)
    graded.findings += found
    return graded
