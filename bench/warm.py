"""Benchmark: N learners logging in at once at session time, time from login to a ready
JupyterLab: cold (today: each server starts when its learner asks for it) against warm start
(every server started ahead by `sandlab.hub.platform.warm`), on one hub in the same run.

Each learner has the hub's login page open; all post the login form at once (threads), then,
as the spawn page does, request their server with their own token (the login's cookies make
it, as the tests' client does), follow its progress until ready and GET their JupyterLab page
(http://<user>.localhost:<port>/user/<user>/lab, through the hub's OAuth, until a 200 with the
lab's HTML). The time runs from the login POST to that page: p50, p95, max. For the warm-up:
its duration and the machine's CPU while it runs (busy share of all cores from /proc/stat
every 0.5 s: mean and max). Target: warm p95 <= 1 s.

With --sizes, no login is timed: for each size in turn, a hub with that many learners, the
warm-up alone, then, all servers idle after --settle seconds: the host's memory in use
(/proc/meminfo MemTotal - MemAvailable), each learner container's memory (page cache excluded)
summed and divided by the servers running, and how many servers failed to get ready: where
this machine stops, and what one learner costs.

Learners get limits meant for many on one machine: 512 MiB, half a CPU, 256 processes.

    PYTHONPATH=. python bench/warm.py                      # 20 learners, cold then warm
    PYTHONPATH=. python bench/warm.py --learners 40 --concurrency 4
    PYTHONPATH=. python bench/warm.py --arrival 60           # a room arriving over a minute
    PYTHONPATH=. python bench/warm.py --sizes 20,40,80     # warm-ups only, one hub per size
    PYTHONPATH=. python bench/warm.py --learners 3 --keep  # leave the hub up to look at it
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import docker
import httpx

from bench.spawn import Target, percentile, sandlab_target
from sandlab.cohort import Limits
from sandlab.engine import client
from sandlab.hub.platform import Instance, down, warm
from tests.platform.client import Hub, Session, resolve_localhost_subdomains

COHORT = "bench"  # the cohort sandlab_target applies
LIMITS = Limits(memory="512M", cpus=0.5, pids=256)
TARGET_WARM_P95 = 1.0
LEARNER_TIMEOUT = 600
LAB_MARK = "jupyter-config-data"  # JupyterLab's page carries its settings in this script element


# -- the machine ---------------------------------------------------------------------------------

def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:9]]  # user .. steal
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


class CpuSampler:
    """The machine's CPU (busy share of all cores) while the ``with`` block runs."""

    def __init__(self, interval: float = 0.5):
        self.interval, self.shares = interval, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        previous = self.first
        while not self._stop.wait(self.interval):
            now = cpu_times()
            self.shares.append(busy_share(previous, now))
            previous = now

    def __enter__(self) -> CpuSampler:
        self.first = cpu_times()
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()
        self.last = cpu_times()

    @property
    def mean(self) -> float:
        return busy_share(self.first, self.last)

    @property
    def max(self) -> float:
        return max(self.shares, default=self.mean)


def meminfo_gib(key: str) -> float:
    with open("/proc/meminfo") as meminfo:
        found = {line.split(":")[0]: int(line.split()[1]) for line in meminfo}  # kB
    return found[key] / 2**20


def memory_used_gib() -> float:
    return meminfo_gib("MemTotal") - meminfo_gib("MemAvailable")


# -- learners --------------------------------------------------------------------------------------

@dataclass
class Visit:
    user: str
    seconds: float | None = None  # login POST to the lab's page; None: never got there
    reason: str | None = None
    phases: dict[str, float] = field(default_factory=dict)  # where the time went, each phase's seconds


