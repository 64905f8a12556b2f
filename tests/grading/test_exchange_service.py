from __future__ import annotations

import base64
import http.client
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from sandlab.cohort import Cohort, LearnerPlan, Member
from sandlab.grading.exchange.service import MAX_BODY_BYTES, http_server, make_app
from sandlab.grading.exchange.store import ExchangeStore
from sandlab.hub.state import AppliedCohort
from tests.grading.test_exchange_store import notebook
from tests.webapp import serve_app

PREFIX = "/services/exchange/"
TOKENS = {"alice-token": "alice", "bruno-token": "bruno", "tess-token": "tess", "ghost-token": "ghost"}


def cohorts() -> list[AppliedCohort]:
    cohort = Cohort(name="demo", title="Demo", pack=Path("pack"), members=[
        Member(name="alice", persona="business"), Member(name="bruno", persona="technical", language="en"),
        Member(name="tess", role="trainer")])
    return [AppliedCohort(cohort=cohort, pack_volume="sandlab-pack-demo", learners={
        "alice": LearnerPlan(language="fr", labs=["l01-what-ai-is", "l02-data-quality", "l05-unreleased"]),
        "bruno": LearnerPlan(language="en", labs=["l01-what-ai-is", "l02-data-quality"])})]


def identify_by_test_token(handler) -> str | None:
    """Stands in for the hub: each test token belongs to one user."""
    header = handler.request.headers.get("Authorization", "")
    return TOKENS.get(header.removeprefix("token ")) if header.startswith("token ") else None


@contextmanager
def serving(store: ExchangeStore) -> Iterator[str]:
    """The real app and server on a loopback port; yields the base URL."""
    with serve_app(http_server(make_app(store, cohorts, identify_by_test_token, PREFIX))) as base:
        yield f"{base}{PREFIX}"


@pytest.fixture
def store(tmp_path) -> ExchangeStore:
    store = ExchangeStore(tmp_path / "exchange")
    store.put_release("demo", "l01-what-ai-is", "fr", {"l01.ipynb": notebook("bonjour")})
    store.put_release("demo", "l01-what-ai-is", "en", {"l01.ipynb": notebook("hello")})
    store.put_release("demo", "l02-data-quality", "fr", {"l02.ipynb": notebook("qualité")})
    store.put_release("demo", "l03-not-in-plans", "fr", {"l03.ipynb": notebook()})
    return store


@pytest.fixture
def url(store) -> Iterator[str]:
    with serving(store) as base:
        yield base


def call(url: str, method: str, path: str, token: str | None = "alice-token", **kwargs) -> requests.Response:
    headers = {"Authorization": f"token {token}"} if token else {}
    return requests.request(method, url + path, headers=headers, timeout=10, **kwargs)


def submit(url: str, lab: str, files: dict[str, bytes], token: str = "alice-token") -> requests.Response:
    return call(url, "POST", f"api/submissions/{lab}", token,
                json={"files": {n: base64.b64encode(c).decode() for n, c in files.items()}})


def test_a_learner_sees_only_their_plan_in_their_language(url, store):
    alice = call(url, "GET", "api/assignments").json()
    assert alice["course_id"] == "demo"
    assert [(a["lab"], a["notebooks"]) for a in alice["assignments"]] == [
        ("l01-what-ai-is", ["l01.ipynb"]), ("l02-data-quality", ["l02.ipynb"])]
    assert alice["assignments"][0]["version"] == store.current_release("demo", "l01-what-ai-is", "fr").version
    bruno = call(url, "GET", "api/assignments", "bruno-token").json()
    assert [a["lab"] for a in bruno["assignments"]] == ["l01-what-ai-is"]  # l02 has no English release

    fetched = call(url, "GET", "api/assignments/l01-what-ai-is").json()
    assert base64.b64decode(fetched["files"]["l01.ipynb"]) == notebook("bonjour")
    english = call(url, "GET", "api/assignments/l01-what-ai-is", "bruno-token").json()
    assert base64.b64decode(english["files"]["l01.ipynb"]) == notebook("hello")
    for token, lab in [("alice-token", "l03-not-in-plans"), ("alice-token", "l05-unreleased"),
                       ("bruno-token", "l02-data-quality"), ("alice-token", "l99-nowhere")]:
        answer = call(url, "GET", f"api/assignments/{lab}", token)
        assert answer.status_code == 404 and lab in answer.json()["error"]


