"""The exchange as a JupyterHub-managed service: learners fetch and submit over HTTP.

Each learner's container calls it with the learner's own JupyterHub API token, so no
folder is ever shared between containers, and a learner can only ever name themselves:
the service asks the hub whose token it is, then finds that user among the applied
cohorts. There is no endpoint to read anyone else's work; IT's grading desk opens the
store directly.

    GET  api/assignments                          the labs of the caller's plan released in their language
    GET  api/assignments/<lab>                    one release, files in base64
    POST api/submissions/<lab>   {"files": {..}}  -> 201 the stored submission
    GET  api/submissions                          the caller's submissions, oldest first
    GET  api/feedback/<lab>/<submission id>       the caller's feedback for one submission
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from jupyterhub.services.auth import HubAuth
from tornado.httpserver import HTTPServer
from tornado.web import Application, HTTPError, RequestHandler, stream_request_body

from sandlab.cohort import LearnerPlan
from sandlab.grading.exchange import names, wire
from sandlab.grading.exchange.names import ExchangeRefused
from sandlab.grading.exchange.store import (
    MAX_TOTAL_BYTES,
    ExchangeCorrupt,
    ExchangeNotFound,
    ExchangeStore,
    SubmissionRecord,
)
from sandlab.hub.services import EXCHANGE, route_prefix
from sandlab.hub.state import STATE_DIR, AppliedCohort, cohorts_dir, read_applied

# base64 makes 3 bytes into 4; the JSON around the files adds a little.
MAX_BODY_BYTES = MAX_TOTAL_BYTES * 4 // 3 + 2**20
DEFAULT_PORT = EXCHANGE.port

log = logging.getLogger("sandlab.exchange")

Identify = Callable[[RequestHandler], str | None | Awaitable[str | None]]
Cohorts = Callable[[], list[AppliedCohort]]


@dataclass(frozen=True)
class Learner:
    cohort: str
    name: str
    plan: LearnerPlan


def find_learner(applied: list[AppliedCohort], user: str) -> Learner | None:
    """Only a member with the learner role and a plan may use the exchange (trainers grade elsewhere)."""
    for entry in applied:
        for member in entry.cohort.members:
            if member.name == user:
                plan = entry.plan_of(user)
                return Learner(entry.cohort.name, user, plan) if member.role == "learner" and plan else None
    return None


def applied_cohorts(state: Path) -> Cohorts:
    """Re-read the applied cohorts when a file in the state's cohorts folder changes, not at each request."""
    cache: dict[str, object] = {"key": None, "applied": []}

    def current() -> list[AppliedCohort]:
        folder = cohorts_dir(state)
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        key = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
        if key != cache["key"]:
            applied, problems = read_applied(state)
            for problem in problems:
                log.error("%s", problem)
            cache.update(key=key, applied=applied)
        return cache["applied"]  # type: ignore[return-value]

    return current


def hub_identify(auth: HubAuth | None = None) -> Identify:
    """Who owns the request's token, according to the hub, if the token may use this service.

    HubAuth's access scopes come from the hub (``access:services!service=<name>`` for a
    managed service): a token without that scope is refused like no token at all.
    """
    auth = auth or HubAuth()
    if not auth.access_scopes:
        raise RuntimeError("HubAuth has no access scopes: run this as a JupyterHub-managed service "
                           "(JUPYTERHUB_SERVICE_NAME or JUPYTERHUB_OAUTH_ACCESS_SCOPES unset)")

    async def identify(handler: RequestHandler) -> str | None:
        model = await auth.get_user(handler, sync=False)
        if not model or model.get("kind", "user") != "user":
            return None
        return model["name"] if auth.check_scopes(auth.access_scopes, model) else None

    return identify


async def identified_learner(handler: RequestHandler, identify: Identify, cohorts: Cohorts) -> Learner:
    """The learner whose token the request carries (a hub service's learner API: the exchange's,
    the KPI service's), or a 403 that says why."""
    user = identify(handler)
    if inspect.isawaitable(user):
        user = await user
    if not user:
        raise Refusal(403, "no JupyterHub token with access to this service: open your lab from the hub")
    learner = find_learner(cohorts(), user)
    if learner is None:
        raise Refusal(403, "this service is for learners of a cohort; your account is not one")
    return learner


