"""Start a cohort's learners' servers ahead of a session, through the hub's API, a few at a time.

Run in the hub's container, with the warmer service's token from the hub's state:

    python -m sandlab.hub.warmer run COHORT [--concurrency N]
        warm the cohort now (what `sandlab cohort warm` runs); one JSON line per learner
    python -m sandlab.hub.warmer serve
        the hub-managed service: warms each cohort whose file sets warm.minutes_before,
        that many minutes before each of its sessions

The stagger is a bound on servers starting at once: the next learner's server is started when
one of those is ready, so a warm-up never asks more of the machine than ``concurrency`` starts.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from sandlab.hub.state import STATE_DIR, read_applied, warmer_token
from sandlab.hub.warm import WarmedServer, due_session, hold_until, parse_time, read_record, write_record

API_URL = "http://127.0.0.1:8081/hub/api"  # the hub's own API, from inside its container
READY_SECONDS = 180
SCHEDULE_SECONDS = 30
log = logging.getLogger("sandlab.warmer")


def default_concurrency() -> int:
    """One server starting per core: a start costs about a CPU-second over two seconds
    (docs/benchmarks.md), so the machine keeps room for the learners already at work."""
    return max(1, os.cpu_count() or 1)


@dataclass
class Warmed:
    user: str
    outcome: str  # started, running (it already was) or failed
    seconds: float
    started: str | None = None  # the hub's `started` of the server
    reason: str | None = None


class HubApi:
    """The few calls of the hub's REST API a warm-up needs."""

    def __init__(self, url: str, token: str) -> None:
        self.http = httpx.Client(base_url=url.rstrip("/"), headers={"Authorization": f"token {token}"}, timeout=30)

    def server(self, user: str) -> dict | None:
        """The user's server as the hub models it, ``{"pending": "spawn"}`` while one is starting, or None."""
        answer = self.http.get(f"/users/{user}")
        answer.raise_for_status()
        model = answer.json()
        server = (model.get("servers") or {}).get("")
        return server or ({"pending": model["pending"]} if model.get("pending") else None)

    def start(self, user: str) -> httpx.Response:
        return self.http.post(f"/users/{user}/server")

    def failure(self, user: str) -> str | None:
        """Why the last start of ``user``'s server failed, from the hub's progress events."""
        try:
            with self.http.stream("GET", f"/users/{user}/server/progress", timeout=10) as events:
                for line in events.iter_lines():
                    if line.startswith("data:"):
                        event = json.loads(line[5:])
                        if event.get("failed"):
                            return event.get("message")
        except (httpx.HTTPError, ValueError):
            return None
        return None


def message_of(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("message") or answer.reason_phrase)
    except ValueError:
        return answer.reason_phrase


def warm_one(api: HubApi, user: str, timeout: float = READY_SECONDS) -> Warmed:
    began = time.monotonic()

    def outcome(kind: str, server: dict | None = None, reason: str | None = None) -> Warmed:
        return Warmed(user, kind, round(time.monotonic() - began, 2), (server or {}).get("started"), reason)

    try:
        server = api.server(user)
        if server and server.get("ready"):
            return outcome("running", server)
        if not (server and server.get("pending")):
            answer = api.start(user)
            if answer.status_code not in (201, 202) and "already" not in message_of(answer):
                return outcome("failed", reason=message_of(answer))
        while time.monotonic() - began < timeout:
            server = api.server(user)
            if server and server.get("ready"):
                return outcome("started", server)
            if not server:
                return outcome("failed", reason=api.failure(user) or "the server stopped while starting: "
                               "the hub's log says why")
            time.sleep(1)
        return outcome("failed", reason=f"not ready within {timeout:.0f} s")
    except httpx.HTTPError as error:
        return outcome("failed", reason=f"the hub's API: {error}")


def warm_cohort(state: Path, api: HubApi, cohort_name: str, *, concurrency: int, session: datetime | None = None,
                emit: Callable[[dict], None] = lambda line: None) -> list[Warmed]:
    """Start every learner's server of the cohort, ``concurrency`` at a time; record each
    server warmed (held until the session's start plus warm.hold_minutes) as soon as it is ready."""
    applied = {entry.cohort.name: entry for entry in read_applied(state)[0]}
    if cohort_name not in applied:
        raise LookupError(f"cohort {cohort_name} is not applied on this hub (`sandlab hub apply` it first)")
    if not applied[cohort_name].open:
        raise LookupError(f"cohort {cohort_name} is closed: its learners can no longer log in")
    cohort = applied[cohort_name].cohort
    learners = cohort.named("learner")
    until = hold_until(cohort, datetime.now(UTC), session)
    emit({"cohort": cohort_name, "learners": len(learners), "concurrency": concurrency,
          "hold_until": until.isoformat()})
    record, lock, results = read_record(state, cohort_name), threading.Lock(), []
    if session is not None:
        record.sessions.append(session)
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for done in as_completed([pool.submit(warm_one, api, user) for user in learners]):
            result = done.result()
            with lock:
                if result.started:
                    record.servers[result.user] = WarmedServer(started=parse_time(result.started), hold_until=until)
                    write_record(state, cohort_name, record)
                results.append(result)
            emit(asdict(result))
    write_record(state, cohort_name, record)
    return results


def serve(state: Path, api: HubApi, concurrency: int) -> None:
    """Warm each cohort that asks for it ahead of each of its sessions, once per session."""
    log.info("warm start: watching the cohorts' sessions every %d s", SCHEDULE_SECONDS)
    while True:
        now = datetime.now(UTC)
        for entry in (entry for entry in read_applied(state)[0] if entry.open):
            cohort = entry.cohort
            session = due_session(cohort, read_record(state, cohort.name), now)
            if session is None:
                continue
            log.info("warming cohort %s for its session at %s", cohort.name, session.isoformat())
            try:
                results = warm_cohort(state, api, cohort.name, concurrency=concurrency, session=session)
            except Exception:  # noqa: BLE001 - one cohort's failure must not stop the others' warm-ups
                log.exception("warming cohort %s", cohort.name)
                continue
            for failed in (result for result in results if result.outcome == "failed"):
                log.warning("%s's server was not warmed: %s", failed.user, failed.reason)
            log.info("cohort %s: %d of %d servers ready", cohort.name,
                     sum(result.outcome != "failed" for result in results), len(results))
        time.sleep(SCHEDULE_SECONDS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandlab.hub.warmer", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run", "serve"])
    parser.add_argument("cohort", nargs="?", help="run: the cohort to warm")
    parser.add_argument("--concurrency", type=int, default=default_concurrency(),
                        help="Servers starting at once (default: one per core).")
    parser.add_argument("--state", type=Path, default=STATE_DIR)
    args = parser.parse_args(argv)
    api = HubApi(os.environ.get("JUPYTERHUB_API_URL", API_URL), warmer_token(args.state))
    if args.command == "serve":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        serve(args.state, api, args.concurrency)
        return 0
    if not args.cohort:
        parser.error("run needs the cohort's name")

    def emit(line: dict) -> None:
        print(json.dumps(line), flush=True)

    try:
        results = warm_cohort(args.state, api, args.cohort, concurrency=args.concurrency, emit=emit)
    except LookupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 1 if any(result.outcome == "failed" for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
