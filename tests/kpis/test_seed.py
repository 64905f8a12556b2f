"""The demo's recorded history: recorded once, its learners back after the cohort is applied again."""

from __future__ import annotations

from sandlab.kpis.seed import seed_cohort
from sandlab.kpis.store import CohortFacts, KpiStore, LabFacts, PlannedLab

LABS = [LabFacts(f"l0{n}-lab", 1, f"Lab {n}", f"Lab {n}") for n in range(1, 7)]


def apply(store: KpiStore) -> None:
    store.put_cohort(CohortFacts("demo", "Demo"), LABS, [PlannedLab("demo", "alice", "business", lab.lab)
                                                       for lab in LABS])


def counts(store: KpiStore) -> tuple[int, int, int]:
    with store.connect() as db:
        return (db.execute("SELECT COUNT(DISTINCT user) FROM plans").fetchone()[0],
                db.execute("SELECT TOTAL(executions) FROM activity").fetchone()[0],
                db.execute("SELECT COUNT(DISTINCT minute / 1440) FROM activity").fetchone()[0])


def test_the_history_is_recorded_once_and_its_learners_come_back_after_a_new_apply(tmp_path):
    store = KpiStore(tmp_path / "kpis.sqlite")
    apply(store)
    assert seed_cohort(store, "demo", learners=12) > 0
    learners, executions, days = counts(store)
    assert learners == 13 and executions > 0 and days >= 6  # spread over the training's two weeks
    with store.connect() as db:
        assert db.execute("SELECT COUNT(DISTINCT user), SUM(requests) FROM assistant").fetchone()[1] > 12
    apply(store)  # `sandlab demo` again: the plans are the cohort's own
    assert counts(store)[0] == 1
    assert seed_cohort(store, "demo", learners=12) == 0
    assert counts(store) == (learners, executions, days)
