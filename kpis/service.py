"""The KPI service: a JupyterHub-managed service that records the training's signals and
shows them on a dashboard.

Learner containers call its API with the server's own token (the service asks the hub
whose token it is, so a learner only ever records for themself):

    POST api/activity        {"minutes": [{"lab", "minute", "executions"}]}   kernel activity -> 204
    GET  api/surveys/<lab>   the caller's survey answer for a lab, or 404
    PUT  api/surveys/<lab>   a SurveyAnswer -> 200; answering again replaces the answer

People open the dashboard in their browser through the hub's OAuth, on the service's own
site (<name>--service.<host>): IT sees every cohort, a trainer their cohorts, a learner
their own progress. Every minute it also asks the hub which servers were active and copies
releases and submissions from the exchange's store (sandlab.kpis.ingest).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated
from pydantic import ValidationError
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.httpserver import HTTPServer
from tornado.web import Application, Finish, RequestHandler, authenticated

from sandlab.cohort import Cohort
from sandlab.grading.exchange.service import (
    Cohorts,
    Identify,
    NotFoundHandler,
    Refusal,
    _JsonHandler,
    applied_cohorts,
    hub_identify,
    identified_learner,
)
from sandlab.hub.services import KPIS, route_prefix
from sandlab.hub.state import STATE_DIR, AppliedCohort
from sandlab.hub.warm import untouched_warm_start, warmed_servers
from sandlab.kpis import pages
from sandlab.kpis.compute import cohort_kpis, compare, learner_progress
from sandlab.kpis.i18n import choose_language, words
from sandlab.kpis.ingest import ingest_state
from sandlab.kpis.lab_waves import lab_report
from sandlab.kpis.limits import FUTURE_MINUTES, MAX_EXECUTIONS, MAX_MINUTES_PER_CALL, PAST_MINUTES
from sandlab.kpis.report import as_csv
from sandlab.kpis.store import ActivityMinute, KpiStore, kpi_database
from sandlab.kpis.survey import SurveyAnswer
from sandlab.labs.library import LabLibrary

DEFAULT_PORT = KPIS.port
MAX_BODY_BYTES = 256 * 1024
POLL_SECONDS = 60
CACHE_SECONDS = 30

log = logging.getLogger("sandlab.kpis")


# -- who is asking ---------------------------------------------------------------------

@dataclass(frozen=True)
class Viewer:
    """A person on the dashboard: IT sees every cohort, a trainer theirs, a learner themself."""

    name: str
    it: bool = False
    trains: frozenset[str] = frozenset()
    learns_in: str | None = None
    language: str = "fr"

    def may_see(self, cohort: str) -> bool:
        return self.it or cohort in self.trains


def viewer_of(applied: list[AppliedCohort], name: str, hub_admin: bool = False) -> Viewer | None:
    it, trains, learns_in, language = hub_admin, set(), None, None
    for entry in applied:
        for member in entry.cohort.members:
            if member.name != name:
                continue
            language = language or entry.cohort.language_of(member)
            if member.role == "admin":
                it = True
            elif member.role == "trainer":
                trains.add(entry.cohort.name)
            else:
                learns_in = entry.cohort.name
    if not (it or trains or learns_in):
        return None
    return Viewer(name, it, frozenset(trains), learns_in, language or "fr")


# -- the learners' API ---------------------------------------------------------------

class _Api(_JsonHandler):
    def initialize(self, kpis: KpiStore, cohorts: Cohorts, identify: Identify) -> None:
        self.kpis, self.cohorts, self.identify = kpis, cohorts, identify

    async def prepare(self) -> None:
        self.learner = await identified_learner(self, self.identify, self.cohorts)
        if len(self.request.body or b"") > MAX_BODY_BYTES:
            raise Refusal(413, f"the body is over {MAX_BODY_BYTES // 1024} KiB")


def activity_minutes(body: object, cohort: str, user: str, labs: list[str], now_minute: int) -> list[ActivityMinute]:
    """Validate a container's report: known labs of the learner's plan, recent minutes, bounded counts."""
    entries = body.get("minutes") if isinstance(body, dict) else None
    if not isinstance(entries, list) or len(entries) > MAX_MINUTES_PER_CALL:
        raise Refusal(400, f'send {{"minutes": [{{"lab", "minute", "executions"}}]}}, at most {MAX_MINUTES_PER_CALL}')
    minutes = []
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"lab", "minute", "executions"}:
            raise Refusal(400, 'each entry is {"lab": "<lab id>", "minute": <unix time // 60>, "executions": <n>}')
        lab, minute, executions = entry["lab"], entry["minute"], entry["executions"]
        if lab not in labs:
            raise Refusal(400, f"lab {str(lab)[:40]!r} is not in your plan")
        if not isinstance(minute, int) or not now_minute - PAST_MINUTES <= minute <= now_minute + FUTURE_MINUTES:
            raise Refusal(400, "a minute is outside the last 7 days")
        if not isinstance(executions, int) or not 0 <= executions <= MAX_EXECUTIONS:
            raise Refusal(400, f"executions is a count between 0 and {MAX_EXECUTIONS}")
        minutes.append(ActivityMinute(cohort, user, lab, minute, "kernel", executions))
    return minutes


class ActivityHandler(_Api):
    def post(self) -> None:
        learner = self.learner
        minutes = activity_minutes(self.json_body(), learner.cohort, learner.name, learner.plan.labs,
                                   int(time.time() // 60))
        self.kpis.add_activity(minutes)
        self.set_status(204)
        self.finish()


class SurveyHandler(_Api):
    def lab_in_plan(self, lab: str) -> str:
        if lab not in self.learner.plan.labs:
            raise Refusal(404, f"lab {lab[:40]!r} is not in your plan")
        return lab

    def get(self, lab: str) -> None:
        answer = self.kpis.survey(self.learner.cohort, self.learner.name, self.lab_in_plan(lab))
        if answer is None:
            raise Refusal(404, "no answer yet")
        self.send(answer.model_dump())

    def put(self, lab: str) -> None:
        body = self.json_body()
        if not isinstance(body, dict):
            raise Refusal(400, "the body is a JSON object of the survey's fields")
        try:
            answer = SurveyAnswer.model_validate({**body, "lab": self.lab_in_plan(lab)})
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "body"
            raise Refusal(400, f"{where}: {first['msg']}") from None
        self.kpis.put_survey(self.learner.cohort, self.learner.name, answer)
        self.send({"saved": True})


# -- the dashboard -------------------------------------------------------------------

@dataclass
class Reports:
    """Reports computed off the event loop and kept for a few seconds: a page is one query."""

    kpis: KpiStore
    cached: dict[tuple, tuple[float, dict]] = field(default_factory=dict)

    async def get(self, kind: str, *args) -> dict:
        key = (kind, *args)
        hit = self.cached.get(key)
        if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
        function = {"cohort": cohort_kpis, "learner": learner_progress, "lab": lab_report}[kind]
        report = await asyncio.get_running_loop().run_in_executor(None, function, self.kpis, *args)
        self.cached[key] = (time.monotonic(), report)
        return report


class _Page(HubOAuthenticated, RequestHandler):
    def initialize(self, hub_auth: HubOAuth | None, reports: Reports, cohorts: Cohorts,
                   library: LabLibrary | None) -> None:
        if hub_auth is not None:
            self.hub_auth = hub_auth
        self.reports, self.cohorts, self.library = reports, cohorts, library

    def viewer(self) -> Viewer:
        model = self.current_user
        viewer = viewer_of(self.cohorts(), model["name"], bool(model.get("admin")))
        if viewer is None:
            self.page_error(403, "not_member", "fr")
        return viewer

    def language(self, viewer: Viewer | None) -> str:
        return choose_language(self.get_argument("lang", None), viewer.language if viewer else "fr")

    def page(self, html: str, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                                                   "form-action 'self'; frame-ancestors 'none'")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.finish(html)

    def page_error(self, status: int, key: str, language: str) -> None:
        w = words(language)
        self.page(pages.message_page(language, self.current_user["name"], w["dashboard"], w[key]), status)
        raise Finish()

    def applied(self, name: str) -> Cohort | None:
        return next((entry.cohort for entry in self.cohorts() if entry.cohort.name == name), None)


class HomeHandler(_Page):
    @authenticated
    async def get(self) -> None:
        viewer = self.viewer()
        if not (viewer.it or viewer.trains):
            self.redirect("me" + (f"?lang={self.get_argument('lang')}" if self.get_argument("lang", None) else ""))
            return
        visible = sorted(entry.cohort.name for entry in self.cohorts() if viewer.may_see(entry.cohort.name))
        reports = [await self.reports.get("cohort", name) for name in visible]
        self.page(pages.home_page(reports, self.language(viewer), viewer.name))


class CohortHandler(_Page):
    @authenticated
    async def get(self, name: str) -> None:
        viewer = self.viewer()
        language = self.language(viewer)
        if self.applied(name) is None:
            self.page_error(404, "unknown_cohort", language)
        if not viewer.may_see(name):
            self.page_error(403, "forbidden", language)
        report = await self.reports.get("cohort", name)
        others = sorted(entry.cohort.name for entry in self.cohorts()
                        if entry.cohort.name != name and viewer.may_see(entry.cohort.name))
        other = self.get_argument("compare", "") or None
        other_report = await self.reports.get("cohort", other) if other in others else None
        level = self.get_argument("level", "")
        self.page(pages.cohort_page(report, language, viewer.name, others=others,
                                    level=int(level) if level in {"1", "2", "3", "4"} else None,
                                    compare_name=other if other_report else None,
                                    comparison=compare(report, other_report) if other_report else None,
                                    other_report=other_report))


class LabWavesHandler(_Page):
    """One lab across the waves the viewer may see (trainers their cohorts, closed ones too; IT all),
    with the library version each was given: how the lab fared as the trainers improved it."""

    @authenticated
    async def get(self, lab: str) -> None:
        viewer = self.viewer()
        language = self.language(viewer)
        if not (viewer.it or viewer.trains):
            self.page_error(403, "staff_only", language)
        visible = tuple(sorted(entry.cohort.name for entry in self.cohorts() if viewer.may_see(entry.cohort.name)))
        versions = tuple(sorted(self.library.given_versions(visible, lab).items())) if self.library else ()
        report = await self.reports.get("lab", lab, visible, versions)
        self.page(pages.lab_page(lab, report["title"], report["waves"], language, viewer.name))


class CohortCsvHandler(_Page):
    """Aggregates only (no names, no comments): named records are IT's, from the command line."""

    @authenticated
    async def get(self, name: str) -> None:
        viewer = self.viewer()
        if self.applied(name) is None or not viewer.may_see(name):
            self.page_error(404, "unknown_cohort", self.language(viewer))
        report = await self.reports.get("cohort", name)
        self.set_header("Content-Type", "text/csv; charset=UTF-8")
        self.set_header("Content-Disposition", f'attachment; filename="kpis-{name}.csv"')
        self.finish(as_csv(report))


