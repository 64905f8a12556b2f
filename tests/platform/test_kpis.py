"""The training's KPIs on the real platform: a learner's kernel and survey reach the KPI service,
`sandlab kpis` reports them, and the dashboard shows each person what is theirs, in chromium,
with nothing fetched from outside the platform."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.hub.platform import run_on_state
from tests.platform.browser import login, server_page
from tests.platform.client import Kernel

LAB = "l01-what-ai-is"
DOCS = Path(__file__).parents[2] / "docs"


def dashboard(platform, path: str = "") -> str:
    return f"http://kpis--service.localhost:{platform.instance.port}/services/kpis/{path}"


def kpis(platform, cohort: str) -> dict:
    result = CliRunner().invoke(app, ["kpis", str(platform.cohort_file(cohort)), "--instance",
                                      platform.instance.name, "--json", "--named", "--reason", "test"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def learner_row(report: dict, user: str) -> dict:
    return next(row for row in report["completion"]["by_learner"] if row["user"] == user)


def test_a_learner_s_kernel_and_survey_are_recorded_and_reported(platform):
    cy = platform.login("cy")
    cy.start_server()
    for folder in ("labs", f"labs/{LAB}"):
        assert cy.server("PUT", f"api/contents/{folder}", json={"type": "directory"}).status_code in (200, 201)
    started = cy.server("POST", "api/sessions", json={"path": f"labs/{LAB}/practice.ipynb", "type": "notebook",
                                                      "name": "practice.ipynb", "kernel": {"name": "python3"}})
    assert started.status_code == 201, started.text
    session = started.json()
    kernel = Kernel(cy, session["kernel"]["id"])
    try:
        for code in ("x = 1", "y = x + 1", "print(y)"):
            assert kernel.execute(code).error is None
        survey = kernel.execute(
            "import json, os, urllib.request\n"
            "body = json.dumps({'clarity': 4, 'usefulness': 5, 'comment': 'clair', 'idea': 'trier les tickets',"
            " 'minutes_saved_per_week': 45, 'language': 'fr'}).encode()\n"
            f"request = urllib.request.Request(os.environ['SANDLAB_KPIS_URL'] + 'api/surveys/{LAB}', data=body,"
            " method='PUT', headers={'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN'],"
            " 'Content-Type': 'application/json'})\n"
            "print(json.dumps({'status': urllib.request.urlopen(request, timeout=10).status}))")
        assert survey.error is None and survey.json() == {"status": 200}, survey.stderr
    finally:
        kernel.close()
    # the kernel reports its last minutes when it stops
    assert cy.server("DELETE", f"api/sessions/{session['id']}").status_code == 204
    deadline = time.monotonic() + 90
    while True:
        report = kpis(platform, "alpha")
        row = learner_row(report, "cy")
        if row["started"] >= 1 or time.monotonic() > deadline:
            break
        time.sleep(5)
    assert row["started"] == 1 and row["planned"] == 1, row
    assert report["satisfaction"]["answers"] >= 1
    assert report["learners"] == 3
    # three learners: every figure is behind the smallest-cell rule
    assert report["completion"]["funnel"]["started"]["suppressed"]


def test_the_hub_s_record_of_an_active_server_becomes_activity(platform):
    """The KPI service asks the hub every minute which servers were active (cy's ran above)."""
    query = ("import sqlite3; print(sqlite3.connect('/srv/sandlab/state/kpis/kpis.sqlite').execute("
             "\"SELECT count(*) FROM activity WHERE user = 'cy' AND source = 'hub' AND lab = ''\").fetchone()[0])")
    deadline = time.monotonic() + 150
    while True:
        done = run_on_state(platform.instance, "python", "-c", query)
        assert done.returncode == 0, done.stderr
        if int(done.stdout) >= 1 or time.monotonic() > deadline:
            break
        time.sleep(10)
    assert int(done.stdout) >= 1


def test_another_learner_cannot_record_in_cy_s_name(platform):
    ben = platform.login("ben")
    found = ben.run(
        "import json, os, time, urllib.request, urllib.error\n"
        "body = json.dumps({'minutes': [{'lab': 'l01-what-ai-is', 'minute': int(time.time() // 60), "
        "'executions': 1, 'user': 'cy'}]}).encode()\n"
        "request = urllib.request.Request(os.environ['SANDLAB_KPIS_URL'] + 'api/activity', data=body, method='POST',"
        " headers={'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN']})\n"
        "try:\n    status = urllib.request.urlopen(request, timeout=10).status\n"
        "except urllib.error.HTTPError as error:\n    status = error.code\n"
        "print(json.dumps({'status': status}))")
    assert found == {"status": 400}  # ben's plan lacks l01 and no one can name another learner


@pytest.fixture(scope="module")
def recorded(platform):
    """Cohort beta gets the demo's recorded history (24 synthetic learners) for charts to show."""
    done = run_on_state(platform.instance, "python", "-m", "sandlab.kpis.seed", "beta")
    assert done.returncode == 0, done.stderr
    return done.stdout


def watched(page) -> list[str]:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    return requests


def only_this_platform(requests: list[str], port: int) -> None:
    outside = [url for url in requests if not (urlparse(url).hostname or "").endswith("localhost")
               or urlparse(url).port != port]
    assert not outside, outside


def test_a_trainer_sees_their_cohort_s_charts_and_not_another_s(platform, browser, recorded):
    page = browser.new_page(viewport={"width": 1280, "height": 2400})
    requests = watched(page)
    try:
        login(page, platform, "tara")
        page.goto(dashboard(platform, "?lang=en"))
        body = page.inner_text("body")
        assert "Test cohort beta" in body and "Test cohort alpha" not in body
        page.goto(dashboard(platform, "cohorts/beta?lang=en"))
        for heading in ("Completion", "Skills", "Satisfaction", "Engagement", "After the training",
                        "Use cases proposed", "Fix first"):
            assert page.locator("h2", has_text=heading).count() == 1, heading
        assert page.locator("svg").count() >= 5
        funnel = page.locator("#completion svg").first.text_content()
        assert "%" in funnel and "fewer than" not in funnel, funnel
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / "dashboard.png"), full_page=True)
        page.locator("#fix-first a").first.click()  # the lab that most needs fixing, wave by wave
        page.wait_for_url("**/services/kpis/labs/l*")
        waves = page.inner_text("#waves")
        assert "This lab, wave by wave" in waves and "beta" in waves and "catalogue" in waves, waves
        assert "alpha" not in waves and " failed" in waves and "%" in waves, waves  # her cohort's waves only
        assert page.locator("#waves svg").count() == 1
        page.set_viewport_size({"width": 1280, "height": 720})
        page.screenshot(path=str(DOCS / "lab-waves.png"), full_page=True)
        denied = page.goto(dashboard(platform, "cohorts/alpha?lang=en"))
        assert denied.status == 403 and "not yours" in page.inner_text("body")
        csv = page.goto(dashboard(platform, "cohorts/alpha.csv"))
        assert csv.status == 404
    finally:
        page.close()
    only_this_platform(requests, platform.instance.port)


