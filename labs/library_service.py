"""The lab library as a JupyterHub-managed service: trainers publish and release from their workspace.

A trainer's server calls it with the trainer's own JupyterHub token (`sandlab labs publish`
in their terminal). Only tokens with ``access:services!service=library`` get in (the hub
grants it to trainers and IT), and the service then finds the caller among the open cohorts'
trainers and admins: a trainer releases to their own cohorts only, IT to any. Learners'
tokens never carry the scope.

    GET  api/labs                              every lab in the library and its versions
    GET  api/labs/<lab>                        one lab's versions, validation reports included
    POST api/labs/<lab>      {"files": {..}}   validate in a sandbox, then keep as a new version
    GET  api/feedback/<lab>                    the lab across the waves the caller may see (their
                                               cohorts, closed ones too; IT: all): per task failure
                                               rate, median time, satisfaction, the version each had
    GET  api/releases/<cohort>                 which library version each lab of a cohort is
    POST api/releases/<cohort>/<lab> {"version": n}   release it (latest when absent) to the cohort
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from tornado.web import Application

from sandlab.grading.exchange import names
from sandlab.grading.exchange.names import ExchangeRefused
from sandlab.grading.exchange.service import (
    Cohorts,
    Identify,
    NotFoundHandler,
    Refusal,
    _JsonHandler,
    _log_request,
    applied_cohorts,
    decode_files,
    hub_identify,
    serve_hub_service,
)
from sandlab.grading.exchange.store import ExchangeStore
from sandlab.hub.services import LIBRARY, route_prefix
from sandlab.hub.state import STATE_DIR, AppliedCohort, answers_volume, exchange_dir
from sandlab.kpis.lab_waves import lab_waves
from sandlab.kpis.store import KpiStore, kpi_database
from sandlab.labs.library import LabLibrary, LabNotFound, LabRefused, LabVersion, check_lab_files
from sandlab.labs.library_release import release_to_cohort
from sandlab.labs.publish_check import CheckFailed, PublishCheck, check_in_sandbox

log = logging.getLogger("sandlab.library")
PUBLISH_SLOTS = 1  # a validation takes a core for a minute or more: one at a time on the hub's machine


@dataclass(frozen=True)
class Staff:
    """A trainer or IT, as the library knows them."""

    name: str
    home: AppliedCohort  # whose pack and limits validate their labs
    cohorts: tuple[str, ...]  # where they may release: a trainer's own open cohorts; IT's, every open one
    sees: tuple[str, ...]  # whose waves' feedback they read: a trainer's own cohorts, closed too; IT's, all


def find_staff(applied: list[AppliedCohort], user: str) -> Staff | None:
    mine = [entry for entry in applied for member in entry.cohort.members
            if member.name == user and member.role in ("trainer", "admin")]
    if not mine:
        return None
    admin = any(m.role == "admin" for entry in mine for m in entry.cohort.members if m.name == user)
    visible = applied if admin else mine
    home = next((entry for entry in mine if entry.open), mine[0])
    return Staff(user, home, tuple(entry.cohort.name for entry in visible if entry.open),
                 tuple(entry.cohort.name for entry in visible))


def sandbox_check(staff: Staff, lab: str, files: dict[str, bytes]) -> PublishCheck:
    """The lab validated in the publisher's cohort's lab image, on its pack, with the trainer's limits."""
    import docker

    cohort = staff.home
    return check_in_sandbox(docker.from_env(), cohort.cohort.image, lab, files, cohort.pack_volume,
                            answers_volume(cohort.pack_volume), cohort.cohort.trainer_limits.hardening())


def _summary(version: LabVersion) -> dict:
    data = asdict(version)
    data.pop("report")
    return data


class _Handler(_JsonHandler):
    def initialize(self, library: LabLibrary, store: ExchangeStore, cohorts: Cohorts, identify: Identify,
                   check, slots: asyncio.Semaphore, state: Path) -> None:
        self.library, self.store, self.cohorts, self.identify, self.state = library, store, cohorts, identify, state
        self.check, self.slots = check, slots

    async def prepare(self) -> None:
        user = self.identify(self)
        if asyncio.iscoroutine(user):
            user = await user
        if not user:
            raise Refusal(403, "no JupyterHub token with access to the lab library: open your workspace from the hub")
        staff = find_staff(self.cohorts(), user)
        if staff is None:
            raise Refusal(403, "the lab library is for the trainers of an open cohort and IT")
        self.learner = staff  # the request log's caller

    def write_error(self, status_code: int, **kwargs) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        known = {LabRefused: 400, ExchangeRefused: 400, LabNotFound: 404, CheckFailed: 502}
        status = next((code for kind, code in known.items() if isinstance(error, kind)), None)
        if status is None:
            return super().write_error(status_code, **kwargs)
        self.clear()
        self.send({"error": str(error)}, status)

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, (LabRefused, ExchangeRefused, LabNotFound)):
            return
        if isinstance(value, CheckFailed):
            log.error("%s", value)
            return
        super().log_exception(typ, value, tb)

    def body_json(self) -> dict:
        data = self.json_body() if self.request.body else {}
        if not isinstance(data, dict):
            raise Refusal(400, "the body is not a JSON object")
        return data


