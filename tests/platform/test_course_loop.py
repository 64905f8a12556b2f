"""Labs reach each learner through the exchange service, and work comes back, on the real platform:
release from IT's command line, fetch and submit through nbgrader's Assignments tab API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.hub.platform import run_on_state
from sandlab.labs.paths import source_notebook, wrong_notebook

LAB = "l01-what-ai-is"


def assignments(session, course: str) -> list[dict]:
    answer = session.server("GET", "assignments", params={"course_id": course})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["success"], found
    return found["value"]


def action(session, what: str, course: str, lab: str) -> dict:
    answer = session.server("POST", f"assignments/{what}", data={"course_id": course, "assignment_id": lab})
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture(scope="module")
def released(platform):
    result = CliRunner().invoke(app, ["grading", "release", str(platform.cohort_file("alpha")), "--instance",
                                      platform.instance.name, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output[result.output.index("["):])


def test_release_gives_each_persona_its_labs_in_its_language(released):
    assert {(row["lab"], row["language"]) for row in released} == {(LAB, "fr"), ("l04-personal-data-gdpr", "fr")}


def test_a_learner_fetches_the_student_version_and_submits(platform, released):
    ana = platform.login("ana")
    ana.start_server()
    listed = assignments(ana, "alpha")
    assert [(a["assignment_id"], a["status"]) for a in listed] == [(LAB, "released")]
    action(ana, "fetch", "alpha", LAB)
    notebook = ana.server("GET", f"api/contents/labs/{LAB}/{LAB}.fr.ipynb", params={"content": "1"})
    assert notebook.status_code == 200, notebook.text
    text = json.dumps(notebook.json()["content"])
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    assert [a["status"] for a in assignments(ana, "alpha") if a["assignment_id"] == LAB] == ["fetched"]
    submitted = action(ana, "submit", "alpha", LAB)
    assert submitted["success"], submitted
    history = [a for a in assignments(ana, "alpha") if a["status"] == "submitted"]
    assert len(history) == 1 and len(history[0]["submissions"]) == 1
    stored = run_on_state(platform.instance, "sh", "-c",
                          f"stat -c '%a %n' /srv/sandlab/state/exchange/alpha/submissions/ana/{LAB}/*/*.ipynb")
    assert stored.returncode == 0 and stored.stdout.startswith("444 "), stored.stdout + stored.stderr


def test_a_learner_sees_only_the_labs_of_their_persona(platform, released):
    ben = platform.login("ben")
    ben.start_server()
    assert [a["assignment_id"] for a in assignments(ben, "alpha")] == ["l04-personal-data-gdpr"]
    refused = action(ben, "fetch", "alpha", LAB)
    listing = ben.server("GET", "api/contents/labs").json()
    assert LAB not in json.dumps(listing), refused


def test_the_exchange_answers_a_learner_s_own_token_for_their_own_work_only(platform, released):
    ben = platform.login("ben")
    ben.start_server()
    kernel = ben.kernel()
    try:
        run = kernel.execute(
            "import json, os, requests\n"
            "url = os.environ['SANDLAB_EXCHANGE_URL']\n"
            "mine = {'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN']}\n"
            "found = {'own': requests.get(url + 'api/submissions', headers=mine, timeout=10).json(),\n"
            "         'anonymous': requests.get(url + 'api/submissions', timeout=10).status_code,\n"
            f"         'other lab': requests.get(url + 'api/assignments/{LAB}', headers=mine,\n"
            "                                   timeout=10).status_code,\n"
            "         'traversal': requests.get(url + 'api/feedback/..%2F..%2Fana/x', headers=mine,\n"
            "                                   timeout=10).status_code}\n"
            "print(json.dumps(found))")
    finally:
        kernel.close()
    assert run.error is None, run.error
    found = run.json()
    assert found["own"]["submissions"] == []  # ana's submission is not listed to ben
    assert found["anonymous"] in (401, 403)
    assert found["other lab"] == 404
    assert found["traversal"] in (400, 403, 404)


def put_notebook(session, path: str, notebook: Path) -> None:
    answer = session.server("PUT", f"api/contents/{path}",
                            json={"type": "notebook", "format": "json", "content": json.loads(notebook.read_text())})
    assert answer.status_code in (200, 201), answer.text


def grading(platform, cohort_file: Path, *command: str) -> object:
    result = CliRunner().invoke(app, ["grading", *command, str(cohort_file), "--instance", platform.instance.name,
                                      "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output[min(i for i in (result.output.find("["), result.output.find("{")) if i >= 0):])


def test_right_partly_right_and_blank_work_is_graded_and_each_learner_gets_only_their_feedback(platform, released):
    ana, ben, cy = platform.login("ana"), platform.login("ben"), platform.login("cy")
    notebook = f"labs/{LAB}/{LAB}.fr.ipynb"
    for session in (ana, ben, cy):
        session.start_server()
    action(cy, "fetch", "alpha", LAB)
    action(ben, "fetch", "alpha", "l04-personal-data-gdpr")
    put_notebook(ana, notebook, source_notebook(LAB, "fr"))      # right: the lab's own solution
    put_notebook(cy, notebook, wrong_notebook(LAB, "fr"))        # partly right: the plausible wrong answer
    for session, lab in ((ana, LAB), (cy, LAB), (ben, "l04-personal-data-gdpr")):
        assert action(session, "submit", "alpha", lab)["success"]
    cohort_file = platform.cohort_file("alpha")
    collected = grading(platform, cohort_file, "collect")["collected"]
    assert {(row["user"], row["lab"], row["attempts"]) for row in collected} == {
        ("ana", LAB, 2), ("cy", LAB, 1), ("ben", "l04-personal-data-gdpr", 1)}
    graded = grading(platform, cohort_file, "autograde")
    assert len(graded["graded"]) == 3 and not graded["problems"], graded
    assert grading(platform, cohort_file, "autograde")["graded"] == []  # nothing graded twice
    published = grading(platform, cohort_file, "feedback")
    assert len(published["published"]) == 3, published
    rows = grading(platform, cohort_file, "gradebook")
    totals = {}
    for row in rows:
        if row["task"] and not row["manual"]:
            score, maximum = totals.get(row["user"], (0, 0))
            totals[row["user"]] = (score + row["score"], maximum + row["max_score"])
    assert totals["ana"][0] == totals["ana"][1] > 0, totals
    assert 0 <= totals["cy"][0] < totals["ana"][0], totals
    assert totals["ben"][0] < totals["ben"][1], totals
    for session, lab in ((ana, LAB), (ben, "l04-personal-data-gdpr")):
        fetched = action(session, "fetch_feedback", "alpha", lab)
        assert fetched["success"], fetched
        pages = session.server("GET", f"api/contents/labs/{lab}/feedback").json()
        assert pages["content"], pages  # one folder per submission with feedback
    mine = ana.server("GET", "api/contents/labs").json()
    assert "l04-personal-data-gdpr" not in json.dumps(mine)  # ben's lab and feedback never reach ana
