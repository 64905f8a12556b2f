"""The grading desk: nbgrader's course of a cohort, kept in the hub's state, worked on by trusted code only.

Runs in a container of the lab image (nbgrader is there) with the hub's state volume (the
exchange's store), the cohort's course volume and no network, as
`python -m sandlab.grading.desk COMMAND COHORT`, JSON on stdin and stdout. Nothing here
executes a learner's code: submissions are executed in grading sandboxes, and the desk
records the signed, executed notebooks that come back. The course is left owned by the
learner uid, so that the cohort's trainers grade in it from their own server (formgrader).

    <course>/                        nbgrader's course: source/, release/, submitted/, autograded/,
                                     feedback/, gradebook.db (one gradebook per cohort)
    <course>/sandlab/<user>/<lab>.json   which submission was collected and graded, attempts,
                                     findings, feedback state
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import nbformat

from sandlab.grading.course import Course
from sandlab.grading.exchange import wire
from sandlab.grading.exchange.store import ExchangeStore
from sandlab.grading.leaks import AnswerLeaks
from sandlab.grading.merge import is_test
from sandlab.grading.runner import NOT_RUN, error_output
from sandlab.hub.state import STATE_DIR, exchange_dir
from sandlab.kpis.store import KpiStore, ScoreRow, kpi_database
from sandlab.labs.library import LabLibrary
from sandlab.sandbox import LEARNER_ID

STATE = STATE_DIR  # the hub's state volume, where the exchange keeps its store
COURSE = Path("/srv/sandlab/course")
INPUTS = Path("/srv/grading")  # the pack (data/, answers/) when feedback is checked for leaks


@dataclass
class Entry:
    """One learner's lab as the desk knows it."""

    user: str
    lab: str
    submission_id: str
    timestamp: str
    attempts: int
    notebooks: list[str] = field(default_factory=list)  # the submitted notebooks' names
    graded_id: str | None = None
    findings: list[str] = field(default_factory=list)
    trusted: bool = True
    feedback: str | None = None  # "published" or "withheld", for graded_id


def course(cohort: str, root: Path = COURSE) -> Course:
    return Course(root, course_id=cohort)


def _entry_path(desk: Course, user: str, lab: str) -> Path:
    return desk.root / "sandlab" / user / f"{lab}.json"


def read_entry(desk: Course, user: str, lab: str) -> Entry | None:
    path = _entry_path(desk, user, lab)
    return Entry(**json.loads(path.read_text())) if path.is_file() else None


def write_entry(desk: Course, entry: Entry) -> None:
    path = _entry_path(desk, entry.user, entry.lab)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(asdict(entry), indent=1))
    partial.replace(path)


def sync_sources(desk: Course, sources: dict[str, dict[str, str]]) -> list[str]:
    """The labs' source notebooks (hidden tests included) in the course, and nbgrader's
    gradebook entries for them; a lab whose source changed is generated again."""
    problems = []
    for lab, files in sources.items():
        folder = desk.source_dir(lab)
        changed = False
        for name, text in files.items():
            path = folder / name
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                changed = True
        if changed or not desk.release_dir(lab).is_dir():
            problems += [f"{lab}: {p}" for p in [desk.generate(lab)] if p]
    return problems


def collect(cohort: str, job: dict, state: Path = STATE, root: Path = COURSE) -> dict:
    """Copy each learner's last submission of each lab into the course; say which are new."""
    desk, store = course(cohort, root), ExchangeStore(exchange_dir(state))
    problems = sync_sources(desk, job.get("sources", {}))
    latest: dict[tuple[str, str], list] = {}
    for record in store.submissions(cohort):
        latest.setdefault((record.user, record.lab), []).append(record)
    collected = []
    for (user, lab), records in sorted(latest.items()):
        if lab not in job.get("sources", {lab: None}):
            continue
        last = records[-1]
        entry = read_entry(desk, user, lab)
        fresh = entry is None or entry.submission_id != last.id
        if fresh:
            files = store.submission_files(cohort, user, lab, last.id)
            desk.submit(lab, user, files, timestamp=last.timestamp)
            entry = Entry(user, lab, last.id, last.timestamp, len(records), sorted(files))
            write_entry(desk, entry)
        collected.append({**asdict(entry), "new": fresh})
    return {"collected": collected, "problems": problems}