def test_submit_then_list_only_ones_own(url, store):
    answer = submit(url, "l01-what-ai-is", {"l01.ipynb": notebook("my answer")})
    assert answer.status_code == 201
    created = answer.json()
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{4}", created["id"])
    assert set(created["files"]) == {"l01.ipynb"}
    assert store.submission_files("demo", "alice", "l01-what-ai-is", created["id"]) == {
        "l01.ipynb": notebook("my answer")}
    assert submit(url, "l01-what-ai-is", {"l01.ipynb": notebook("his")}, "bruno-token").status_code == 201

    listed = call(url, "GET", "api/submissions")
    assert "bruno" not in listed.text
    assert [(s["lab"], s["id"], s["has_feedback"]) for s in listed.json()["submissions"]] == [
        ("l01-what-ai-is", created["id"], False)]
    assert listed.json()["user"] == "alice"


def test_feedback_is_served_to_its_owner_only(url, store):
    mine = submit(url, "l01-what-ai-is", {"l01.ipynb": notebook()}).json()["id"]
    his = submit(url, "l01-what-ai-is", {"l01.ipynb": notebook()}, "bruno-token").json()["id"]
    store.put_feedback("demo", "alice", "l01-what-ai-is", mine, {"l01.html": b"<p>good</p>"})
    store.put_feedback("demo", "bruno", "l01-what-ai-is", his, {"l01.html": b"<p>his</p>"})

    answer = call(url, "GET", f"api/feedback/l01-what-ai-is/{mine}").json()
    assert base64.b64decode(answer["files"]["l01.html"]) == b"<p>good</p>"
    stolen = call(url, "GET", f"api/feedback/l01-what-ai-is/{his}")
    assert stolen.status_code == 404 and "bruno" not in stolen.text
    assert call(url, "GET", "api/submissions").json()["submissions"][0]["has_feedback"]


def test_the_path_lists_ones_plan_in_order_with_where_each_lab_stands(url, store):
    def path(token: str = "alice-token") -> list[tuple[str, str]]:
        answer = call(url, "GET", "api/path", token).json()
        return [(step["lab"], step["status"]) for step in answer["steps"]]

    assert path() == [("l01-what-ai-is", "available"), ("l02-data-quality", "available"),
                      ("l05-unreleased", "waiting")]
    first = submit(url, "l01-what-ai-is", {"l01.ipynb": notebook()}).json()["id"]
    submit(url, "l02-data-quality", {"l02.ipynb": notebook()})
    store.put_feedback("demo", "alice", "l01-what-ai-is", first, {"l01.html": b"<p>good</p>"})
    submit(url, "l01-what-ai-is", {"l01.ipynb": notebook("again")})  # a later try keeps the lab graded
    assert path() == [("l01-what-ai-is", "graded"), ("l02-data-quality", "submitted"),
                      ("l05-unreleased", "waiting")]
    assert path("bruno-token") == [("l01-what-ai-is", "available"), ("l02-data-quality", "waiting")]
    assert call(url, "GET", "api/path", "tess-token").status_code == 403


def test_only_released_labs_of_ones_plan_take_submissions(url, store):
    for lab in ("l03-not-in-plans", "l05-unreleased"):
        answer = submit(url, lab, {"l03.ipynb": notebook()})
        assert answer.status_code == 404, answer.text
    assert submit(url, "l02-data-quality", {"l02.ipynb": notebook()}, "bruno-token").status_code == 404
    assert store.submissions("demo") == []


