"""The KPI database: one SQLite file on the hub's state volume, written by the platform only.

Learners never reach it: the KPI service writes their activity and survey answers after
asking the hub whose token it is, and the grading desk writes each cohort's scores. The
same file is opened by the hub's KPI service and by the desk's container (both on one
machine, one file system), so every write is a short transaction with a busy timeout.

    activity      per learner, lab and minute: kernel executions ("kernel") or a server
                  seen active by the hub ("hub", lab '')
    surveys       one answer per learner and lab, replaced when changed
    cohorts       each applied cohort: title, dates (use after the training counts after ends)
    labs          the labs of the applied cohorts: level, titles, pass mark (share of autograded points)
    objectives    each lab objective and the tasks (nbgrader grade ids) that assess it
    plans         which labs each learner was given (their plan), with the persona
    releases      when each lab was released to a cohort in each language
    submissions   each submission handed in through the exchange
    scores        the cohort's gradebook: per learner, lab and task (replaced at each grading step)
    exports       who exported named records, when and why
    assistant     per learner and day (Unix time // 86400): requests the AI assistant answered and
                  their tokens (written by the assistant's gateway; no prompt, no answer)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sandlab.framework import DEFAULT_PASS_MARK
from sandlab.kpis.survey import SurveyAnswer

SCHEMA = """
CREATE TABLE IF NOT EXISTS activity (
    cohort TEXT NOT NULL, user TEXT NOT NULL, lab TEXT NOT NULL, minute INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('kernel', 'hub')), executions INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (cohort, user, lab, minute, source)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS surveys (
    cohort TEXT NOT NULL, user TEXT NOT NULL, lab TEXT NOT NULL,
    clarity INTEGER NOT NULL, usefulness INTEGER NOT NULL, comment TEXT NOT NULL, idea TEXT NOT NULL,
    minutes_saved_per_week INTEGER, language TEXT NOT NULL, answered_at TEXT NOT NULL,
    PRIMARY KEY (cohort, user, lab));
CREATE TABLE IF NOT EXISTS cohorts (
    cohort TEXT PRIMARY KEY, title TEXT NOT NULL, opens TEXT, ends TEXT);
CREATE TABLE IF NOT EXISTS labs (
    lab TEXT PRIMARY KEY, level INTEGER NOT NULL, title_fr TEXT NOT NULL, title_en TEXT NOT NULL,
    pass_mark REAL NOT NULL);
CREATE TABLE IF NOT EXISTS objectives (
    lab TEXT NOT NULL, position INTEGER NOT NULL, text_fr TEXT NOT NULL, text_en TEXT NOT NULL, task TEXT NOT NULL,
    PRIMARY KEY (lab, position, task));
CREATE TABLE IF NOT EXISTS plans (
    cohort TEXT NOT NULL, user TEXT NOT NULL, persona TEXT NOT NULL, lab TEXT NOT NULL,
    PRIMARY KEY (cohort, user, lab));
CREATE TABLE IF NOT EXISTS releases (
    cohort TEXT NOT NULL, lab TEXT NOT NULL, language TEXT NOT NULL, released_at TEXT NOT NULL,
    PRIMARY KEY (cohort, lab, language));
CREATE TABLE IF NOT EXISTS submissions (
    cohort TEXT NOT NULL, user TEXT NOT NULL, lab TEXT NOT NULL, submission_id TEXT NOT NULL,
    submitted_at TEXT NOT NULL, PRIMARY KEY (cohort, user, lab, submission_id));
CREATE TABLE IF NOT EXISTS scores (
    cohort TEXT NOT NULL, user TEXT NOT NULL, lab TEXT NOT NULL, task TEXT NOT NULL,
    score REAL, max_score REAL NOT NULL, manual INTEGER NOT NULL,
    PRIMARY KEY (cohort, user, lab, task));