def wait_ready(session: Session, deadline: float) -> None:
    """Until the hub says the learner's server is ready: its progress events, as the spawn page
    follows them (answered at once for a running server); the user's model if the stream ends."""
    user = f"/users/{session.name}"
    while time.monotonic() < deadline:
        try:
            with session.api.stream("GET", f"{user}/server/progress",
                                    timeout=httpx.Timeout(30, read=max(1.0, deadline - time.monotonic()))) as events:
                if events.status_code == 200:
                    for line in events.iter_lines():
                        if line.startswith("data:"):
                            event = json.loads(line[5:])
                            if event.get("ready"):
                                return
                            if event.get("failed"):
                                raise RuntimeError(f"start failed: {event.get('message')}")
        except (httpx.HTTPError, ValueError):
            pass
        model = session.api.get(user).json()
        server = (model.get("servers") or {}).get("")
        if server and server.get("ready"):
            return
        if not server and not model.get("pending"):
            raise RuntimeError("the server stopped while starting")
        time.sleep(0.5)
    raise TimeoutError(f"not ready within {LEARNER_TIMEOUT} s")


def visit(hub: Hub, user: str, password: str, together: threading.Barrier, delay: float = 0) -> Visit:
    """One learner: the login page open, then (timed, with the others, ``delay`` seconds after the
    first) login, server, lab page."""
    try:
        browser = hub.login_page()
        together.wait(timeout=120)
        time.sleep(delay)
        began = time.monotonic()
        session = hub.submit_login(browser, user, password)
        logged_in = time.monotonic()
        requested = session.api.post(f"/users/{user}/server")
        if requested.status_code not in (201, 202, 400):  # 400: already running (warm)
            raise RuntimeError(f"server request: {requested.status_code} {requested.text[:200]}")
        wait_ready(session, began + LEARNER_TIMEOUT)
        ready = time.monotonic()
        page = browser.request("GET", session.server_url + "lab")
        if page.status_code != 200 or LAB_MARK not in page.text:
            raise RuntimeError(f"lab page: {page.status_code} at {page.url}")
        done = time.monotonic()
        return Visit(user, done - began, phases={"login and token": logged_in - began,
                                                 "server request to ready": ready - logged_in,
                                                 "lab page (OAuth included)": done - ready})
    except Exception as error:  # noqa: BLE001 - one learner's failure is a result, not the end of the run
        return Visit(user, reason=f"{type(error).__name__}: {error}")


def log_in_at_once(hub: Hub, target: Target, users: list[str], arrival: float = 0) -> list[Visit]:
    """Every learner logs in together, or, with ``arrival``, one after another evenly over that many seconds."""
    together = threading.Barrier(len(users))
    delays = [index * arrival / len(users) for index in range(len(users))]
    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        return list(pool.map(lambda user, delay: visit(hub, user, target.passwords[user], together, delay),
                             users, delays))


def summary(visits: list[Visit]) -> dict:
    times = [v.seconds for v in visits if v.seconds is not None]
    failed = [v for v in visits if v.seconds is None]
    found = {"ready": len(times), "failed": failed}
    if times:
        found.update(p50=statistics.median(times), p95=percentile(times, 0.95), max=max(times))
        found["phases"] = {phase: statistics.median(v.phases[phase] for v in visits if v.seconds is not None)
                           for phase in next(v for v in visits if v.seconds is not None).phases}
    return found


# -- warm-up ---------------------------------------------------------------------------------------

@dataclass
class WarmUp:
    seconds: float = 0.0
    cpu_mean: float = 0.0
    cpu_max: float = 0.0
    concurrency: int = 0
    results: list[dict] = field(default_factory=list)

    @property
    def failed(self) -> list[dict]:
        return [line for line in self.results if line["outcome"] == "failed"]


def warm_up(engine: docker.DockerClient, instance: Instance, concurrency: int) -> WarmUp:
    found = WarmUp(concurrency=concurrency)
    began = time.monotonic()
    with CpuSampler() as cpu:
        for line in warm(engine, instance, COHORT, concurrency):
            if "outcome" in line:
                found.results.append(line)
            else:
                found.concurrency = line["concurrency"]
    found.seconds, found.cpu_mean, found.cpu_max = time.monotonic() - began, cpu.mean, cpu.max
    return found


