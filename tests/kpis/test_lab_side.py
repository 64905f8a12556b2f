"""The learner's side of the KPIs: the kernel's activity extension and the end-of-lab survey, against a
stand-in of the KPI service of the test's own (it records every request and answers what it is told)."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from traitlets.config import Config

from sandlab.kpis import kernel_activity
from sandlab.kpis import survey_widget as sw
from sandlab.kpis.kernel_activity import MAX_MINUTES, MAX_PER_CALL, ActivityCounter, lab_of, service
from sandlab.kpis.survey import MAX_COMMENT
from sandlab.kpis.survey_widget import TEXTS, SurveyForm, survey

LAB = "l01-what-ai-is"
TOKEN = "server-token"
ACTIVITY = "/services/kpis/api/activity"
SURVEY = f"/services/kpis/api/surveys/{LAB}"


@dataclass
class Seen:
    method: str
    path: str
    authorization: str | None
    body: object


class StandIn(ThreadingHTTPServer):
    """The KPI service as the lab side sees it; ``replies[method]`` queues answers (status, JSON body)."""

    DEFAULT = {"POST": (204, None), "GET": (404, {"error": "no answer yet"}), "PUT": (200, {"saved": True})}

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.seen: list[Seen] = []
        self.replies: dict[str, list[tuple[int, object]]] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/services/kpis/"

    def reply(self, method: str) -> tuple[int, object]:
        queued = self.replies.get(method)
        return queued.pop(0) if queued else self.DEFAULT[method]

    def posted(self) -> list[dict]:
        return [m for seen in self.seen if seen.method == "POST" for m in seen.body["minutes"]]


class Handler(BaseHTTPRequestHandler):
    server: StandIn

    def _answer(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append(Seen(self.command, self.path, self.headers.get("Authorization"),
                                     json.loads(raw) if raw else None))
        status, body = self.server.reply(self.command)
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def kpis():
    server = StandIn()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def closed_url() -> str:
    """A service that is down: nothing listens on this port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/services/kpis/"