def test_a_learner_sees_only_their_own_progress(platform, browser):
    page = browser.new_page()
    requests = watched(page)
    try:
        login(page, platform, "cy")
        page.goto(dashboard(platform, "?lang=fr"))
        page.wait_for_url("**/services/kpis/me*")
        body = page.inner_text("body")
        assert "Ma progression" in body and "Ce qu'est l'IA" in body and "Test cohort" not in body
        assert page.goto(dashboard(platform, "cohorts/alpha")).status == 403
        refused = page.goto(dashboard(platform, "labs/l01-what-ai-is"))
        assert refused.status == 403 and "Réservé aux formateurs" in page.inner_text("body")
    finally:
        page.close()
    only_this_platform(requests, platform.instance.port)


def test_an_anonymous_visitor_is_sent_to_the_hub_s_login(platform, browser):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(dashboard(platform, "cohorts/alpha"))
        assert "/hub/login" in page.url
        assert "Test cohort" not in page.inner_text("body")
    finally:
        context.close()


def test_a_learner_answers_the_end_of_lab_survey_in_jupyterlab(platform, browser):
    released = CliRunner().invoke(app, ["grading", "release", str(platform.cohort_file("alpha")), "--instance",
                                        platform.instance.name])
    assert released.exit_code == 0, released.output
    cy = platform.login("cy")
    cy.start_server()
    notebook = f"api/contents/labs/{LAB}/{LAB}.fr.ipynb"  # the course loop may have left cy's own work there
    assert cy.server("DELETE", notebook).status_code in (204, 404)
    fetched = cy.server("POST", "assignments/fetch", data={"course_id": "alpha", "assignment_id": LAB})
    assert fetched.status_code == 200 and fetched.json()["success"], fetched.text
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests = watched(page)
    try:
        login(page, platform, "cy")
        page.goto(server_page(platform, "cy", f"lab/tree/labs/{LAB}/{LAB}.fr.ipynb"))
        last = page.locator(".jp-Notebook .jp-Cell .cm-content", has_text="survey(").last
        last.wait_for(timeout=120_000)
        last.click()
        page.keyboard.press("Shift+Enter")
        form = page.locator(".widget-vbox", has_text="Votre avis sur ce lab").first
        form.wait_for(timeout=120_000)
        assert form.get_by_text("Vous avez déjà répondu").count()  # the first test's answer, prefilled
        ratings = form.locator(".widget-toggle-buttons")
        ratings.nth(0).locator("button", has_text="2").click()
        ratings.nth(1).locator("button", has_text="3").click()
        form.locator("textarea").first.fill("<b>Un peu long</b>")
        form.locator("button", has_text="Envoyer").click()
        form.get_by_text("Merci, votre réponse est enregistrée").wait_for(timeout=30_000)
    finally:
        page.close()
    only_this_platform(requests, platform.instance.port)
    stored = cy.run(
        "import json, os, urllib.request\n"
        f"request = urllib.request.Request(os.environ['SANDLAB_KPIS_URL'] + 'api/surveys/{LAB}',"
        " headers={'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN']})\n"
        "print(json.dumps(json.load(urllib.request.urlopen(request, timeout=10))))")
    assert (stored["clarity"], stored["usefulness"], stored["comment"]) == (2, 3, "<b>Un peu long</b>")