CREATE TABLE IF NOT EXISTS exports (
    at TEXT NOT NULL, who TEXT NOT NULL, cohort TEXT NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS assistant (
    cohort TEXT NOT NULL, user TEXT NOT NULL, day INTEGER NOT NULL, requests INTEGER NOT NULL,
    tokens INTEGER NOT NULL, PRIMARY KEY (cohort, user, day)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS activity_by_cohort_lab ON activity (cohort, lab);
"""



def kpi_database(state: Path) -> Path:
    return state / "kpis" / "kpis.sqlite"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ActivityMinute:
    """Something happened in this minute (Unix time // 60) for this learner and lab."""

    cohort: str
    user: str
    lab: str  # '' when only the hub saw the server active
    minute: int
    source: str
    executions: int = 0


@dataclass(frozen=True)
class PlannedLab:
    cohort: str
    user: str
    persona: str
    lab: str


@dataclass(frozen=True)
class CohortFacts:
    cohort: str
    title: str
    opens: str | None = None  # ISO dates
    ends: str | None = None


@dataclass(frozen=True)
class Objective:
    text_fr: str
    text_en: str
    tasks: tuple[str, ...]  # nbgrader grade ids that assess it


@dataclass(frozen=True)
class LabFacts:
    lab: str
    level: int
    title_fr: str
    title_en: str
    pass_mark: float = DEFAULT_PASS_MARK
    objectives: tuple[Objective, ...] = ()


@dataclass(frozen=True)
class ScoreRow:
    cohort: str
    user: str
    lab: str
    task: str
    score: float | None  # None: not graded yet (a manual task)
    max_score: float
    manual: bool


class KpiStore:
    """The KPI database at ``path``, created on first use."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=30000")
            yield db
        finally:
            db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def add_activity(self, minutes: Iterable[ActivityMinute]) -> None:
        """Executions in the same minute add up; a minute seen twice by the hub counts once."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO activity VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (cohort, user, lab, minute, source) "
                "DO UPDATE SET executions = executions + excluded.executions",
                [(m.cohort, m.user, m.lab, m.minute, m.source, m.executions) for m in minutes])

    def add_assistant_use(self, cohort: str, user: str, at: float, tokens: int) -> None:
        """One answered request of the assistant at Unix time ``at``, added to the learner's day."""
        with self.transaction() as db:
            db.execute("INSERT INTO assistant VALUES (?, ?, ?, 1, ?) ON CONFLICT (cohort, user, day) "
                       "DO UPDATE SET requests = requests + 1, tokens = tokens + excluded.tokens",
                       (cohort, user, int(at) // 86400, tokens))

    def put_survey(self, cohort: str, user: str, answer: SurveyAnswer, answered_at: str | None = None) -> None:
        """One answer per learner and lab: answering again replaces the answer."""
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO surveys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (cohort, user, answer.lab, answer.clarity, answer.usefulness, answer.comment, answer.idea,
                        answer.minutes_saved_per_week, answer.language, answered_at or now_iso()))

    def survey(self, cohort: str, user: str, lab: str) -> SurveyAnswer | None:
        with self.connect() as db:
            row = db.execute("SELECT lab, clarity, usefulness, comment, idea, minutes_saved_per_week, language "
                             "FROM surveys WHERE cohort = ? AND user = ? AND lab = ?", (cohort, user, lab)).fetchone()
        if row is None:
            return None
        keys = ("lab", "clarity", "usefulness", "comment", "idea", "minutes_saved_per_week", "language")
        return SurveyAnswer(**dict(zip(keys, row, strict=True)))

    def put_cohort(self, facts: CohortFacts, labs: Iterable[LabFacts], planned: Iterable[PlannedLab]) -> None:
        """What `sandlab hub apply` resolved: the cohort, its labs and each learner's plan."""
        labs, planned = list(labs), list(planned)
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO cohorts VALUES (?, ?, ?, ?)",
                       (facts.cohort, facts.title, facts.opens, facts.ends))
            for lab in labs:
                db.execute("INSERT OR REPLACE INTO labs VALUES (?, ?, ?, ?, ?)",
                           (lab.lab, lab.level, lab.title_fr, lab.title_en, lab.pass_mark))
                db.execute("DELETE FROM objectives WHERE lab = ?", (lab.lab,))
                db.executemany("INSERT OR REPLACE INTO objectives VALUES (?, ?, ?, ?, ?)",
                               [(lab.lab, position, o.text_fr, o.text_en, task)
                                for position, o in enumerate(lab.objectives) for task in o.tasks])
            db.execute("DELETE FROM plans WHERE cohort = ?", (facts.cohort,))
            _insert_plans(db, planned)

    def add_plans(self, planned: Iterable[PlannedLab]) -> None:
        """More learners' plans, keeping the others (the demo's recorded history)."""
        with self.transaction() as db:
            _insert_plans(db, planned)

    def put_release(self, cohort: str, lab: str, language: str, released_at: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO releases VALUES (?, ?, ?, ?)", (cohort, lab, language, released_at))

    def put_submission(self, cohort: str, user: str, lab: str, submission_id: str, submitted_at: str) -> None:
        self.put_submissions([(cohort, user, lab, submission_id, submitted_at)])

    def put_submissions(self, rows: Iterable[tuple[str, str, str, str, str]]) -> None:
        """(cohort, user, lab, submission id, submitted at) rows; one already stored is kept."""
        with self.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO submissions VALUES (?, ?, ?, ?, ?)", list(rows))

    def replace_scores(self, cohort: str, rows: Iterable[ScoreRow]) -> None:
        """The cohort's gradebook as it stands now (manual grades included)."""
        with self.transaction() as db:
            db.execute("DELETE FROM scores WHERE cohort = ?", (cohort,))
            _insert_scores(db, rows)

    def add_scores(self, rows: Iterable[ScoreRow]) -> None:
        with self.transaction() as db:
            _insert_scores(db, rows)

    def log_export(self, who: str, cohort: str, reason: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO exports VALUES (?, ?, ?, ?)", (now_iso(), who, cohort, reason))


def _insert_plans(db: sqlite3.Connection, planned: Iterable[PlannedLab]) -> None:
    db.executemany("INSERT OR REPLACE INTO plans VALUES (?, ?, ?, ?)",
                   [(p.cohort, p.user, p.persona, p.lab) for p in planned])


def _insert_scores(db: sqlite3.Connection, rows: Iterable[ScoreRow]) -> None:
    db.executemany("INSERT OR REPLACE INTO scores VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [(r.cohort, r.user, r.lab, r.task, r.score, r.max_score, int(r.manual)) for r in rows])