def pending(cohort: str, job: dict, state: Path = STATE, root: Path = COURSE) -> dict:
    """Collected submissions not graded yet (or all, with ``again``), with their files."""
    desk, store = course(cohort, root), ExchangeStore(exchange_dir(state))
    found = []
    for path in sorted((desk.root / "sandlab").glob("*/*.json")):
        entry = read_entry(desk, path.parent.name, path.stem)
        if entry is None or (entry.graded_id == entry.submission_id and not job.get("again")):
            continue
        if job.get("labs") and entry.lab not in job["labs"]:
            continue
        files = store.submission_files(cohort, entry.user, entry.lab, entry.submission_id)
        found.append({"user": entry.user, "lab": entry.lab, "submission_id": entry.submission_id,
                      "files": wire.encode(files)})
    return {"pending": found}


def _failed_everywhere(notebook: nbformat.NotebookNode, why: str) -> nbformat.NotebookNode:
    for cell in notebook.cells:
        if is_test(cell):
            cell.outputs = [error_output(NOT_RUN.format(why=why))]
    return notebook


def record(cohort: str, job: dict, state: Path = STATE, root: Path = COURSE) -> dict:
    """Record sandbox results in the gradebook (nbgrader scores the outputs; nothing runs)."""
    desk = course(cohort, root)
    done, problems = [], []
    for result in job["results"]:
        entry = read_entry(desk, result["user"], result["lab"])
        if entry is None or entry.submission_id != result["submission_id"]:
            problems.append(f"{result['user']}/{result['lab']}: a newer submission was collected meanwhile; "
                            "run autograde again")
            continue
        notebooks = result["notebooks"]
        if not result["trusted"]:  # nothing of the run counts: every test fails
            release = desk.release_dir(entry.lab)
            notebooks = {path.name: nbformat.writes(_failed_everywhere(nbformat.read(path, as_version=4),
                                                                       "the sandbox returned no trusted result"))
                         for path in sorted(release.glob("*.ipynb"))}
        desk.submit(entry.lab, entry.user, notebooks, timestamp=entry.timestamp)
        problem = desk.record(entry.lab, entry.user)
        if problem:
            problems.append(f"{entry.user}/{entry.lab}: {problem}")
            continue
        entry.graded_id, entry.findings, entry.trusted, entry.feedback = \
            entry.submission_id, result["findings"], result["trusted"], None
        write_entry(desk, entry)
        done.append({"user": entry.user, "lab": entry.lab})
    return {"recorded": done, "problems": problems}


def feedback(cohort: str, job: dict, state: Path = STATE, root: Path = COURSE, *, public: Path = INPUTS / "data",
             answers: Path = INPUTS / "answers") -> dict:
    """nbgrader's HTML feedback of each graded submission, checked for the pack's answers
    (``public`` and ``answers``: the pack's two parts), then put in the exchange where its
    learner fetches it."""
    desk, store = course(cohort, root), ExchangeStore(exchange_dir(state))
    visible = [path.read_text(encoding="utf-8") for path in (desk.root / "source").glob("*/*.ipynb")]
    leaks = AnswerLeaks.from_folders(public, answers, visible)
    published, withheld, problems = [], [], []
    for path in sorted((desk.root / "sandlab").glob("*/*.json")):
        entry = read_entry(desk, path.parent.name, path.stem)
        if entry is None or entry.graded_id != entry.submission_id or (entry.feedback and not job.get("again")):
            continue
        problem = desk.feedback(entry.lab, entry.user)
        if problem:
            problems.append(f"{entry.user}/{entry.lab}: {problem}")
            continue
        folder = desk.feedback_dir(entry.lab, entry.user)
        pages = {page.name: page.read_bytes() for page in sorted(folder.glob("*.html"))}
        leaked = [found for page in pages.values() for found in leaks.find(page.decode("utf-8", errors="replace"))]
        if leaked:
            entry.feedback = "withheld"
            entry.findings = [*entry.findings, f"answers-leak: the feedback holds {' and '.join(leaked)}: withheld, "
                                               "the trainer reviews this submission"]
            withheld.append({"user": entry.user, "lab": entry.lab})
        else:
            store.put_feedback(cohort, entry.user, entry.lab, entry.submission_id, pages)
            entry.feedback = "published"
            published.append({"user": entry.user, "lab": entry.lab})
        write_entry(desk, entry)
    return {"published": published, "withheld": withheld, "problems": problems}