class Refusal(HTTPError):
    """An answer for the caller: its message is sent as {"error": message}."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, log_message=message.replace("%", "%%"))
        self.message = message


def _answer_for(error: BaseException | None, status: int) -> tuple[int, str]:
    if isinstance(error, Refusal):
        return error.status_code, error.message
    if isinstance(error, ExchangeRefused):
        return 400, str(error)
    if isinstance(error, ExchangeNotFound):
        return 404, str(error)
    if isinstance(error, ExchangeCorrupt):
        return 500, "a stored file is damaged; IT can see which in the exchange's log"
    code = error.status_code if isinstance(error, HTTPError) else status if error is None else 500
    if code < 500:
        return code, {404: "no such address", 405: "method not allowed"}.get(code, "request refused")
    return 500, "the exchange failed; IT can read why in its log"


class _JsonHandler(RequestHandler):
    """Answers and errors as JSON; an error says what is wrong, never with a traceback."""

    learner: Learner | None = None

    def json_body(self) -> object:
        try:
            return json.loads(self.request.body)
        except (ValueError, UnicodeDecodeError):
            raise Refusal(400, "the body is not JSON") from None

    def send(self, data: dict, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(data))

    def write_error(self, status_code: int, **kwargs) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        status, message = _answer_for(error, status_code)
        self.clear()
        self.send({"error": message}, status)

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, (HTTPError, ExchangeRefused, ExchangeNotFound)) and _answer_for(value, 500)[0] < 500:
            return  # the request's log line says enough
        if isinstance(value, ExchangeCorrupt):
            log.error("%s", value)
        else:
            super().log_exception(typ, value, tb)


class NotFoundHandler(_JsonHandler):
    def prepare(self) -> None:
        raise Refusal(404, "no such address in the exchange's API")


class _Handler(_JsonHandler):
    def initialize(self, store: ExchangeStore, cohorts: Cohorts, identify: Identify) -> None:
        self.store, self.cohorts, self.identify = store, cohorts, identify

    async def prepare(self) -> None:
        self.learner = await identified_learner(self, self.identify, self.cohorts)

    def released_lab_in_plan(self, lab: str) -> str:
        assert self.learner is not None
        lab = names.lab_id(lab)
        if lab not in self.learner.plan.labs:
            raise Refusal(404, f"lab {lab} is not in your plan")
        if self.store.current_release(self.learner.cohort, lab, self.learner.plan.language) is None:
            raise Refusal(404, f"lab {lab} is not released yet")
        return lab


def decode_files(body: bytes) -> dict[str, bytes]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refusal(400, 'the body is not JSON: send {"files": {"name.ipynb": "<base64>"}}') from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise Refusal(400, 'the body has no "files" object of base64 strings: send {"files": {"name.ipynb": "..."}}')
    try:
        return wire.decode(files)
    except wire.BadEncoding as error:
        raise Refusal(400, f"the content of {names.notebook_name(error.name)!r} is not valid base64") from None


class AssignmentsHandler(_Handler):
    def get(self) -> None:
        learner = self.learner
        assert learner is not None
        assignments = []
        for lab in learner.plan.labs:
            release = self.store.current_release(learner.cohort, lab, learner.plan.language)
            if release is not None:
                assignments.append({"lab": lab, "version": release.version, "released_at": release.released_at,
                                    "notebooks": release.notebooks})
        self.send({"course_id": learner.cohort, "assignments": assignments})


class AssignmentHandler(_Handler):
    def get(self, lab: str) -> None:
        assert self.learner is not None
        lab = self.released_lab_in_plan(lab)
        release = self.store.current_release(self.learner.cohort, lab, self.learner.plan.language)
        assert release is not None
        files = self.store.release_files(self.learner.cohort, lab, self.learner.plan.language, release.version)
        self.send({"lab": lab, "version": release.version, "files": wire.encode(files)})


@stream_request_body
class SubmitHandler(_Handler):
    """Streams the body so a declared size over the limit is refused before a byte of it is read."""

    async def prepare(self) -> None:
        self._chunks: list[bytes] = []
        declared = self.request.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            # let the connection drain quietly instead of tornado's bare 400; it closes once we answer
            self.request.connection.set_max_body_size(int(declared))
            raise Refusal(413, f"the submission is over {MAX_BODY_BYTES // 2**20} MiB; "
                               "clear large outputs (Edit > Clear Outputs of All Cells), save and submit again")
        await super().prepare()

    def data_received(self, chunk: bytes) -> None:
        self._chunks.append(chunk)

    async def post(self, lab: str) -> None:
        learner = self.learner
        assert learner is not None
        lab = self.released_lab_in_plan(lab)
        body, self._chunks = b"".join(self._chunks), []

        def store() -> SubmissionRecord:  # tens of MiB to decode, hash and write: off the event loop
            return self.store.put_submission(learner.cohort, learner.name, lab, decode_files(body))

        record = await asyncio.get_running_loop().run_in_executor(None, store)
        self.send({"id": record.id, "timestamp": record.timestamp, "files": record.files}, 201)


class SubmissionsHandler(_Handler):
    def get(self) -> None:
        learner = self.learner
        assert learner is not None
        self.send({"course_id": learner.cohort, "user": learner.name, "submissions": [
            {"lab": r.lab, "id": r.id, "timestamp": r.timestamp, "files": r.files, "has_feedback": r.has_feedback,
             "feedback": r.feedback} for r in self.store.submissions(learner.cohort, learner.name)]})


class PathHandler(_Handler):
    """The learner's labs in their plan's order and where each stands, for the welcome notebook:
    waiting (not released yet), available, submitted, graded (feedback published)."""

    def get(self) -> None:
        learner = self.learner
        assert learner is not None
        handed_in: dict[str, str] = {}
        for record in self.store.submissions(learner.cohort, learner.name):
            if handed_in.get(record.lab) != "graded":
                handed_in[record.lab] = "graded" if record.has_feedback else "submitted"
        steps = [{"lab": lab, "status": handed_in.get(lab) or (
            "available" if self.store.current_release(learner.cohort, lab, learner.plan.language) else "waiting")}
            for lab in learner.plan.labs]
        self.send({"course_id": learner.cohort, "language": learner.plan.language, "steps": steps})


class FeedbackHandler(_Handler):
    def get(self, lab: str, submission_id: str) -> None:
        assert self.learner is not None
        files = self.store.feedback_files(self.learner.cohort, self.learner.name, names.lab_id(lab),
                                          names.submission_id(submission_id))
        self.send({"files": wire.encode(files)})


def _log_request(handler: RequestHandler) -> None:
    """One line per request: status, method, path (never the query, which may hold a token), caller, time."""
    status = handler.get_status()
    level = logging.INFO if status < 400 else logging.WARNING if status < 500 else logging.ERROR
    learner = getattr(handler, "learner", None)
    log.log(level, "%d %s %s %s %.1fms", status, handler.request.method, handler.request.path,
            learner.name if learner else "-", 1000 * handler.request.request_time())


def make_app(store: ExchangeStore, cohorts: Cohorts, identify: Identify | None = None,
             prefix: str = "/") -> Application:
    """The web app; ``identify=None`` asks the hub (HubAuth), tests pass their own."""
    prefix = route_prefix(prefix)
    kwargs = {"store": store, "cohorts": cohorts, "identify": identify or hub_identify()}
    part = r"([^/]+)"
    routes = [
        (f"{prefix}api/assignments", AssignmentsHandler, kwargs),
        (f"{prefix}api/assignments/{part}", AssignmentHandler, kwargs),
        (f"{prefix}api/submissions", SubmissionsHandler, kwargs),
        (f"{prefix}api/submissions/{part}", SubmitHandler, kwargs),
        (f"{prefix}api/feedback/{part}/{part}", FeedbackHandler, kwargs),
        (f"{prefix}api/path", PathHandler, kwargs),
    ]
    return Application(routes, default_handler_class=NotFoundHandler, log_function=_log_request,
                       xsrf_cookies=False, serve_traceback=False)


def http_server(app: Application) -> HTTPServer:
    """The server with the body limit: tornado refuses anything bigger without reading it."""
    return HTTPServer(app, max_body_size=MAX_BODY_BYTES, idle_connection_timeout=60, body_timeout=600)


EXAMPLE = """example (as a JupyterHub-managed service, in jupyterhub_config.py):
  c.JupyterHub.services.append({"name": "exchange", "url": "http://sandlab-hub:10101",
      "command": ["python", "-m", "sandlab.grading.exchange.service",
                  "--root", "/srv/sandlab/exchange", "--state", "/srv/sandlab/state", "--port", "10101"]})
