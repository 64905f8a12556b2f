"""Each KPI against figures worked out by hand from the fixture cohort (see conftest.py)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from sandlab.kpis.compute import UnknownCohort, cohort_kpis, compare, learner_progress, priority
from sandlab.kpis.store import CohortFacts, PlannedLab, ScoreRow
from sandlab.kpis.survey import SurveyAnswer
from tests.kpis.conftest import COHORT

approx = pytest.approx
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def value(fig):
    assert not fig["suppressed"], fig
    return fig["value"]


def hidden(fig, n):
    return fig == {"value": None, "n": n, "suppressed": True}


@pytest.fixture
def report(store):
    return cohort_kpis(store, COHORT, now=NOW)


def by(rows, key, wanted):
    return next(row for row in rows if row[key] == wanted)


def test_the_report_is_json_with_the_cohort_facts(report):
    assert json.loads(json.dumps(report)) == report
    assert {key: report[key] for key in ("cohort", "title", "computed_at", "opens", "ends", "learners")} == {
        "cohort": "c1", "title": "Cohort one", "computed_at": "2026-12-01T09:30:00+00:00", "opens": "2026-11-02",
        "ends": "2026-11-06", "learners": 7}
    assert list(report) == ["cohort", "title", "computed_at", "opens", "ends", "learners", "completion", "skills",
                            "satisfaction", "engagement", "after_training", "use_cases", "feedback_loop"]


def test_funnel_is_the_share_of_planned_learner_lab_pairs(report):
    funnel = report["completion"]["funnel"]
    # 18 planned pairs; released: l01 and l02 for all 7 (l03 never); started: 9 (s2 ran nothing);
    # submitted: 8 (b2's two l01 submissions count once); passed: l01 b1 b2 s1, l02 b1, l03 b1
    assert {stage: value(funnel[stage]) for stage in funnel} == approx(
        {"released": 14 / 18, "started": 9 / 18, "submitted": 8 / 18, "passed": 5 / 18})
    assert {fig["n"] for fig in funnel.values()} == {7}


def test_completion_by_lab_is_the_share_of_the_learners_planned_for_it(report):
    rows = report["completion"]["by_lab"]
    assert [row["lab"] for row in rows] == ["l01-a", "l02-b", "l03-c"]
    l01 = rows[0]
    assert l01["title"] == {"fr": "Un", "en": "One"} and l01["level"] == 1 and l01["planned"] == 7
    assert [value(l01[stage]) for stage in ("released", "started", "submitted", "passed")] == approx(
        [1, 6 / 7, 5 / 7, 3 / 7])
    assert [value(rows[1][stage]) for stage in ("released", "started", "submitted", "passed")] == approx(
        [1, 2 / 7, 2 / 7, 1 / 7])  # b2's 2/4 is below l02's pass mark of 0.6
    assert rows[2]["planned"] == 4 and hidden(rows[2]["passed"], 4)


def test_completion_by_persona(report):
    business, support = report["completion"]["by_persona"]
    assert business["persona"] == "business" and business["learners"] == 5
    # 14 business pairs: released 10, started b1 3 + b2 2 + b3 b4 b5 1, submitted 3 + 2 + 1 + 1, passed 3 + 1
    assert [value(business[stage]) for stage in ("released", "started", "submitted", "passed")] == approx(
        [10 / 14, 8 / 14, 7 / 14, 4 / 14])
    assert support["learners"] == 2 and hidden(support["started"], 2)


def test_completion_by_learner_counts_labs_and_active_minutes(report):
    rows = {row["user"]: row for row in report["completion"]["by_learner"]}
    assert list(rows) == ["b1", "b2", "b3", "b4", "b5", "s1", "s2"]  # never the trainer
    assert rows["b1"] == {"user": "b1", "persona": "business", "planned": 3, "released": 2, "started": 3,
                          "submitted": 3, "passed": 3, "active_minutes": 25}
    assert rows["s2"] == {"user": "s2", "persona": "support", "planned": 2, "released": 2, "started": 0,
                          "submitted": 0, "passed": 0, "active_minutes": 6}
    assert [rows[user]["active_minutes"] for user in rows] == [25, 26, 10, 6, 4, 3, 6]


def test_skills_by_task_mean_share_failure_rate_histogram(report):
    tasks = {(row["lab"], row["task"]): row for row in report["skills"]["by_task"]}
    t1 = tasks[("l01-a", "t1")]  # shares 1, .5, 0, 1, 1 (the trainer's 0 does not count)
    assert t1["max_score"] == 2 and t1["manual"] is False
    assert value(t1["mean_share"]) == approx(3.5 / 5) and t1["mean_share"]["n"] == 5
    assert value(t1["failure_rate"]) == approx(1 / 5)  # 0.5 is not below half: only b3 failed
    assert t1["histogram"] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 3]
    t3 = tasks[("l01-a", "t3")]  # 1, .5, 1, 0, 0
    assert value(t3["mean_share"]) == approx(0.5) and value(t3["failure_rate"]) == approx(2 / 5)
    assert t3["histogram"] == [2, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    m1 = tasks[("l01-a", "m1")]  # manual: b2 and b4 not graded yet, so 3 graded learners
    assert m1["manual"] is True and hidden(m1["mean_share"], 3) and m1["histogram"] is None


def test_a_manual_task_not_graded_yet_is_left_out(store):
    tasks = {(row["lab"], row["task"]): row for row in cohort_kpis(store, COHORT, min_cell=1)["skills"]["by_task"]}
    m1 = tasks[("l01-a", "m1")]  # b1 4/5, b3 2/5, s1 5/5
    assert m1["mean_share"]["n"] == 3 and m1["mean_share"]["value"] == approx((0.8 + 0.4 + 1) / 3)
    assert m1["failure_rate"]["value"] == approx(1 / 3)
    assert m1["histogram"] == [0, 0, 0, 0, 1, 0, 0, 0, 1, 1]


def test_skills_overall_mean_share(report):
    # per learner, graded points / graded maximum over every lab: b1 14/17, b2 4.5/9, b3 4/10, b4 2/5, s1 9/10
    assert value(report["skills"]["mean_share"]) == approx((14 / 17 + 0.5 + 0.4 + 0.4 + 0.9) / 5)
    assert report["skills"]["mean_share"]["n"] == 5


def test_skills_by_objective_mean_share_and_acquired(report):
    rows = report["skills"]["by_objective"]
    assert [(row["lab"], row["objective"]["en"], sorted(row["tasks"])) for row in rows] == [
        ("l01-a", "Understand", ["t1", "t2"]), ("l01-a", "Apply", ["m1", "t3"]), ("l02-b", "Measure", ["t1"]),
        ("l03-c", "Build", ["t1"])]
    understand, apply, measure, build = rows
    # t1 + t2 out of 4: b1 1, b2 .5, b3 .25, b4 .5, s1 1 -> acquired (>= .5) by 4 of 5
    assert value(understand["mean_share"]) == approx(3.25 / 5) and value(understand["acquired"]) == approx(4 / 5)
    # t3 + m1 (graded only): b1 5/6, b2 .5/1, b3 3/6, b4 0/1, s1 5/6
    assert value(apply["mean_share"]) == approx((5 / 6 + 0.5 + 0.5 + 0 + 5 / 6) / 5)
    assert value(apply["acquired"]) == approx(4 / 5)
    assert hidden(measure["acquired"], 2) and hidden(build["mean_share"], 1)


def test_satisfaction_means_counts_and_comments(report):
    satisfaction = report["satisfaction"]
    # 7 answers from 6 learners (b1 answered twice; the trainer's answer does not count)
    assert value(satisfaction["clarity"]) == approx(24 / 7) and value(satisfaction["usefulness"]) == approx(23 / 7)
    assert satisfaction["clarity"]["n"] == 6 and satisfaction["answers"] == 7
    l01, l02, l03 = satisfaction["by_lab"]
    assert l01["lab"] == "l01-a" and l01["answers"] == 5
    assert value(l01["clarity"]) == approx(4.0) and value(l01["usefulness"]) == approx(3.6)
    assert l02["answers"] == 2 and hidden(l02["clarity"], 2)
    assert l03 == {"lab": "l03-c", "clarity": {"value": None, "n": 0, "suppressed": False},
                   "usefulness": {"value": None, "n": 0, "suppressed": False}, "answers": 0}
    assert satisfaction["comments"] == [{"lab": "l02-b", "text": "Confus"}, {"lab": "l01-a", "text": "Parfait"},
                                        {"lab": "l01-a", "text": "Utile"}, {"lab": "l01-a", "text": "Trop long"},
                                        {"lab": "l01-a", "text": "Très clair"}]


def test_engagement_means_per_learner(report):
    engagement = report["engagement"]
    # minutes 25+26+10+6+4+3+6, sessions 4+2+1+2+2+1+2, days 3+2+1+1+2+2+2, over the 7 learners
    assert value(engagement["active_minutes"]) == approx(80 / 7)
    assert value(engagement["sessions"]) == approx(14 / 7)
    assert value(engagement["days_active"]) == approx(13 / 7)
    assert engagement["active_minutes"]["n"] == 7


def test_engagement_by_lab_counts_kernel_minutes_only(report):
    l01, l02, l03 = report["engagement"]["by_lab"]
    # l01 kernel minutes: b1 10 + 2, b2 20, b3 10, b4 6, b5 3, s1 3, s2 5; executions b1 20 + 2, b4 6 x 3, s2 0
    assert value(l01["active_minutes"]) == approx(59 / 7) and value(l01["executions"]) == approx(76 / 7)
    assert value(l02["active_minutes"]) == approx(10 / 7) and value(l02["executions"]) == approx(10 / 7)
    assert hidden(l03["active_minutes"], 4)


def test_engagement_by_day(store):
    days = cohort_kpis(store, COHORT, min_cell=1)["engagement"]["by_day"]
    assert [(d["day"], d["active_learners"]["value"], d["minutes"]) for d in days] == [
        ("2026-11-02", 2, 40), ("2026-11-03", 3, 24), ("2026-11-04", 3, 5), ("2026-11-05", 2, 7),
        ("2026-11-06", 1, 1), ("2026-11-07", 1, 2), ("2026-11-08", 1, 1)]


def test_by_day_hides_days_with_few_active_learners(report):
    assert all(d["active_learners"]["suppressed"] for d in report["engagement"]["by_day"])


def test_after_training_counts_the_days_after_ends(report):
    after = report["after_training"]
    # from 2026-11-07: b1 (2 kernel minutes on l01) and b5 (1 hub minute); s2's minute on 11-06 is not after
    assert after["ends"] == "2026-11-06"
    assert value(after["returning_learners"]) == approx(2 / 7)
    assert value(after["labs_rerun"]) == approx(1 / 7)
    assert value(after["active_minutes"]) == approx(3 / 7)


def test_after_training_without_an_end_date(store):
    store.put_cohort(CohortFacts("open", "No end", "2026-11-02", None), [],
                     [PlannedLab("open", "ana", "business", "l01-a")])
    after = cohort_kpis(store, "open")["after_training"]
    nothing = {"value": None, "n": 0, "suppressed": False}
    assert after == {"ends": None, "returning_learners": nothing, "labs_rerun": nothing,
                     "active_minutes": nothing, "assistant_requests": nothing}


def test_assistant_requests_per_learner_during_and_after_the_training(store):
    day = 86400
    nov3, nov7 = datetime(2026, 11, 3, 10, tzinfo=UTC).timestamp(), datetime(2026, 11, 7, 9, tzinfo=UTC).timestamp()
    for user, at in [("b1", nov3), ("b1", nov3 + 60), ("s1", nov3 + day), ("b1", nov7), ("s2", nov7 + day)]:
        store.add_assistant_use(COHORT, user, at, tokens=120)
    store.add_assistant_use(COHORT, "stranger", nov3, tokens=50)  # not a learner of the cohort: not counted
    store.add_assistant_use("other", "b1", nov3, tokens=50)  # another cohort's use
    report = cohort_kpis(store, COHORT, now=NOW)
    assert value(report["engagement"]["assistant_requests"]) == approx(5 / 7)
    assert value(report["after_training"]["assistant_requests"]) == approx(2 / 7)  # from 2026-11-07
    with store.connect() as db:
        assert db.execute("SELECT requests, tokens FROM assistant WHERE user = 'b1' AND day = ?",
                          (int(nov3) // day,)).fetchone() == (2, 240)


def test_use_cases(report):
    use_cases = report["use_cases"]
    # non-empty ideas: b1 60, b2 30, b3 (no minutes), s1 120, s2 15
    assert value(use_cases["count"]) == 5 and value(use_cases["minutes_saved_per_week"]) == 225
    business, support = use_cases["by_persona"]
    assert business["persona"] == "business" and hidden(business["count"], 3)
    assert support["persona"] == "support" and hidden(support["minutes_saved_per_week"], 2)
    # 3 business and 2 support authors: too few to name an idea's persona
    assert [(i["lab"], i["persona"], i["text"], i["minutes_saved_per_week"]) for i in use_cases["ideas"]] == [
        ("l02-b", "", "Traduire", 15), ("l01-a", "", "Répondre aux clients", 120),
        ("l01-a", "", "Classer les e-mails", None), ("l01-a", "", "Résumer les comptes rendus", 30),
        ("l01-a", "", "Trier les tickets", 60)]


def test_an_idea_names_its_persona_only_among_enough_authors(store):
    ideas = cohort_kpis(store, COHORT, min_cell=3)["use_cases"]["ideas"]
    assert {idea["persona"] for idea in ideas} == {"business", ""}  # 3 business authors, 2 support


def test_use_cases_by_persona_below_the_cell(store):
    business, support = cohort_kpis(store, COHORT, min_cell=2)["use_cases"]["by_persona"]
    assert business["count"]["value"] == 3 and business["minutes_saved_per_week"]["value"] == 90
    assert support["count"]["value"] == 2 and support["minutes_saved_per_week"]["value"] == 135


def test_ideas_are_hidden_when_fewer_than_five_learners_gave_one(store):
    store.put_survey(COHORT, "b3", SurveyAnswer(lab="l01-a", clarity=2, usefulness=3), "2026-11-03T09:00:00+00:00")
    use_cases = cohort_kpis(store, COHORT)["use_cases"]
    assert hidden(use_cases["count"], 4) and use_cases["ideas"] == []


def test_feedback_loop_ranks_labs_and_tasks_worst_first(report):
    labs = report["feedback_loop"]["labs"]
    # l01: 2 of 5 graded failed; satisfaction mean of (clarity + usefulness) / 2 = (4.5 + 3 + 2.5 + 4 + 5) / 5
    l01 = labs[0]
    assert l01["lab"] == "l01-a" and l01["title"] == {"fr": "Un", "en": "One"}
    assert value(l01["failure_rate"]) == approx(0.4) and value(l01["satisfaction"]) == approx(3.8)
    assert l01["priority"] == approx(0.4 + (5 - 3.8) / 4)
    assert [row["lab"] for row in labs] == ["l01-a", "l02-b", "l03-c"]
    assert labs[1]["priority"] is None and hidden(labs[1]["failure_rate"], 2)
    tasks = report["feedback_loop"]["tasks"]
    assert [(t["lab"], t["task"]) for t in tasks[:3]] == [("l01-a", "t3"), ("l01-a", "t1"), ("l01-a", "t2")]
    assert all(t["failure_rate"]["value"] is None for t in tasks[3:]) and len(tasks) == 7


def test_feedback_loop_order_with_every_figure_shown(store):
    labs = cohort_kpis(store, COHORT, min_cell=1)["feedback_loop"]["labs"]
    # l02: 1 of 2 failed, satisfaction (3 + 1.5) / 2; l03: nobody failed, no answer: priority 0
    assert [(row["lab"], row["priority"]) for row in labs] == [
        ("l02-b", approx(0.5 + (5 - 2.25) / 4)), ("l01-a", approx(0.7)), ("l03-c", 0)]


def test_priority_formula():
    assert priority(0.5, 3.0) == 1.0
    assert priority(None, 1.0) == 1.0 and priority(0.25, None) == 0.25
    assert priority(None, None) is None


def test_an_unknown_cohort_names_the_fix(store):
    with pytest.raises(UnknownCohort, match="sandlab hub apply"):
        cohort_kpis(store, "nope")


def test_the_report_leaves_no_temporary_table_behind(store):
    cohort_kpis(store, COHORT)
    assert cohort_kpis(store, COHORT, now=NOW) == cohort_kpis(store, COHORT, now=NOW)


# -- the smallest-cell rule ------------------------------------------------------------------------


def small_cohort(store, learners: int) -> dict:
    name = f"small{learners}"
    users = [f"u{i}" for i in range(learners)]
    store.put_cohort(CohortFacts(name, "Small", None, None), [],
                     [PlannedLab(name, user, "support", "l01-a") for user in users])
    for user in users:
        store.put_survey(name, user, SurveyAnswer(lab="l01-a", clarity=4, usefulness=4, comment=f"from {user}"))
    return cohort_kpis(store, name)


def test_a_figure_on_four_learners_is_suppressed_on_five_shown(store):
    four, five = small_cohort(store, 4), small_cohort(store, 5)
    assert hidden(four["completion"]["funnel"]["released"], 4) and hidden(four["satisfaction"]["clarity"], 4)
    assert five["completion"]["funnel"]["released"] == {"value": 0.0, "n": 5, "suppressed": False}
    assert five["satisfaction"]["clarity"] == {"value": 4.0, "n": 5, "suppressed": False}


def test_comments_are_hidden_below_five_answering_learners(store):
    assert small_cohort(store, 4)["satisfaction"]["comments"] == []
    assert len(small_cohort(store, 5)["satisfaction"]["comments"]) == 5


# -- a learner's own page --------------------------------------------------------------------------


def test_learner_progress_states_scores_and_next_lab(store):
    progress = learner_progress(store, COHORT, "b2")
    assert progress["user"] == "b2" and progress["cohort"] == COHORT
    assert progress["labs"] == [
        {"lab": "l01-a", "title": {"fr": "Un", "en": "One"}, "level": 1, "state": "passed", "score": 2.5,
         "max_score": 10, "surveyed": True},
        {"lab": "l02-b", "title": {"fr": "Deux", "en": "Two"}, "level": 1, "state": "submitted", "score": 2,
         "max_score": 6, "surveyed": False},
        {"lab": "l03-c", "title": {"fr": "Trois", "en": "Three"}, "level": 2, "state": "planned", "score": None,
         "max_score": None, "surveyed": False}]
    assert [(s["lab"], s["objective"]["en"], s["share"]) for s in progress["skills"]] == [
        ("l01-a", "Understand", 0.5), ("l01-a", "Apply", 0.5), ("l02-b", "Measure", 0.5), ("l03-c", "Build", None)]
    assert progress["next"] == "l02-b"  # graded, not passed: the one to do again


def test_learner_progress_of_a_learner_who_has_not_started(store):
    progress = learner_progress(store, COHORT, "s2")
    assert [(row["lab"], row["state"], row["score"]) for row in progress["labs"]] == [
        ("l01-a", "released", None), ("l02-b", "released", None)]
    assert progress["next"] == "l01-a"
    assert [s["share"] for s in progress["skills"]] == [None, None, None]


def test_learner_progress_planned_started_and_done(store):
    b4 = learner_progress(store, COHORT, "b4")
    assert [(row["lab"], row["state"]) for row in b4["labs"]] == [
        ("l01-a", "submitted"), ("l02-b", "released"), ("l03-c", "planned")]
    assert b4["next"] == "l02-b"
    b1 = learner_progress(store, COHORT, "b1")
    assert [row["state"] for row in b1["labs"]] == ["passed", "passed", "passed"] and b1["next"] is None
    assert learner_progress(store, COHORT, "nobody") == {"user": "nobody", "cohort": COHORT, "labs": [],
                                                         "skills": [], "next": None}


# -- two cohorts -----------------------------------------------------------------------------------


def test_compare_sets_every_headline_figure_side_by_side(store, report):
    other = small_cohort(store, 5)
    rows = {row["kpi"]: row for row in compare(report, other)}
    assert list(rows) == [
        "completion.funnel.released", "completion.funnel.started", "completion.funnel.submitted",
        "completion.funnel.passed", "skills.mean_share", "satisfaction.clarity", "satisfaction.usefulness",
        "engagement.active_minutes", "engagement.sessions", "engagement.days_active", "engagement.assistant_requests",
        "after_training.returning_learners", "after_training.labs_rerun", "after_training.active_minutes",
        "after_training.assistant_requests",
        "use_cases.count", "use_cases.minutes_saved_per_week"]
    released = rows["completion.funnel.released"]
    assert released == {"kpi": "completion.funnel.released", "a": approx(14 / 18), "b": 0.0, "a_n": 7, "b_n": 5,
                        "difference": approx(-14 / 18)}
    assert rows["satisfaction.clarity"]["difference"] == approx(4 - 24 / 7)
    assert rows["after_training.returning_learners"]["b"] is None  # no end date
    assert rows["after_training.returning_learners"]["difference"] is None


def test_a_report_neither_waits_for_a_writer_nor_makes_one_wait(store):
    started = time.monotonic()
    with store.transaction() as db:  # a writer holds the database (the KPI service recording a minute)
        report = cohort_kpis(store, COHORT)
        db.execute("INSERT INTO exports VALUES ('now', 'it', 'c1', 'test')")
    assert report["learners"] == 7 and time.monotonic() - started < 5


def test_a_lab_missing_from_the_labs_table_is_named_by_its_id(store):
    store.put_cohort(CohortFacts("bare", "Bare", None, None), [],
                     [PlannedLab("bare", f"u{i}", "business", "l99-own") for i in range(5)])
    store.replace_scores("bare", [ScoreRow("bare", f"u{i}", "l99-own", "t1", i / 2, 2, False) for i in range(5)])
    report = cohort_kpis(store, "bare")
    lab = report["completion"]["by_lab"][0]
    assert (lab["lab"], lab["title"], lab["level"]) == ("l99-own", {"fr": "l99-own", "en": "l99-own"}, 0)
    assert value(lab["passed"]) == approx(3 / 5)  # 0, .5, 1, 1.5, 2 of 2 points: 3 reach the default mark, 0.5
