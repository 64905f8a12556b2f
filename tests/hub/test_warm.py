"""Warm start's rules: which session is due, how long a warmed server is held, what is not activity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sandlab.cohort import Cohort, Dates, Member, WarmStart
from sandlab.hub.warm import (
    WarmedServer,
    WarmRecord,
    cull_arbiter,
    due_session,
    hold_until,
    read_record,
    untouched_warm_start,
    write_record,
)

NOW = datetime(2026, 12, 10, 8, 30, tzinfo=UTC)
NINE = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
TWO = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)


def cohort(**warm) -> Cohort:
    return Cohort(name="wave", title="Wave", pack=Path("pack"), dates=Dates(sessions=[TWO, NINE]),
                  warm=WarmStart(**warm), members=[Member(name="ana", persona="business")])


def server(started: datetime, last: datetime | None = None, user: str = "ana") -> dict:
    def iso(moment):
        return moment.isoformat().replace("+00:00", "Z") if moment else None

    return {"url": f"/user/{user}/", "started": iso(started), "last_activity": iso(last or started)}


def test_the_session_is_due_within_minutes_before_and_only_once():
    assert due_session(cohort(minutes_before=45), WarmRecord(), NOW) == NINE
    assert due_session(cohort(minutes_before=20), WarmRecord(), NOW) is None  # 30 minutes ahead: not yet
    assert due_session(cohort(minutes_before=45), WarmRecord(sessions=[NINE]), NOW) is None
    assert due_session(cohort(), WarmRecord(), NOW) is None  # the cohort did not ask for it
    assert due_session(cohort(minutes_before=45), WarmRecord(), NINE) is None  # the session has started


def test_a_warmed_server_is_held_until_the_session_plus_the_hold():
    assert hold_until(cohort(hold_minutes=30), NOW) == NINE + timedelta(minutes=30)
    assert hold_until(cohort(hold_minutes=30), NOW, TWO) == TWO + timedelta(minutes=30)
    far = NINE - timedelta(days=2)  # the next session is days away: held from now only
    assert hold_until(cohort(hold_minutes=10), far) == far + timedelta(minutes=10)


def test_the_culler_spares_a_held_server_only(tmp_path):
    started = NOW - timedelta(hours=2)
    write_record(tmp_path, "wave", WarmRecord(servers={"ana": WarmedServer(started=started, hold_until=NINE)}))
    idle = {"inactive": timedelta(hours=2), "inactive_limit": 3600, "state": tmp_path}
    assert cull_arbiter(server=server(started), now=NOW, **idle) is False
    assert cull_arbiter(server=server(started), now=NINE, **idle) is True  # the hold is over
    assert cull_arbiter(server=server(started + timedelta(minutes=5)), now=NOW, **idle) is True  # another start
    assert cull_arbiter(server=server(started, user="bob"), now=NOW, **idle) is True
    busy = {**idle, "inactive": timedelta(minutes=1)}
    assert cull_arbiter(server=server(NOW, user="bob"), now=NOW, **busy) is False  # the usual rule


def test_a_warm_start_nobody_used_is_not_activity():
    warmed = WarmedServer(started=NOW, hold_until=NINE)
    assert untouched_warm_start(warmed, server(NOW, NOW + timedelta(seconds=20)))
    assert not untouched_warm_start(warmed, server(NOW, NOW + timedelta(minutes=3)))  # a learner came
    assert not untouched_warm_start(None, server(NOW))  # the learner started it: their own doing
    assert not untouched_warm_start(warmed, server(NOW + timedelta(hours=1)))  # restarted since


def test_an_unreadable_record_holds_nothing(tmp_path):
    (tmp_path / "warm").mkdir()
    (tmp_path / "warm" / "wave.json").write_text("{not json")
    assert read_record(tmp_path, "wave") == WarmRecord()