The hub sets JUPYTERHUB_API_TOKEN, JUPYTERHUB_API_URL and JUPYTERHUB_SERVICE_PREFIX;
learners' tokens need the scope access:services!service=exchange."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandlab.grading.exchange.service",
                                     description="nbgrader's exchange for learners, over HTTP, as a hub service.",
                                     epilog=EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, required=True, help="Folder of the exchange's store (created if absent).")
    parser.add_argument("--state", type=Path, default=STATE_DIR,
                        help=f"The hub's state folder, for the applied cohorts (default: {STATE_DIR}).")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"Port to listen on (default: {DEFAULT_PORT}).")
    parser.add_argument("--address", default="0.0.0.0",
                        help="Address to listen on; learner containers must reach it (default: all, 0.0.0.0).")
    parser.add_argument("--prefix", default=os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"),
                        help="URL prefix (default: $JUPYTERHUB_SERVICE_PREFIX, else /).")
    args = parser.parse_args(argv)
    args.root.mkdir(parents=True, exist_ok=True)
    return serve_hub_service(lambda identify: make_app(ExchangeStore(args.root), applied_cohorts(args.state),
                                                      identify, args.prefix), args.port, args.address,
                             f"exchange on {args.address}:{args.port}{args.prefix}, store {args.root}")


def serve_hub_service(build: Callable[[Identify], Application], port: int, address: str, what: str) -> int:
    """Log, ask the hub who each caller is (HubAuth), serve until stopped: the platform's hub services."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        identify = hub_identify()
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    async def serve() -> None:
        http_server(build(identify)).listen(port, address)
        log.info("%s", what)
        await asyncio.Event().wait()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