class LearnerHandler(_Page):
    @authenticated
    async def get(self) -> None:
        viewer = self.viewer()
        language = self.language(viewer)
        if viewer.learns_in is None:
            self.redirect("./" + (f"?lang={language}"))
            return
        progress = await self.reports.get("learner", viewer.learns_in, viewer.name)
        self.page(pages.learner_page(progress, language, viewer.name))


# -- what the service watches ----------------------------------------------------------

class Watcher:
    """Every minute: servers the hub saw active become 'hub' activity minutes (a warm start
    nobody has used yet is not activity), and the exchange's releases and submissions are copied in."""

    def __init__(self, kpis: KpiStore, state: Path, cohorts: Cohorts, api_url: str, token: str) -> None:
        self.kpis, self.state, self.cohorts = kpis, state, cohorts
        self.api_url, self.token = api_url.rstrip("/"), token
        self.seen: dict[str, str] = {}

    async def hub_activity(self) -> list[ActivityMinute]:
        learners = {member.name: entry.cohort.name for entry in self.cohorts()
                    for member in entry.cohort.members if member.role == "learner"}
        answer = await AsyncHTTPClient().fetch(f"{self.api_url}/users", request_timeout=20,
                                               headers={"Authorization": f"token {self.token}"})
        minutes = []
        warmed = warmed_servers(self.state)
        for user in json.loads(answer.body):
            server = (user.get("servers") or {}).get("", {})
            last = server.get("last_activity")
            if user["name"] not in learners or not last or self.seen.get(user["name"]) == last:
                continue
            if untouched_warm_start(warmed.get(user["name"]), server):  # the platform started it, nobody used it
                continue
            self.seen[user["name"]] = last
            minute = int(datetime.fromisoformat(last.replace("Z", "+00:00")).timestamp() // 60)
            minutes.append(ActivityMinute(learners[user["name"]], user["name"], "", minute, "hub"))
        return minutes

    async def once(self) -> None:
        try:
            minutes = await self.hub_activity()
            if minutes:
                self.kpis.add_activity(minutes)
        except (HTTPClientError, OSError, ValueError, KeyError) as error:
            log.warning("could not read the hub's activity: %s", error)
        names = [entry.cohort.name for entry in self.cohorts()]
        await asyncio.get_running_loop().run_in_executor(None, ingest_state, self.kpis, self.state, names)

    async def run(self) -> None:
        while True:
            try:
                await self.once()
            except Exception:  # noqa: BLE001 - the watcher must outlive one bad minute
                log.exception("KPI watcher")
            await asyncio.sleep(POLL_SECONDS)


# -- the app ---------------------------------------------------------------------------

def make_app(kpis: KpiStore, cohorts: Cohorts, identify: Identify | None = None, prefix: str = "/",
             hub_auth: HubOAuth | None = None, library: LabLibrary | None = None) -> Application:
    """The web app; tests pass their own ``identify`` for the API (pages need a hub). ``library``
    names the version of a lab each wave was given."""
    prefix = route_prefix(prefix)
    api = {"kpis": kpis, "cohorts": cohorts, "identify": identify or hub_identify(hub_auth)}
    page = {"hub_auth": hub_auth, "reports": Reports(kpis), "cohorts": cohorts, "library": library}
    routes = [
        (f"{prefix}api/activity", ActivityHandler, api),
        (f"{prefix}api/surveys/([^/]+)", SurveyHandler, api),
        (f"{prefix}", HomeHandler, page),
        (f"{prefix}me", LearnerHandler, page),
        (f"{prefix}cohorts/([a-z][a-z0-9-]*)", CohortHandler, page),
        (f"{prefix}cohorts/([a-z][a-z0-9-]*)\\.csv", CohortCsvHandler, page),
        (f"{prefix}labs/(l[0-9]{{2}}-[a-z0-9-]+)", LabWavesHandler, page),
    ]
    if hub_auth is not None:
        routes.append((f"{prefix}oauth_callback", HubOAuthCallbackHandler, {}))
    return Application(routes, default_handler_class=NotFoundHandler, xsrf_cookies=False, serve_traceback=False,
                       cookie_secret=os.urandom(32))


EXAMPLE = """example (as a JupyterHub-managed service, in jupyterhub_config.py):
  c.JupyterHub.services.append({"name": "kpis", "url": "http://sandlab-hub:10102", "oauth_no_confirm": True,
      "command": ["python", "-m", "sandlab.kpis.service", "--state", "/srv/sandlab/state"]})"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandlab.kpis.service", epilog=EXAMPLE,
                                     description="The training's KPIs: learners' signals in, dashboard out.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", type=Path, default=STATE_DIR, help=f"The hub's state folder ({STATE_DIR}).")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"Port ({DEFAULT_PORT}).")
    parser.add_argument("--address", default="0.0.0.0", help="Address; learner containers must reach it (0.0.0.0).")
    parser.add_argument("--prefix", default=os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if not os.environ.get("JUPYTERHUB_API_TOKEN"):
        print("error: run this as a JupyterHub-managed service (JUPYTERHUB_API_TOKEN is unset)", file=sys.stderr)
        return 2
    hub_auth = HubOAuth.instance(cache_max_age=60)  # the one the OAuth callback handler uses too
    kpis, cohorts = KpiStore(kpi_database(args.state)), applied_cohorts(args.state)
    app = make_app(kpis, cohorts, prefix=args.prefix, hub_auth=hub_auth, library=LabLibrary(args.state))
    watcher = Watcher(kpis, args.state, cohorts, os.environ["JUPYTERHUB_API_URL"],
                      os.environ["JUPYTERHUB_API_TOKEN"])

    async def serve() -> None:
        HTTPServer(app, max_body_size=MAX_BODY_BYTES, idle_connection_timeout=60).listen(args.port, args.address)
        log.info("KPI service on %s:%d%s", args.address, args.port, args.prefix)
        await watcher.run()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
