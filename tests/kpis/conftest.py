"""A small cohort with known answers, written through KpiStore's own writers.

Cohort c1 (2026-11-02 to 2026-11-06), 7 learners: b1..b5 (business), s1, s2 (support).
Everyone has l01-a and l02-b; b1..b4 also have l03-c (a lab on 4 learners: suppressed).
Releases: l01-a (fr, en), l02-b (fr); l03-c never released. Trainer `tr` has activity, a
survey and scores but no plan: nothing of theirs may count. The expected figures in the tests
are worked out by hand from the comments below.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandlab.kpis.store import ActivityMinute, CohortFacts, KpiStore, LabFacts, Objective, PlannedLab, ScoreRow
from sandlab.kpis.survey import SurveyAnswer

COHORT = "c1"
DAY0 = int(datetime(2026, 11, 2, tzinfo=UTC).timestamp()) // 60  # 2026-11-02 00:00 UTC, in minutes
BUSINESS = ["b1", "b2", "b3", "b4", "b5"]
SUPPORT = ["s1", "s2"]

LABS = [
    LabFacts("l01-a", 1, "Un", "One", 0.5, (Objective("Comprendre", "Understand", ("t1", "t2")),
                                             Objective("Appliquer", "Apply", ("t3", "m1")))),
    LabFacts("l02-b", 1, "Deux", "Two", 0.6, (Objective("Mesurer", "Measure", ("t1",)),)),
    LabFacts("l03-c", 2, "Trois", "Three", 0.5, (Objective("Construire", "Build", ("t1",)),)),
]
MAX = {("l01-a", "t1"): 2, ("l01-a", "t2"): 2, ("l01-a", "t3"): 1, ("l01-a", "m1"): 5,
       ("l02-b", "t1"): 4, ("l02-b", "m1"): 2, ("l03-c", "t1"): 1}
MANUAL = {"m1"}
# autograded share per lab -> passed: l01 (>= .5): b1 5/5, b2 2.5/5, s1 4/5 pass; b3 2/5, b4 2/5 fail.
# l02 (>= .6): b1 3/4 pass, b2 2/4 fail. l03: b1 1/1 pass. None: a manual task not graded yet.
SCORES = {
    "b1": {("l01-a", "t1"): 2, ("l01-a", "t2"): 2, ("l01-a", "t3"): 1, ("l01-a", "m1"): 4,
           ("l02-b", "t1"): 3, ("l02-b", "m1"): 1, ("l03-c", "t1"): 1},
    "b2": {("l01-a", "t1"): 1, ("l01-a", "t2"): 1, ("l01-a", "t3"): 0.5, ("l01-a", "m1"): None,
           ("l02-b", "t1"): 2, ("l02-b", "m1"): None},
    "b3": {("l01-a", "t1"): 0, ("l01-a", "t2"): 1, ("l01-a", "t3"): 1, ("l01-a", "m1"): 2},
    "b4": {("l01-a", "t1"): 2, ("l01-a", "t2"): 0, ("l01-a", "t3"): 0, ("l01-a", "m1"): None},
    "s1": {("l01-a", "t1"): 2, ("l01-a", "t2"): 2, ("l01-a", "t3"): 0, ("l01-a", "m1"): 5},
    "tr": {("l01-a", "t1"): 0, ("l01-a", "t2"): 0, ("l01-a", "t3"): 0, ("l01-a", "m1"): 0},
}
SUBMITTED = {"b1": ["l01-a", "l02-b", "l03-c"], "b2": ["l01-a", "l01-a", "l02-b"], "b3": ["l01-a"],
             "b4": ["l01-a"], "s1": ["l01-a"], "tr": ["l01-a"]}
SURVEYS = [  # user, lab, clarity, usefulness, comment, idea, minutes saved, answered at (2026-11-..)
    ("b1", "l01-a", 5, 4, "Très clair", "Trier les tickets", 60, "02T12:00"),
    ("b1", "l02-b", 3, 3, "", "", None, "03T12:00"),
    ("b2", "l01-a", 4, 2, "Trop long", "Résumer les comptes rendus", 30, "02T13:00"),
    ("b3", "l01-a", 2, 3, "", "Classer les e-mails", None, "03T09:00"),
    ("b4", "l01-a", 4, 4, "Utile", "", None, "03T10:00"),
    ("s1", "l01-a", 5, 5, "Parfait", "Répondre aux clients", 120, "04T08:00"),
    ("s2", "l02-b", 1, 2, "Confus", "Traduire", 15, "04T09:00"),
    ("tr", "l01-a", 1, 1, "Je suis formateur", "Idée du formateur", 999, "05T09:00"),
]


def at(day: int, minute: int) -> int:
    return DAY0 + day * 1440 + minute


def kernel(user: str, lab: str, day: int, first: int, count: int, executions: int = 1) -> list[ActivityMinute]:
    return [ActivityMinute(COHORT, user, lab, at(day, first + i), "kernel", executions) for i in range(count)]


def hub(user: str, day: int, first: int, count: int) -> list[ActivityMinute]:
    return [ActivityMinute(COHORT, user, "", at(day, first + i), "hub") for i in range(count)]


# Distinct active minutes / sessions (gap > 30 min) / UTC days, per learner:
#   b1 25 / 4 / 3   day0 600-614 (l01 600-609 + hub 600-614), day1 l02 600-604 and l03 650-652 (gap 46),
#                   day5 l01 100-101 (after ends)
#   b2 26 / 2 / 2   day0 l01 600-619 and l02 640-644 (gap 21: one session), day2 hub 100
#   b3 10 / 1 / 1   day1 l01 700-709
#   b4  6 / 2 / 1   day1 l01 700-703 and 734-735 (gap 31: a second session)
#   b5  4 / 2 / 2   day2 l01 0-2, day6 hub 10 (after ends)
#   s1  3 / 1 / 2   day2 l01 1439 and day3 0-1 (one session over midnight)
#   s2  6 / 2 / 2   day3 l01 300-304 with no execution (active, not started), day4 hub 600 (the
#                   day the training ends: not after it)
ACTIVITY = [
    *kernel("b1", "l01-a", 0, 600, 10, executions=2), *hub("b1", 0, 600, 15),
    *kernel("b1", "l02-b", 1, 600, 5), *kernel("b1", "l03-c", 1, 650, 3), *kernel("b1", "l01-a", 5, 100, 2),
    *kernel("b2", "l01-a", 0, 600, 20), *kernel("b2", "l02-b", 0, 640, 5), *hub("b2", 2, 100, 1),
    *kernel("b3", "l01-a", 1, 700, 10),
    *kernel("b4", "l01-a", 1, 700, 4, executions=3), *kernel("b4", "l01-a", 1, 734, 2, executions=3),
    *kernel("b5", "l01-a", 2, 0, 3), *hub("b5", 6, 10, 1),
    *kernel("s1", "l01-a", 2, 1439, 1), *kernel("s1", "l01-a", 3, 0, 2),
    *kernel("s2", "l01-a", 3, 300, 5, executions=0), *hub("s2", 4, 600, 1),
    *kernel("tr", "l01-a", 0, 0, 500), *hub("tr", 8, 0, 100),
]


def plans() -> list[PlannedLab]:
    planned = [PlannedLab(COHORT, user, "business", lab) for user in BUSINESS for lab in ("l01-a", "l02-b")]
    planned += [PlannedLab(COHORT, user, "business", "l03-c") for user in BUSINESS[:4]]
    return planned + [PlannedLab(COHORT, user, "support", lab) for user in SUPPORT for lab in ("l01-a", "l02-b")]


def fill(store: KpiStore) -> None:
    store.put_cohort(CohortFacts(COHORT, "Cohort one", "2026-11-02", "2026-11-06"), LABS, plans())
    store.put_release(COHORT, "l01-a", "fr", "2026-11-01T08:00:00+00:00")
    store.put_release(COHORT, "l01-a", "en", "2026-11-01T08:00:00+00:00")
    store.put_release(COHORT, "l02-b", "fr", "2026-11-01T08:00:00+00:00")
    store.put_release("other", "l03-c", "fr", "2026-11-01T08:00:00+00:00")  # another cohort's release
    store.add_activity(ACTIVITY)
    for user, labs in SUBMITTED.items():
        for index, lab in enumerate(labs):
            store.put_submission(COHORT, user, lab, f"{user}-{lab}-{index}", f"2026-11-0{3 + index}T10:00:00+00:00")
    store.replace_scores(COHORT, [ScoreRow(COHORT, user, lab, task, score, MAX[(lab, task)], task in MANUAL)
                                  for user, scores in SCORES.items() for (lab, task), score in scores.items()])
    for user, lab, clarity, usefulness, comment, idea, saved, when in SURVEYS:
        store.put_survey(COHORT, user, SurveyAnswer(lab=lab, clarity=clarity, usefulness=usefulness, comment=comment,
                                                    idea=idea, minutes_saved_per_week=saved),
                         answered_at=f"2026-11-{when}:00+00:00")


@pytest.fixture
def store(tmp_path) -> KpiStore:
    made = KpiStore(tmp_path / "state" / "kpis" / "kpis.sqlite")
    fill(made)
    return made