@pytest.mark.parametrize("token", ["tess-token", "ghost-token", "made-up", None])
def test_trainers_strangers_and_no_token_are_refused(url, token):
    for method, path in [("GET", "api/assignments"), ("GET", "api/assignments/l01-what-ai-is"),
                         ("GET", "api/submissions"), ("POST", "api/submissions/l01-what-ai-is"),
                         ("GET", "api/path")]:
        answer = call(url, method, path, token, json={"files": {}})
        assert answer.status_code == 403, (method, path)
        assert "error" in answer.json() and "alice" not in answer.text


@pytest.mark.parametrize("lab", ["..", "..%2F..%2Fetc", "l01-what-ai-is%2F..", "%2Fetc", "L01-WHAT-AI-IS"])
def test_path_traversal_in_lab_ids_is_refused(url, lab):
    for method, path in [("GET", f"api/assignments/{lab}"), ("POST", f"api/submissions/{lab}"),
                         ("GET", f"api/feedback/{lab}/20260101T000000.000000Z-0000")]:
        answer = call(url, method, path, json={"files": {"a.ipynb": ""}})
        assert answer.status_code in (400, 404), (method, path, answer.status_code)
        assert "Traceback" not in answer.text
    assert call(url, "GET", "api/feedback/l01-what-ai-is/..%2F..%2Fbruno").status_code == 400


@pytest.mark.parametrize("name", ["../l01.ipynb", "/tmp/l01.ipynb", "sub/l01.ipynb", ".l01.ipynb", "l01.py"])
def test_path_traversal_in_file_names_is_refused(url, store, name):
    answer = submit(url, "l01-what-ai-is", {name: notebook()})
    assert answer.status_code == 400 and "refused" in answer.json()["error"]
    assert store.submissions("demo") == []


def test_an_oversized_body_gets_413_before_it_is_read(url):
    host, port = url.split("//")[1].split("/")[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", f"{PREFIX}api/submissions/l01-what-ai-is")
    connection.putheader("Authorization", "token alice-token")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(200 * 2**20))
    connection.endheaders()  # and not one byte of the 200 MB
    answer = connection.getresponse()
    assert answer.status == 413
    assert "over" in json.loads(answer.read())["error"]
    connection.close()
    assert MAX_BODY_BYTES > 50 * 2**20 * 4 // 3


@pytest.mark.parametrize("body, message", [
    (b"{not json", "not JSON"), (b"[]", '"files"'), (b'{"files": []}', '"files"'),
    (b'{"files": {"l01.ipynb": 7}}', '"files"'), (b'{"files": {"l01.ipynb": "***"}}', "not valid base64"),
    (b'{"files": {"l01.ipynb": "aGVsbG8="}}', "not a notebook"), (b'{"files": {}}', "empty submission"),
])
def test_malformed_bodies_get_400_with_a_reason(url, store, body, message):
    answer = call(url, "POST", "api/submissions/l01-what-ai-is", data=body)
    assert answer.status_code == 400 and message in answer.json()["error"]
    assert store.submissions("demo") == []


def test_unknown_addresses_and_methods_answer_json(url):
    assert call(url, "GET", "api/everyone").status_code == 404
    assert call(url, "GET", "api/everyone").json()["error"]
    assert call(url, "DELETE", "api/submissions").status_code == 405
    assert call(url, "GET", "api/submissions/l01-what-ai-is").json() == {"error": "method not allowed"}


def test_each_request_is_logged_in_one_line_without_contents(url, caplog):
    caplog.set_level("INFO", logger="sandlab.exchange")
    submit(url, "l01-what-ai-is", {"l01.ipynb": notebook("secret answer")})
    call(url, "GET", "api/assignments", "tess-token")
    deadline = time.monotonic() + 5  # the server logs just after it answers, in its own thread
    while len(lines := [r.getMessage() for r in caplog.records if r.name == "sandlab.exchange"]) < 2:
        assert time.monotonic() < deadline, lines
        time.sleep(0.01)
    assert any(re.match(r"201 POST /services/exchange/api/submissions/l01-what-ai-is alice \d", line) for line in lines)
    assert any(line.startswith("403 GET /services/exchange/api/assignments -") for line in lines)
    assert not any("secret" in line or "token" in line for line in lines)