def gradebook(cohort: str, job: dict, state: Path = STATE, root: Path = COURSE) -> dict:
    """Per learner, lab and task: score, max, submitted at, attempts, late, findings."""
    desk = course(cohort, root)
    due = {lab: datetime.fromisoformat(when) for lab, when in job.get("due", {}).items()}
    rows = []
    for path in sorted((desk.root / "sandlab").glob("*/*.json")):
        entry = read_entry(desk, path.parent.name, path.stem)
        if entry is None:
            continue
        submitted = datetime.fromisoformat(entry.timestamp)
        late = entry.lab in due and submitted > due[entry.lab]
        tasks = desk.scores(entry.lab, entry.user) if entry.graded_id == entry.submission_id else None
        common = {"user": entry.user, "lab": entry.lab, "submitted_at": entry.timestamp, "attempts": entry.attempts,
                  "late": late, "graded": tasks is not None, "findings": entry.findings, "feedback": entry.feedback}
        tasks = [task for task in tasks or [] if f"{task.notebook}.ipynb" in entry.notebooks]
        for task in tasks:
            rows.append({**common, "task": task.task, "score": task.score, "max_score": task.max_score,
                         "manual": task.manual})
        if not tasks:
            rows.append({**common, "task": None, "score": None, "max_score": None, "manual": False})
    return {"rows": rows}


def library_sources(cohort: str, job: dict, state: Path = STATE, root: Path = COURSE) -> dict:
    """The sources of the library versions released to the cohort: its submissions are graded against
    these, not the catalogue's."""
    return {"sources": LabLibrary(state).cohort_sources(cohort)}


COMMANDS = {"collect": collect, "pending": pending, "record": record, "feedback": feedback, "gradebook": gradebook,
            "sources": library_sources}
SCORE_CHANGES = {"record", "feedback", "gradebook"}  # after these, the KPIs get the gradebook as it stands


def publish_scores(cohort: str, state: Path, root: Path) -> None:
    """The cohort's gradebook, manual grades included, copied into the KPI database (which the
    hub's KPI service reads: the course volume is the desk's and the trainers' only)."""
    rows = [ScoreRow(cohort, row["user"], row["lab"], row["task"], row["score"], row["max_score"], row["manual"])
            for row in gradebook(cohort, {}, state, root)["rows"] if row["task"]]
    KpiStore(kpi_database(state)).replace_scores(cohort, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandlab.grading.desk")
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("cohort")
    parser.add_argument("--state", type=Path, default=STATE)
    parser.add_argument("--course", type=Path, default=COURSE)
    args = parser.parse_args(argv)
    job = json.loads(sys.stdin.read() or "{}")
    try:
        print(json.dumps(COMMANDS[args.command](args.cohort, job, args.state, args.course)))
        if args.command in SCORE_CHANGES:
            publish_scores(args.cohort, args.state, args.course)
    finally:
        hand_over(args.course)
    return 0


def hand_over(root: Path, owner: int = LEARNER_ID) -> None:
    """The course to the learner uid the trainers' servers run as (they write manual grades)."""
    if not root.is_dir() or os.geteuid() != 0:
        return
    for folder, dirs, files in os.walk(root):
        for name in [folder, *(os.path.join(folder, entry) for entry in dirs + files)]:
            os.lchown(name, owner, owner)


if __name__ == "__main__":
    sys.exit(main())
