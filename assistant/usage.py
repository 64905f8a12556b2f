"""The assistant's usage log, kept by the platform (the hub's state), never in a learner's volume.

One row per request: who, when, which model, tokens, latency, what was masked (counts per kind,
never values) and the outcome; the prompt's text only when the cohort's policy keeps it for its
trainers. It feeds the KPIs (use of AI tools during and after the training).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger("sandlab.assistant")
SCHEMA = """
CREATE TABLE IF NOT EXISTS usage (
    at REAL NOT NULL, cohort TEXT NOT NULL, user TEXT NOT NULL, model TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL DEFAULT 0, completion_tokens INTEGER NOT NULL DEFAULT 0,
    latency_ms INTEGER NOT NULL DEFAULT 0, outcome TEXT NOT NULL, masked TEXT NOT NULL DEFAULT '{}',
    prompt TEXT
);
CREATE INDEX IF NOT EXISTS usage_by_user ON usage (user, at);
CREATE INDEX IF NOT EXISTS usage_by_cohort ON usage (cohort, at);
"""


def usage_database(state: Path) -> Path:
    return state / "assistant" / "usage.sqlite"


@dataclass
class UsageRow:
    cohort: str
    user: str
    model: str
    outcome: str  # answered, refused (quota, personal data), failed (upstream)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0
    masked: dict[str, int] = field(default_factory=dict)
    prompt: str | None = None  # only if the cohort keeps prompts
    at: float = field(default_factory=time.time)


class UsageLog:
    """``on_answered`` is told of each answered request (the KPI database counts them per learner and
    day); if it fails, the row is still kept here."""

    def __init__(self, path: Path, on_answered: Callable[[UsageRow], None] | None = None) -> None:
        self.path, self.on_answered = path, on_answered
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def record(self, row: UsageRow) -> None:
        """Written at once (a restart of the gateway loses no record)."""
        with closing(self._connect()) as db, db:
            db.execute("INSERT INTO usage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (row.at, row.cohort, row.user, row.model, row.prompt_tokens, row.completion_tokens,
                        row.latency_ms, row.outcome, json.dumps(row.masked, sort_keys=True), row.prompt))
        if self.on_answered is not None and row.outcome == "answered":
            try:
                self.on_answered(row)
            except Exception as error:  # noqa: BLE001 - the KPIs may lag; the learner's answer must not fail
                log.warning("the KPI database did not count an assistant request: %s", type(error).__name__)

    def tokens_today(self, user: str, now: float | None = None) -> int:
        return self._today("user", user, now)

    def cohort_tokens_today(self, cohort: str, now: float | None = None) -> int:
        return self._today("cohort", cohort, now)

    def _today(self, column: str, value: str, now: float | None) -> int:
        now = time.time() if now is None else now
        midnight = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        with closing(self._connect()) as db:
            found = db.execute("SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) FROM usage "
                               f"WHERE {column} = ? AND at >= ?", (value, midnight)).fetchone()
        return int(found[0])

    def rows(self, user: str | None = None) -> list[dict]:
        with closing(self._connect()) as db:
            db.row_factory = sqlite3.Row
            query = "SELECT * FROM usage" + (" WHERE user = ?" if user else "") + " ORDER BY at"
            return [dict(row) for row in db.execute(query, (user,) if user else ())]
