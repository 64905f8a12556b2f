"""What warm start remembers, and the rules that read it.

Warming a cohort starts its learners' servers before a session. Two parts of the platform must
then know which servers were warmed: the idle culler, which must not stop a warmed server
nobody has used yet before its session (plus ``warm.hold_minutes``), and the KPI watcher, for
which a server started by the platform is not a learner at work. Both read the record kept
in the hub's state, one file per cohort:

    state/warm/<cohort>.json   {"sessions": [warmed session starts],
                                "servers": {user: {"started": ..., "hold_until": ...}}}
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ValidationError

from sandlab.cohort import Cohort
from sandlab.hub.files import write_private
from sandlab.hub.state import STATE_DIR

UNTOUCHED = timedelta(seconds=60)  # a server whose last activity is its start: nobody has used it
SERVER_URL_OWNER = re.compile(r"/user/([^/]+)/")


class WarmedServer(BaseModel):
    started: AwareDatetime  # the hub's `started` of the server warmed: a later restart is not held
    hold_until: AwareDatetime


class WarmRecord(BaseModel):
    sessions: list[AwareDatetime] = []
    servers: dict[str, WarmedServer] = {}


def record_file(state: Path, cohort: str) -> Path:
    return state / "warm" / f"{cohort}.json"


def read_record(state: Path, cohort: str) -> WarmRecord:
    """The cohort's record; an unreadable one counts as empty (it only ever holds servers longer)."""
    try:
        return WarmRecord.model_validate_json(record_file(state, cohort).read_text(encoding="utf-8"))
    except (OSError, ValidationError, ValueError):
        return WarmRecord()


def write_record(state: Path, cohort: str, record: WarmRecord) -> None:
    write_private(record_file(state, cohort), record.model_dump_json(indent=1))


def warmed_servers(state: Path) -> dict[str, WarmedServer]:
    """Every warmed server of every cohort, by user (a user is in one cohort)."""
    found: dict[str, WarmedServer] = {}
    for path in sorted((state / "warm").glob("*.json")):
        found.update(read_record(state, path.stem).servers)
    return found


def parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _same_server(warmed: WarmedServer | None, server: dict) -> bool:
    started = parse_time(server.get("started"))
    return warmed is not None and started is not None and abs(started - warmed.started) < timedelta(seconds=1)


def held(warmed: WarmedServer | None, server: dict, now: datetime) -> bool:
    """The idle culler must leave this server (the hub's server model) alone for now."""
    return _same_server(warmed, server) and now < warmed.hold_until


def untouched_warm_start(warmed: WarmedServer | None, server: dict) -> bool:
    """The server's only activity is the platform starting it: not a learner's activity."""
    last = parse_time(server.get("last_activity"))
    return _same_server(warmed, server) and (last is None or last - warmed.started < UNTOUCHED)


def server_owner(server: dict) -> str | None:
    found = SERVER_URL_OWNER.search(server.get("url") or "")
    return found.group(1) if found else None


def cull_arbiter(*, inactive: timedelta, inactive_limit: int, server: dict, state: Path = STATE_DIR,
                 now: datetime | None = None, **_: object) -> bool:
    """jupyterhub-idle-culler's rule, except for a warmed server still held for its session."""
    owner = server_owner(server)
    if owner and held(warmed_servers(state).get(owner), server, now or datetime.now(UTC)):
        return False
    return inactive.total_seconds() >= inactive_limit


def due_session(cohort: Cohort, record: WarmRecord, now: datetime) -> datetime | None:
    """The session whose warm-up should run now (the cohort asks for it, it starts within
    ``warm.minutes_before``, it was not warmed yet), or None."""
    before = cohort.warm.minutes_before
    if before is None:
        return None
    due = [start for start in cohort.dates.sessions
           if start - timedelta(minutes=before) <= now < start and start not in record.sessions]
    return min(due, default=None)


def hold_until(cohort: Cohort, now: datetime, session: datetime | None = None) -> datetime:
    """Until when warmed servers are kept: the session's start (by default the next one within a
    day, else now) plus the cohort's ``warm.hold_minutes``."""
    if session is None:
        upcoming = cohort.dates.next_session(now)
        session = upcoming if upcoming is not None and upcoming - now <= timedelta(days=1) else now
    return session + timedelta(minutes=cohort.warm.hold_minutes)
