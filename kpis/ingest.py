"""Releases and submissions, copied from the exchange's store into the KPI database.

The exchange keeps files; the KPIs need only who received and handed in what, when. The
copy is idempotent and cheap (directory listings), so the KPI service runs it every minute
and `sandlab kpis` once before computing: the exchange never has to know about KPIs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sandlab.grading.exchange.store import ExchangeStore
from sandlab.hub.state import exchange_dir
from sandlab.kpis.store import KpiStore


def ingest_exchange(kpis: KpiStore, exchange: ExchangeStore, cohorts: Iterable[str]) -> None:
    for cohort in cohorts:
        for release in exchange.releases(cohort):
            kpis.put_release(cohort, release.lab, release.language, release.released_at)
        kpis.put_submissions([(cohort, record.user, record.lab, record.id, record.timestamp)
                              for record in exchange.submissions(cohort)])


def ingest_state(kpis: KpiStore, state: Path, cohorts: Iterable[str]) -> None:
    """The same, from the hub's state folder (an exchange that never stored anything has no folder)."""
    if exchange_dir(state).is_dir():
        ingest_exchange(kpis, ExchangeStore(exchange_dir(state)), cohorts)