class LabsHandler(_Handler):
    def get(self) -> None:
        self.send({"labs": [{"lab": lab, "versions": [_summary(v) for v in self.library.versions(lab)]}
                            for lab in self.library.labs()]})


class LabHandler(_Handler):
    def get(self, lab: str) -> None:
        versions = self.library.versions(names.lab_id(lab))
        if not versions:
            raise LabNotFound(f"{lab} is not in the library")
        self.send({"lab": lab, "versions": [asdict(v) for v in versions]})

    async def post(self, lab: str) -> None:
        staff = self.learner
        lab = names.lab_id(lab)
        if not staff.home.open:
            raise Refusal(409, f"cohort {staff.home.cohort.name} is closed, and its pack with it: labs are validated "
                               "against an open cohort's pack")
        files = decode_files(self.request.body)
        check_lab_files(lab, files)
        async with self.slots:
            checked = await asyncio.get_running_loop().run_in_executor(None, self.check, staff, lab, files)
        report = checked.report
        if not checked.passed:
            problems = checked.problems or ["no student version was made"]
            log.info("%s: %s refused: %s", staff.name, lab, "; ".join(problems))
            self.send({"error": f"{lab} did not validate: " + "; ".join(problems), "problems": problems,
                       "report": report}, 422)
            return
        version, added = self.library.publish(lab, files, checked.student, staff.name, report)
        log.info("%s published %s version %d (%s)", staff.name, lab, version.version, version.digest[:12])
        self.send({**asdict(version), "added": added}, 201 if added else 200)


class FeedbackHandler(_Handler):
    """One lab across the waves the caller may see: per task failure rates, median time, satisfaction."""

    def get(self, lab: str) -> None:
        lab = names.lab_id(lab)
        versions = self.library.given_versions(self.learner.sees, lab)
        self.send({"lab": lab, "waves": lab_waves(KpiStore(kpi_database(self.state)), self.learner.sees, lab,
                                                  versions)})


class ReleasesHandler(_Handler):
    def allowed(self, cohort: str) -> AppliedCohort:
        cohort = names.cohort_name(cohort)
        if cohort not in self.learner.cohorts:
            raise Refusal(403, f"you are not a trainer of cohort {cohort}: only its trainers and IT release to it")
        return next(entry for entry in self.cohorts() if entry.cohort.name == cohort and entry.open)

    def get(self, cohort: str) -> None:
        entry = self.allowed(cohort)
        self.send({"cohort": entry.cohort.name,
                   "releases": [asdict(r) for r in self.library.cohort_releases(entry.cohort.name)]})


class ReleaseHandler(ReleasesHandler):
    def post(self, cohort: str, lab: str) -> None:
        entry = self.allowed(cohort)
        wanted = self.body_json().get("version")
        if wanted is not None and (not isinstance(wanted, int) or isinstance(wanted, bool) or wanted < 1):
            raise Refusal(400, '"version" is a version number (1, 2...), or absent for the latest')
        version, released = release_to_cohort(self.library, self.store, entry, names.lab_id(lab), wanted,
                                              self.learner.name)
        log.info("%s released %s version %d to cohort %s", self.learner.name, lab, version.version, cohort)
        self.send({"cohort": entry.cohort.name, "lab": version.lab, "version": version.version,
                   "languages": released}, 201)


def make_app(state: Path, cohorts: Cohorts, identify: Identify | None = None, check=sandbox_check,
             prefix: str = "/") -> Application:
    """The web app on the hub's ``state`` (library, exchange, KPIs); ``identify=None`` asks the hub (HubAuth)."""
    prefix = route_prefix(prefix)
    kwargs = {"library": LabLibrary(state), "store": ExchangeStore(exchange_dir(state)), "cohorts": cohorts,
              "identify": identify or hub_identify(), "check": check, "slots": asyncio.Semaphore(PUBLISH_SLOTS),
              "state": state}
    part = r"([^/]+)"
    routes = [(f"{prefix}api/labs", LabsHandler, kwargs),
              (f"{prefix}api/labs/{part}", LabHandler, kwargs),
              (f"{prefix}api/feedback/{part}", FeedbackHandler, kwargs),
              (f"{prefix}api/releases/{part}", ReleasesHandler, kwargs),
              (f"{prefix}api/releases/{part}/{part}", ReleaseHandler, kwargs)]
    return Application(routes, default_handler_class=NotFoundHandler, log_function=_log_request,
                       xsrf_cookies=False, serve_traceback=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandlab.labs.library_service",
                                     description="The lab library for trainers, over HTTP, as a hub service.")
    parser.add_argument("--state", type=Path, default=STATE_DIR, help=f"The hub's state folder (default: {STATE_DIR}).")
    parser.add_argument("--port", type=int, default=LIBRARY.port)
    parser.add_argument("--address", default="0.0.0.0", help="Trainers' servers must reach it (default: 0.0.0.0).")
    parser.add_argument("--prefix", default=os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"))
    args = parser.parse_args(argv)
    return serve_hub_service(lambda identify: make_app(args.state, applied_cohorts(args.state), identify,
                                                      prefix=args.prefix),
                             args.port, args.address, f"lab library on {args.address}:{args.port}{args.prefix}")


if __name__ == "__main__":
    sys.exit(main())