def ready_count(target: Target, users: list[str]) -> int:
    return sum(model["name"] in users for model in target.api.get("/users", params={"state": "ready"}).json())


def learners_memory_mib(target: Target, users: list[str]) -> list[float]:
    """Memory of each running learner container, page cache excluded (docker stats' figure)."""

    def one(user: str) -> float | None:
        try:
            return target.usage(user)[1]
        except docker.errors.APIError:  # NotFound too: that server is not running
            return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        return [mib for mib in pool.map(one, users) if mib is not None]


# -- the two runs ----------------------------------------------------------------------------------

def names(count: int) -> list[str]:
    return [f"u{n:03d}" for n in range(1, count + 1)]


def finish(engine, instance: Instance | None, keep: bool) -> None:
    if instance is None:
        return
    if keep:
        print(f"\nkept: hub {instance.name} at {instance.url}; remove it with\n  PYTHONPATH=. python -c "
              f"\"from sandlab.engine import client; from sandlab.hub.platform import Instance, down; "
              f"down(client(), Instance('{instance.name}'), volumes=True)\"")
    else:
        down(engine, instance, volumes=True)


def show_failures(label: str, failed: list, limit: int = 5) -> None:
    for item in failed[:limit]:
        user, reason = (item.user, item.reason) if isinstance(item, Visit) else (item["user"], item["reason"])
        print(f"  {label}: {user}: {reason}")
    if len(failed) > limit:
        print(f"  {label}: ... and {len(failed) - limit} more")


def cold_against_warm(engine, args) -> None:
    users = names(args.learners)
    resolve_localhost_subdomains()
    instance = None
    with tempfile.TemporaryDirectory() as workdir:
        try:
            target, instance = sandlab_target(engine, users, Path(workdir), limits=LIMITS)
            hub = Hub(instance.port)
            target.stop_all(users)
            cold = summary(log_in_at_once(hub, target, users, args.arrival))
            target.stop_all(users)
            warmed = warm_up(engine, instance, args.concurrency)
            ready_after_warm_up = ready_count(target, users)
            hot = summary(log_in_at_once(hub, target, users, args.arrival))
        finally:
            finish(engine, instance, args.keep)

    n = args.learners
    arriving = f"over {args.arrival:.0f} s" if args.arrival else "at once"
    print(f"\n{n} learners logging in {arriving}, login POST to a ready JupyterLab page "
          f"({os.cpu_count()} cores, {meminfo_gib('MemTotal'):.0f} GiB; learners {LIMITS.memory}, "
          f"{LIMITS.cpus} CPU, {LIMITS.pids} pids)\n")
    print("| start | p50 | p95 | max | lab page reached |")
    print("|---|---|---|---|---|")
    for label, row in (("cold (today: the server starts at login)", cold), ("warm start", hot)):
        times = (f"{row['p50']:.2f} s | {row['p95']:.2f} s | {row['max']:.2f} s" if row["ready"]
                 else "- | - | -")
        print(f"| {label} | {times} | {row['ready']} of {n} |")
    if cold["ready"] and hot["ready"]:
        print(f"\ncold p95 / warm p95: {cold['p95'] / hot['p95']:.1f}x")
    for label, row in (("cold", cold), ("warm", hot)):
        if row["ready"]:
            print(f"where the time goes, {label} (p50 of each): "
                  + ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in row["phases"].items()))
    print(f"warm-up: {len(warmed.results)} servers in {warmed.seconds:.1f} s at concurrency {warmed.concurrency}; "
          f"machine CPU mean {warmed.cpu_mean:.0%}, max {warmed.cpu_max:.0%} (all cores); "
          f"{len(warmed.failed)} failed; {ready_after_warm_up} of {n} ready after it")
    met = hot["ready"] == n and hot["p95"] <= TARGET_WARM_P95
    shown = f"{hot['p95']:.2f} s" if hot["ready"] else "-"
    missing = "" if hot["ready"] == n else f", {n - hot['ready']} learners never reached the lab"
    print(f"target: warm p95 <= {TARGET_WARM_P95:.0f} s: {'met' if met else 'missed'} ({shown}{missing})")
    show_failures("cold", cold["failed"])
    show_failures("warm-up", warmed.failed)
    show_failures("warm", hot["failed"])