@pytest.fixture
def learner(monkeypatch, tmp_path, kpis):
    """A kernel of a learner's server, for the notebook of lab LAB (Jupyter Server gives its absolute path)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("IPYTHONDIR", raising=False)
    monkeypatch.delenv("SANDLAB_LANGUAGE", raising=False)
    monkeypatch.setenv("SANDLAB_KPIS_URL", kpis.url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", TOKEN)
    monkeypatch.setenv("JPY_SESSION_NAME", f"{tmp_path}/labs/{LAB}/{LAB}.fr.ipynb")
    return kpis


@pytest.fixture
def shell(monkeypatch, tmp_path):
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setenv("HOME", str(tmp_path))
    c = Config()
    c.HistoryManager.enabled = False
    ip = InteractiveShell.instance(config=c)
    yield ip
    kernel_activity.unload_ipython_extension(ip)
    InteractiveShell.clear_instance()


def now_minute() -> int:
    return int(time.time()) // 60


# The kernel's activity


@pytest.mark.parametrize(("session_name", "lab"), [
    (f"labs/{LAB}/{LAB}.fr.ipynb", LAB),
    (f"labs/{LAB}/notes/scratch.ipynb", LAB),
    ("{home}/labs/l02-data-quality/l02-data-quality.en.ipynb", "l02-data-quality"),
    ("Welcome.ipynb", None),
    ("work/labs/l01-what-ai-is/x.ipynb", None),
    ("labs/not-a-lab/x.ipynb", None),
    (f"labs/{LAB}", None),
    (f"/elsewhere/labs/{LAB}/x.ipynb", None),
    ("", None),
    (None, None),
])
def test_the_lab_is_the_notebook_folder_under_labs(monkeypatch, tmp_path, session_name, lab):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert lab_of(session_name and session_name.format(home=tmp_path)) == lab


def test_cells_run_in_a_lab_notebook_are_posted_per_minute_with_the_token(learner, shell, capfd):
    kernel_activity.load_ipython_extension(shell)
    counter = kernel_activity._counter
    start = now_minute()
    clock = [start * 60 + 1.0]
    counter.clock = lambda: clock[0]
    shell.run_cell("x = 1")
    shell.run_cell("y = x + 1")
    shell.run_cell("z = 3", silent=True)  # JupyterLab's own requests, not the learner's cells
    clock[0] += 60
    shell.run_cell("y += 1")
    assert counter.flush()
    assert learner.seen == [Seen("POST", ACTIVITY, f"token {TOKEN}", {"minutes": [
        {"lab": LAB, "minute": start, "executions": 2}, {"lab": LAB, "minute": start + 1, "executions": 1}]})]
    assert counter.pending() == {}
    assert capfd.readouterr() == ("", "")  # the learner sees nothing of it


def test_the_kernel_sends_every_minute_and_when_it_stops(learner, shell, monkeypatch):
    monkeypatch.setattr(kernel_activity, "FLUSH_EVERY", 0.05)
    kernel_activity.load_ipython_extension(shell)
    shell.run_cell("x = 1")
    deadline = time.monotonic() + 10
    while not learner.seen and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [m["executions"] for m in learner.posted()] == [1]
    monkeypatch.setattr(kernel_activity, "FLUSH_EVERY", 3600.0)
    kernel_activity._counter._stop.set()  # the periodic sends end; the one when the kernel stops remains
    time.sleep(0.1)
    shell.run_cell("x = 2")
    kernel_activity.unload_ipython_extension(shell)  # what atexit does as the kernel stops
    assert sum(m["executions"] for m in learner.posted()) == 2
    shell.run_cell("x = 3")  # unloaded: counts nothing more
    assert kernel_activity._counter is None


@pytest.mark.parametrize("missing", ["SANDLAB_KPIS_URL", "JUPYTERHUB_API_TOKEN"])
def test_nothing_happens_without_the_service_or_a_token(learner, shell, monkeypatch, missing):
    monkeypatch.delenv(missing)
    callbacks = list(shell.events.callbacks["post_run_cell"])
    kernel_activity.load_ipython_extension(shell)
    shell.run_cell("x = 1")
    assert kernel_activity._counter is None
    assert shell.events.callbacks["post_run_cell"] == callbacks
    assert service() is None
    assert learner.seen == []


@pytest.mark.parametrize("session_name", ["Welcome.ipynb", "work/analysis.ipynb", None])
def test_a_notebook_outside_the_labs_counts_nothing(learner, shell, monkeypatch, session_name):
    if session_name is None:
        monkeypatch.delenv("JPY_SESSION_NAME")  # a console, or a kernel nbconvert started
    else:
        monkeypatch.setenv("JPY_SESSION_NAME", session_name)
    kernel_activity.load_ipython_extension(shell)
    shell.run_cell("x = 1")
    assert kernel_activity._counter is None
    assert learner.seen == []


def test_a_service_down_keeps_the_minutes_for_the_next_flush(kpis):
    start = now_minute()
    clock = [start * 60.0]
    counter = ActivityCounter((closed_url(), TOKEN), LAB, clock=lambda: clock[0])
    counter.count()
    assert not counter.flush()  # nothing listens
    clock[0] += 60
    counter.count()
    counter.where = (kpis.url, TOKEN)
    kpis.replies["POST"] = [(503, {"error": "restarting"})]
    assert not counter.flush()  # the hub answers for a service that is restarting
    assert counter.pending() == {start: 1, start + 1: 1}
    counter.count()
    assert counter.flush()
    assert kpis.posted()[-2:] == [{"lab": LAB, "minute": start, "executions": 1},
                                  {"lab": LAB, "minute": start + 1, "executions": 2}]
    assert counter.pending() == {}


def test_minutes_the_service_refuses_for_good_are_dropped(kpis):
    counter = ActivityCounter((kpis.url, TOKEN), LAB)
    counter.count()
    kpis.replies["POST"] = [(400, {"error": "minute out of range"})]
    assert counter.flush()
    assert counter.pending() == {}
    assert len(kpis.seen) == 1


def test_the_buffer_is_bounded_and_sent_in_batches_the_service_accepts(kpis):
    start = now_minute() - MAX_MINUTES - 9
    clock = [start * 60.0]
    counter = ActivityCounter((kpis.url, TOKEN), LAB, clock=lambda: clock[0])
    for _ in range(MAX_MINUTES + 10):
        counter.count()
        clock[0] += 60
    assert len(counter.pending()) == MAX_MINUTES
    assert min(counter.pending()) == start + 10  # the oldest went first
    assert counter.flush()
    assert [len(seen.body["minutes"]) for seen in kpis.seen] == [MAX_PER_CALL, MAX_MINUTES - MAX_PER_CALL]
    assert [m["minute"] for m in kpis.posted()] == list(range(start + 10, start + 10 + MAX_MINUTES))


def test_minutes_older_than_the_service_takes_are_not_sent(kpis):
    clock = [time.time() - 8 * 24 * 3600]
    counter = ActivityCounter((kpis.url, TOKEN), LAB, clock=lambda: clock[0])
    counter.count()
    clock[0] = time.time()
    counter.count()
    assert counter.flush()
    assert [m["minute"] for m in kpis.posted()] == [now_minute()]


def test_a_broken_clock_or_service_never_reaches_the_learner(kpis):
    def broken() -> float:
        raise RuntimeError("no clock")

    counter = ActivityCounter((kpis.url, TOKEN), LAB, clock=broken)
    counter.count()
    assert not counter.flush()
    counter = ActivityCounter(("not a url/", TOKEN), LAB)
    counter.count()
    assert not counter.flush()
    assert counter.pending() != {}


# The end-of-lab survey


def form(lang: str = "fr") -> SurveyForm:
    """The form as survey() shows it in a learner's server."""
    made = SurveyForm(LAB, service(), lang)
    made.prefill()
    return made


def fill(made: SurveyForm, **values) -> None:
    for name, value in values.items():
        getattr(made, name).value = value


