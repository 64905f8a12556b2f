"""The KPI service's API, attacked with the tokens of a stand-in hub; who sees what on the dashboard;
untrusted survey text escaped on every page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tornado.httpserver import HTTPServer

from sandlab.cohort import Cohort, LearnerPlan, Member
from sandlab.hub.state import AppliedCohort
from sandlab.kpis import pages
from sandlab.kpis.compute import cohort_kpis, learner_progress
from sandlab.kpis.i18n import WORDS
from sandlab.kpis.service import make_app, viewer_of
from sandlab.kpis.store import ActivityMinute, CohortFacts, KpiStore, LabFacts, PlannedLab
from sandlab.kpis.survey import SurveyAnswer
from tests.grading.test_exchange_service import identify_by_test_token
from tests.webapp import serve_app

PREFIX = "/services/kpis/"
LABS = ["l01-what-ai-is", "l02-data-quality"]


def cohorts() -> list[AppliedCohort]:
    cohort = Cohort(name="demo", title="Demo", pack=Path("pack"), members=[
        Member(name="alice", persona="business"), Member(name="bruno", persona="technical", language="en"),
        Member(name="tess", role="trainer")])
    other = Cohort(name="wave2", title="Wave 2", pack=Path("pack"), members=[
        Member(name="ghost", persona="business"), Member(name="ida", role="admin")])
    return [AppliedCohort(cohort=cohort, pack_volume="p", learners={
        "alice": LearnerPlan(language="fr", labs=LABS), "bruno": LearnerPlan(language="en", labs=LABS[:1])}),
        AppliedCohort(cohort=other, pack_volume="p", learners={"ghost": LearnerPlan(language="fr", labs=LABS)})]


@pytest.fixture
def kpis(tmp_path) -> KpiStore:
    return KpiStore(tmp_path / "kpis.sqlite")


@pytest.fixture
def url(kpis) -> Iterator[str]:
    with serve_app(HTTPServer(make_app(kpis, cohorts, identify_by_test_token, PREFIX))) as base:
        yield f"{base}{PREFIX}"


def call(method: str, url: str, token: str | None = "alice-token", **kwargs) -> httpx.Response:
    headers = {"Authorization": f"token {token}"} if token else {}
    return httpx.request(method, url, headers=headers, timeout=10, **kwargs)


def now_minute() -> int:
    return int(time.time() // 60)


def test_kernel_activity_is_recorded_for_the_token_owner_only(url, kpis):
    minute = now_minute()
    body = {"minutes": [{"lab": "l01-what-ai-is", "minute": minute, "executions": 3}]}
    assert call("POST", url + "api/activity", json=body).status_code == 204
    assert call("POST", url + "api/activity", json=body).status_code == 204  # the same minute adds up
    with kpis.connect() as db:
        rows = db.execute("SELECT cohort, user, lab, minute, source, executions FROM activity").fetchall()
    assert rows == [("demo", "alice", "l01-what-ai-is", minute, "kernel", 6)]


@pytest.mark.parametrize(("token", "status"), [(None, 403), ("forged", 403), ("tess-token", 403)])
def test_no_token_a_forged_one_or_a_trainer_cannot_record(url, token, status):
    body = {"minutes": [{"lab": "l01-what-ai-is", "minute": now_minute(), "executions": 1}]}
    assert call("POST", url + "api/activity", token=token, json=body).status_code == status


@pytest.mark.parametrize("entry", [
    {"lab": "l03-bias-fairness", "minute": 0, "executions": 1},  # not in the plan
    {"lab": "l02-data-quality", "minute": 0, "executions": 1},  # bruno's plan has l01 only
    {"lab": "l01-what-ai-is", "minute": 1, "executions": 1},  # 1970
    {"lab": "l01-what-ai-is", "minute": "now", "executions": 1},
    {"lab": "l01-what-ai-is", "minute": 0, "executions": -5},
    {"lab": "l01-what-ai-is", "minute": 0, "executions": 1, "user": "alice"},  # cannot name someone
])
def test_a_malformed_or_foreign_report_is_refused_and_nothing_is_stored(url, kpis, entry):
    entry = {**entry, "minute": now_minute() if entry["minute"] == 0 else entry["minute"]}
    answer = call("POST", url + "api/activity", token="bruno-token", json={"minutes": [entry]})
    assert answer.status_code == 400 and answer.json()["error"]
    with kpis.connect() as db:
        assert db.execute("SELECT count(*) FROM activity").fetchone() == (0,)


def test_a_flood_of_minutes_is_refused(url):
    body = {"minutes": [{"lab": "l01-what-ai-is", "minute": now_minute(), "executions": 1}] * 501}
    assert call("POST", url + "api/activity", json=body).status_code == 400


def test_a_survey_is_answered_once_per_lab_and_can_be_changed(url, kpis):
    assert call("GET", url + "api/surveys/l01-what-ai-is").status_code == 404
    first = {"clarity": 4, "usefulness": 5, "comment": "Très clair", "idea": "Trier les tickets",
             "minutes_saved_per_week": 90, "language": "fr"}
    assert call("PUT", url + "api/surveys/l01-what-ai-is", json=first).json() == {"saved": True}
    assert call("PUT", url + "api/surveys/l01-what-ai-is", json={**first, "clarity": 2}).status_code == 200
    answer = call("GET", url + "api/surveys/l01-what-ai-is").json()
    assert answer["clarity"] == 2 and answer["idea"] == "Trier les tickets"
    with kpis.connect() as db:
        assert db.execute("SELECT count(*) FROM surveys").fetchone() == (1,)
    assert call("GET", url + "api/surveys/l01-what-ai-is", token="bruno-token").status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"clarity": 6, "usefulness": 3}, "clarity"),
    ({"clarity": 3}, "usefulness"),
    ({"clarity": 3, "usefulness": 3, "comment": "x" * 1001}, "comment"),
    ({"clarity": 3, "usefulness": 3, "minutes_saved_per_week": -1}, "minutes_saved_per_week"),
    ({"clarity": 3, "usefulness": 3, "user": "bruno"}, "user"),
])
def test_a_malformed_survey_is_refused_naming_the_field(url, body, field):
    answer = call("PUT", url + "api/surveys/l01-what-ai-is", json=body)
    assert answer.status_code == 400 and answer.json()["error"].startswith(field)


def test_a_survey_for_a_lab_outside_the_plan_is_refused(url):
    body = {"clarity": 3, "usefulness": 3}
    assert call("PUT", url + "api/surveys/l09-hr-screening", json=body).status_code == 404


def test_control_characters_are_dropped_from_survey_text():
    answer = SurveyAnswer(lab="l01-what-ai-is", clarity=3, usefulness=3, comment="a\x1bb\u202ec\x00\nd\u200b")
    assert answer.comment == "abc\nd"


def test_who_sees_what():
    applied = cohorts()
    assert viewer_of(applied, "ida").may_see("demo") and viewer_of(applied, "ida").may_see("wave2")
    tess = viewer_of(applied, "tess")
    assert tess.may_see("demo") and not tess.may_see("wave2")
    alice = viewer_of(applied, "alice")
    assert alice.learns_in == "demo" and not alice.may_see("demo")
    assert viewer_of(applied, "stranger") is None
    assert viewer_of(applied, "stranger", hub_admin=True).may_see("wave2")


def attacked_store(kpis: KpiStore) -> None:
    """Five learners who answered with markup in their comments and ideas."""
    attack = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    users = [f"user{index}" for index in range(5)]
    kpis.put_cohort(CohortFacts("demo", "<i>Demo</i>"), [LabFacts("l01-what-ai-is", 1, "<b>Titre</b>", "Title")],
                    [PlannedLab("demo", user, "business", "l01-what-ai-is") for user in users])
    for index in range(5):
        user = f"user{index}"
        kpis.add_activity([ActivityMinute("demo", user, "l01-what-ai-is", now_minute() - index, "kernel", 1)])
        kpis.put_survey("demo", user, SurveyAnswer(lab="l01-what-ai-is", clarity=3, usefulness=4,
                                                   comment=attack, idea=attack, minutes_saved_per_week=30))


def test_markup_in_comments_and_ideas_is_shown_as_text_on_every_page(kpis):
    attacked_store(kpis)
    report = cohort_kpis(kpis, "demo")
    assert report["satisfaction"]["comments"], "five answers: the comments are shown"
    for language in ("fr", "en"):
        html = pages.cohort_page(report, language, "<b>tess</b>", others=["wave2"])
        for markup in ("<script>", "<img", "<b>tess", "<i>Demo", "<b>Titre"):
            assert markup not in html, markup
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    learner = pages.learner_page(learner_progress(kpis, "demo", "user0"), "fr", "user0")
    assert "<script>" not in learner


def test_every_word_of_the_dashboard_exists_in_french_and_english():
    for key, texts in WORDS.items():
        assert set(texts) == {"fr", "en"} and all(texts.values()), key


def test_a_figure_on_fewer_than_five_learners_reads_fewer_than_five():
    assert pages.figure_text({"value": None, "n": 3, "suppressed": True}, "pct", "en") == "fewer than 5"
    assert pages.figure_text({"value": None, "n": 3, "suppressed": True}, "pct", "fr") == "moins de 5"
    assert pages.figure_text({"value": 0.625, "n": 8, "suppressed": False}, "pct", "en") == "62 %"
    assert pages.figure_text({"value": 4.25, "n": 8, "suppressed": False}, "of5", "en") == "4.2 / 5"