def warm_up_sizes(engine, args) -> None:
    rows = []
    for size in args.sizes:
        users = names(size)
        instance = None
        row: dict = {"size": size}
        with tempfile.TemporaryDirectory() as workdir:
            try:
                target, instance = sandlab_target(engine, users, Path(workdir), limits=LIMITS)
                target.stop_all(users)
                row["before"] = memory_used_gib()
                row["warm"] = warm_up(engine, instance, args.concurrency)
                time.sleep(args.settle)
                row["ready"] = ready_count(target, users)
                row["after"] = memory_used_gib()
                row["learners_mib"] = learners_memory_mib(target, users)
            except Exception as error:  # noqa: BLE001 - a size the machine cannot take is a finding
                traceback.print_exc()
                row["error"] = f"{type(error).__name__}: {error}"
            finally:
                finish(engine, instance, args.keep)
        rows.append(row)
        print(f"size {size} done", flush=True)

    print(f"\nwarm-up alone, one hub per size ({os.cpu_count()} cores, {meminfo_gib('MemTotal'):.1f} GiB; learners "
          f"{LIMITS.memory}, {LIMITS.cpus} CPU, {LIMITS.pids} pids; memory after {args.settle:.0f} s idle)\n")
    print("| learners | concurrency | warm-up | CPU mean | CPU max | host memory used: hub alone -> all idle "
          "| per learner (containers) | ready | failed |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        if "error" in row:
            print(f"| {row['size']} | {args.concurrency} | error: {row['error'][:200]} | | | | | | |")
            continue
        warmed, containers = row["warm"], row["learners_mib"]
        per_learner = f"{sum(containers) / len(containers):.0f} MiB (of {len(containers)})" if containers else "-"
        print(f"| {row['size']} | {warmed.concurrency} | {warmed.seconds:.1f} s | {warmed.cpu_mean:.0%} "
              f"| {warmed.cpu_max:.0%} | {row['before']:.2f} -> {row['after']:.2f} GiB "
              f"(+{(row['after'] - row['before']) * 1024 / row['size']:.0f} MiB each) | {per_learner} "
              f"| {row['ready']} of {row['size']} | {len(warmed.failed)} |")
    for row in rows:
        if "warm" in row:
            show_failures(f"{row['size']} learners", row["warm"].failed)


def sizes(text: str) -> list[int]:
    try:
        found = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("sizes are numbers separated by commas: 20,40,80") from None
    if not found or min(found) < 1:
        raise argparse.ArgumentTypeError("sizes are numbers of learners, at least 1")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=20, help="Learners logging in at once (default 20).")
    parser.add_argument("--arrival", type=float, default=0, help="Learners log in one after another, evenly "
                        "over this many seconds (default 0: all at once, the worst case).")
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 1,
                        help="Servers the warm-up starts at once (default: one per core, here %(default)s).")
    parser.add_argument("--sizes", type=sizes, help="Warm-ups only, for each of these numbers of learners: "
                        "duration, CPU, memory, failures (e.g. 20,40,80).")
    parser.add_argument("--settle", type=float, default=30,
                        help="--sizes: seconds idle after the warm-up before reading memory (default 30).")
    parser.add_argument("--keep", action="store_true", help="Leave the hub(s) up (and say how to remove them).")
    args = parser.parse_args()
    if args.learners < 1 or args.concurrency < 1:
        parser.error("--learners and --concurrency are at least 1")
    engine = client()
    if args.sizes:
        warm_up_sizes(engine, args)
    else:
        cold_against_warm(engine, args)


if __name__ == "__main__":
    main()
