"""The usage log feeds the training's KPIs: each answered request counted per learner and day."""

from __future__ import annotations

from sandlab.assistant.service import kpi_feed
from sandlab.assistant.usage import UsageLog, UsageRow, usage_database
from sandlab.kpis.store import KpiStore, kpi_database


def test_answered_requests_are_counted_in_the_kpi_database_and_refusals_are_not(tmp_path):
    log = UsageLog(usage_database(tmp_path), on_answered=kpi_feed(tmp_path))
    at = 1_796_000_000.0
    log.record(UsageRow("wave", "ana", "local", "answered", prompt_tokens=30, completion_tokens=12, at=at))
    log.record(UsageRow("wave", "ana", "local", "answered", prompt_tokens=10, completion_tokens=5, at=at + 60))
    log.record(UsageRow("wave", "ana", "local", "refused", at=at + 120))
    with KpiStore(kpi_database(tmp_path)).connect() as db:
        assert db.execute("SELECT cohort, user, day, requests, tokens FROM assistant").fetchall() == [
            ("wave", "ana", int(at) // 86400, 2, 57)]
    assert len(log.rows("ana")) == 3


def test_a_failing_kpi_database_loses_no_usage_record(tmp_path, caplog):
    def broken(row: UsageRow) -> None:
        raise OSError("disk full")

    log = UsageLog(usage_database(tmp_path), on_answered=broken)
    log.record(UsageRow("wave", "ana", "local", "answered", prompt_tokens=3, completion_tokens=1))
    assert [row["outcome"] for row in log.rows("ana")] == ["answered"]
    assert "did not count" in caplog.text and "disk full" not in caplog.text
