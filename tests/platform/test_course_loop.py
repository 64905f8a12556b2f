"""Labs reach each learner through the exchange service, and work comes back, on the real platform:
release from IT's command line, fetch and submit through nbgrader's Assignments tab API."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.grading.cohort_grading import Desk
from sandlab.hub.platform import run_on_state, wait_ready
from sandlab.labs.paths import source_notebook, wrong_notebook
from tests.platform.browser import login, server_page

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
    found = platform.login("ben").run(
            "import base64, json, os, requests\n"
            "url = os.environ['SANDLAB_EXCHANGE_URL']\n"
            "mine = {'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN']}\n"
            "found = {'own': requests.get(url + 'api/submissions', headers=mine, timeout=10).json(),\n"
            "         'anonymous': requests.get(url + 'api/submissions', timeout=10).status_code,\n"
            f"         'other lab': requests.get(url + 'api/assignments/{LAB}', headers=mine,\n"
            "                                   timeout=10).status_code,\n"
            "         'traversal': requests.get(url + 'api/feedback/..%2F..%2Fana/x', headers=mine,\n"
            "                                   timeout=10).status_code}\n"
            "lab = url + 'api/submissions/l04-personal-data-gdpr'\n"
            "hello = {'files': {'l04-personal-data-gdpr.fr.ipynb': base64.b64encode(b'hello').decode()}}\n"
            "found['not a notebook'] = requests.post(lab, headers=mine, timeout=10, json=hello).status_code\n"
            "found['as ana'] = requests.post(url + 'api/submissions/ana/l04-personal-data-gdpr', headers=mine,\n"
            "                                json={'user': 'ana', 'files': {}}, timeout=10).status_code\n"
            "import http.client, urllib.parse\n"
            "where = urllib.parse.urlsplit(lab)\n"
            "big = http.client.HTTPConnection(where.hostname, where.port, timeout=30)\n"
            "big.putrequest('POST', where.path)\n"
            "big.putheader('Authorization', mine['Authorization'])\n"
            "big.putheader('Content-Type', 'application/json')\n"
            "big.putheader('Content-Length', str(200 * 2**20))\n"
            "big.endheaders()\n"
            "try:\n"
            "    for _ in range(64):\n"
            "        big.send(b'0' * 2**20)\n"
            "    found['200 MB'] = big.getresponse().status\n"
            "except OSError as error:\n"
            "    found['200 MB'] = 'refused: ' + type(error).__name__\n"
            "found['after'] = requests.get(url + 'api/submissions', headers=mine, timeout=10).json()\n"
            "print(json.dumps(found))")
    assert found["own"]["submissions"] == []  # ana's submission is not listed to ben
    assert found["anonymous"] in (401, 403)
    assert found["other lab"] == 404
    assert found["traversal"] in (400, 403, 404)
    assert found["not a notebook"] == 400
    assert found["as ana"] == 404  # no address names another learner
    assert found["200 MB"] == 413 or str(found["200 MB"]).startswith("refused"), found["200 MB"]
    assert found["after"]["submissions"] == []  # nothing of the refused requests was stored


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


def test_a_trainer_grades_a_written_answer_in_the_formgrader_and_the_gradebook_has_it(platform, browser, released):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        login(page, platform, "tom")
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        assert "Formgrader" in page.locator(".lm-Menu-content .lm-Menu-itemLabel").all_inner_texts()
        page.keyboard.press("Escape")
        page.goto(server_page(platform, "tom", f"formgrader/api/submitted_notebooks/{LAB}/{LAB}.fr"))
        [ana] = [item for item in json.loads(page.inner_text("body")) if item["student"] == "ana"]
        page.goto(server_page(platform, "tom", f"formgrader/submissions/{ana['id']}/?index=0"))
        score = page.locator("input.score#takeaway")
        score.wait_for(timeout=60_000)
        page.wait_for_load_state("networkidle")  # the formgrader binds its save handlers once its models load
        score.fill("1.5")
        with page.expect_response(lambda answer: "/formgrader/api/grade/" in answer.url
                                  and answer.request.method == "PUT", timeout=30_000) as saved:
            score.press("Tab")
        assert saved.value.ok
        page.screenshot(path=str(platform.cohorts["alpha"].pack.parent / "formgrader.png"))
    finally:
        page.close()
    rows = grading(platform, platform.cohort_file("alpha"), "gradebook")
    [takeaway] = [row for row in rows if row["user"] == "ana" and row["task"] == "takeaway"]
    assert takeaway["manual"] and takeaway["score"] == 1.5, takeaway
    # the trainer of another cohort, and the learners, have no formgrader and no course
    tara, ben = platform.login("tara"), platform.login("ben")
    tara.start_server()
    assert tara.server("GET", f"formgrader/api/submitted_notebooks/{LAB}/{LAB}.fr").status_code != 200 or \
        "ana" not in tara.server("GET", f"formgrader/api/submitted_notebooks/{LAB}/{LAB}.fr").text
    assert ben.server("GET", "formgrader/api/assignments").status_code == 404
    assert ben.server("GET", "api/contents/course").status_code == 404


def exchange_pids(hub) -> list[str]:
    found = hub.exec_run(["python", "-c", "import os\nfor p in filter(str.isdigit, os.listdir('/proc')):\n    try:\n"
                          "        line = open(f'/proc/{p}/cmdline', 'rb').read()\n"
                          "    except OSError:\n        continue\n"
                          "    if b'sandlab.grading.exchange.service' in line and p != str(os.getpid()):\n"
                          "        print(p)"])
    return found.output.decode().split()


def test_the_exchange_service_or_the_hub_restarting_loses_nothing(platform, released):
    ana = platform.login("ana")
    before = [a for a in assignments(ana, "alpha") if a["status"] == "submitted"]
    hub = platform.engine.containers.get(platform.instance.hub_container)
    [pid] = exchange_pids(hub)
    hub.exec_run(["python", "-c", f"import os, signal; os.kill({pid}, signal.SIGKILL)"])
    deadline = time.monotonic() + 60
    while exchange_pids(hub) in ([], [pid]) and time.monotonic() < deadline:
        time.sleep(1)
    assert exchange_pids(hub) not in ([], [pid]), "JupyterHub did not restart the exchange service"
    time.sleep(2)
    assert [a for a in assignments(ana, "alpha") if a["status"] == "submitted"] == before
    hub.restart(timeout=10)
    wait_ready(platform.instance)
    ana = platform.login("ana")
    after = [a for a in assignments(ana, "alpha") if a["status"] == "submitted"]
    assert after == before and len(after[0]["submissions"]) == 2
    assert after[0]["submissions"][-1]["has_exchange_feedback"]


def test_autograde_killed_midway_grades_the_rest_on_a_rerun_and_nothing_twice(platform, released):
    for name in ("ana", "cy"):
        assert action(platform.login(name), "submit", "alpha", LAB)["success"]
    cohort_file = platform.cohort_file("alpha")
    collected = grading(platform, cohort_file, "collect")["collected"]
    assert {row["user"] for row in collected if row["new"]} == {"ana", "cy"}
    desk = Desk(platform.instance, platform.cohorts["alpha"].image)
    running = subprocess.Popen([sys.executable, "-m", "sandlab.cli", "grading", "autograde", str(cohort_file),
                                "--instance", platform.instance.name, "--jobs", "1", "--batch", "1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while len(desk("pending", "alpha")["pending"]) == 2 and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        running.kill()
        running.wait()
        # the killed run's sandbox would stop at its deadline; the test removes what it orphaned
        for orphan in platform.engine.containers.list(
                all=True, filters={"label": f"sandlab.grading.owner={platform.instance.name}"}):
            orphan.remove(force=True)
    assert len(desk("pending", "alpha")["pending"]) == 1, "the first grading was not recorded before the kill"
    rerun = grading(platform, cohort_file, "autograde")
    assert len(rerun["graded"]) == 1 and not rerun["problems"], rerun
    assert desk("pending", "alpha")["pending"] == []
    rows = grading(platform, cohort_file, "gradebook")
    keys = [(row["user"], row["lab"], row["task"]) for row in rows]
    assert len(keys) == len(set(keys))
    assert {row["attempts"] for row in rows if row["user"] == "ana" and row["lab"] == LAB} == {3}