def test_the_answer_is_put_with_the_token(learner):
    made = form()
    fill(made, clarity=4, usefulness=5, comment="  Très clair\x00 !  ", idea="Trier les tickets", minutes=90)
    made.button.click()
    assert learner.seen[-1] == Seen("PUT", SURVEY, f"token {TOKEN}", {
        "lab": LAB, "clarity": 4, "usefulness": 5, "comment": "Très clair !", "idea": "Trier les tickets",
        "minutes_saved_per_week": 90, "language": "fr"})
    assert "Merci, votre réponse est enregistrée. Vous pouvez la modifier à tout moment." in made.status.value
    assert not made.button.disabled


def test_minutes_left_at_zero_are_not_given(learner):
    made = form("en")
    fill(made, clarity=1, usefulness=2)
    made.button.click()
    assert learner.seen[-1].body == {"lab": LAB, "clarity": 1, "usefulness": 2, "comment": "", "idea": "",
                                     "minutes_saved_per_week": None, "language": "en"}
    assert "Thank you, your answer is saved. You can change it at any time." in made.status.value


def test_the_learner_sees_what_to_fix_and_nothing_is_sent(learner):
    made = form()
    fill(made, usefulness=3, comment="x" * (MAX_COMMENT + 1))
    made.button.click()
    assert [seen.method for seen in learner.seen] == ["GET"]
    status = made.status.value
    assert TEXTS["fr"]["fix"] in status
    assert "« Ce lab était-il clair ? »" in status
    assert f"{MAX_COMMENT} caractères au plus" in status
    assert "Est-il utile" not in status  # answered


def test_an_earlier_answer_is_shown_and_can_be_changed(learner):
    learner.replies["GET"] = [(200, {"lab": LAB, "clarity": 2, "usefulness": 3, "comment": "Un peu long",
                                     "idea": "", "minutes_saved_per_week": None, "language": "en",
                                     "answered_at": "2025-01-01T00:00:00+00:00"})]
    made = form("en")
    assert learner.seen == [Seen("GET", SURVEY, f"token {TOKEN}", None)]
    assert (made.clarity.value, made.usefulness.value, made.comment.value, made.minutes.value) == (2, 3, "Un peu long",
                                                                                                    0)
    assert "You have already answered" in made.note.value
    made.clarity.value = 4
    made.button.click()
    assert learner.seen[-1].body["clarity"] == 4


def test_no_earlier_answer_leaves_the_form_empty(learner):
    made = form()
    assert (made.clarity.value, made.usefulness.value, made.comment.value) == (None, None, "")
    assert "déjà répondu" not in made.note.value


@pytest.mark.parametrize(("lang", "status", "words"), [
    ("fr", 400, "le service l'a refusée (comment: too long)"),
    ("en", 400, "the service refused it (comment: too long)"),
    ("en", 404, "the service refused it (lab 'l01-what-ai-is' is not in your plan)"),
])
def test_a_refusal_is_explained_in_the_learners_language(learner, lang, status, words):
    made = form(lang)
    fill(made, clarity=3, usefulness=3)
    learner.replies["PUT"] = [(status, {"error": words[words.index("(") + 1:-1]})]
    made.button.click()
    assert words in made.status.value


def test_a_service_out_of_reach_or_failing_is_said_plainly(learner, monkeypatch):
    made = form()
    fill(made, clarity=3, usefulness=3, idea="Résumer les comptes rendus")
    learner.replies["PUT"] = [(502, None)]
    made.button.click()
    assert "erreur 502" in made.status.value
    made.where = (closed_url(), TOKEN)
    made.button.click()
    assert "ne répond pas pour le moment" in made.status.value
    assert made.idea.value == "Résumer les comptes rendus"  # still there to send again
    assert not made.button.disabled


def test_a_service_down_still_shows_an_empty_form(learner, monkeypatch):
    monkeypatch.setenv("SANDLAB_KPIS_URL", closed_url())
    made = form()
    assert made.clarity.value is None


@pytest.fixture
def shown(monkeypatch):
    """What survey() displayed."""
    displayed: list = []
    monkeypatch.setattr(sw, "display", displayed.append)
    return displayed


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_outside_the_sandbox_the_survey_says_so_in_one_line(monkeypatch, shown, capsys, kpis, lang):
    monkeypatch.delenv("SANDLAB_KPIS_URL", raising=False)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", TOKEN)
    monkeypatch.setenv("SANDLAB_LANGUAGE", lang)
    survey(LAB)
    assert capsys.readouterr().out == TEXTS[lang]["outside"] + "\n"
    assert shown == [] and kpis.seen == []


def test_the_survey_is_for_the_lab_of_the_notebook(learner, shown, capsys, monkeypatch):
    monkeypatch.setenv("SANDLAB_LANGUAGE", "en")
    survey()
    assert [seen.path for seen in learner.seen] == [SURVEY]
    (box,) = shown
    assert f"{TEXTS['en']['title']} <small>({LAB})</small>" in box.children[0].value
    survey("l02-data-quality")
    assert learner.seen[-1].path == "/services/kpis/api/surveys/l02-data-quality"
    monkeypatch.setenv("JPY_SESSION_NAME", "Welcome.ipynb")
    survey()
    survey("../admin")
    assert capsys.readouterr().out == 2 * (TEXTS["en"]["no_lab"] + "\n")
    assert len(shown) == 2 and len(learner.seen) == 2
