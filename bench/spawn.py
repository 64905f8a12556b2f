"""Benchmark: time-to-ready, CPU and memory of learner servers, Sandlab's hardened spawner
against plain DockerSpawner (the reference Docker deployment: same image, no hardening), in
one run on the same engine.

For each configuration: one learner started alone (several times: p50), then N learners
started at once (p50, p95, max time-to-ready), the CPU-seconds each container used to get
ready, and the memory of each idle learner after a settling time.

    python bench/spawn.py                 # 20 at once, 5 single starts
    python bench/spawn.py --learners 10 --singles 3
    python bench/spawn.py --swarm         # Sandlab on a single-node Swarm (a second engine of the
                                          # bench's own) against Sandlab on this host: Swarm's cost
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import threading
import time
from pathlib import Path

import docker
import httpx

from sandlab.cohort import Cohort, Limits, Member
from sandlab.datasets.company import generate_pack
from sandlab.datasets.context import GenerationSpec
from sandlab.datasets.profile import load_profile
from sandlab.engine import client
from sandlab.hub.platform import Instance, apply_cohort, down, up, wait_for_hub
from sandlab.hub.swarm import SERVICE_LABEL
from sandlab.images.names import HUB_IMAGE, LAB_IMAGE, POSTGRES_IMAGE
from tests.platform.client import Hub, free_port

HERE = Path(__file__).parent


class Target:
    """A hub to measure: its API with an admin token, and how to find a learner's container."""

    def __init__(self, name: str, url: str, token: str, engine: docker.DockerClient, container_prefix: str,
                 swarm: bool = False):
        self.name, self.url, self.engine, self.container_prefix = name, url, engine, container_prefix
        self.swarm = swarm  # a learner's container is its service's task's
        self.api = httpx.Client(base_url=f"{url}/hub/api", headers={"Authorization": f"token {token}"}, timeout=60)
        self.passwords: dict[str, str] = {}  # set when the bench made the users (sandlab_target)

    def start_all(self, users: list[str]) -> dict[str, float]:
        """Request every server at once; seconds from request to ready, per user."""
        started = time.monotonic()
        threads = [threading.Thread(target=self.api.post, args=(f"/users/{user}/server",)) for user in users]
        for thread in threads:
            thread.start()
        ready: dict[str, float] = {}
        while len(ready) < len(users) and time.monotonic() - started < 600:
            for model in self.api.get("/users", params={"state": "ready"}).json():
                if model["name"] in users and model["name"] not in ready:
                    ready[model["name"]] = time.monotonic() - started
            time.sleep(0.1)
        for thread in threads:
            thread.join()
        missing = set(users) - set(ready)
        if missing:
            raise RuntimeError(f"{self.name}: never ready: {sorted(missing)}")
        return ready

    def stop_all(self, users: list[str]) -> None:
        for user in users:
            self.api.delete(f"/users/{user}/server")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if not any(model["servers"] or model["pending"] for model in self.api.get("/users").json()
                       if model["name"] in users):
                return
            time.sleep(0.5)

    def usage(self, user: str) -> tuple[float, float]:
        """CPU-seconds used so far and memory in MiB (page cache excluded) of a learner's container."""
        name = f"{self.container_prefix}-{user}"
        if self.swarm:
            container = self.engine.containers.list(filters={"label": f"{SERVICE_LABEL}={name}"})[0]
        else:
            container = self.engine.containers.get(name)
        stats = container.stats(stream=False)
        cpu = stats["cpu_stats"]["cpu_usage"]["total_usage"] / 1e9
        memory = stats["memory_stats"]
        cache = memory.get("stats", {}).get("total_inactive_file", memory.get("stats", {}).get("inactive_file", 0))
        return cpu, (memory["usage"] - cache) / 2**20


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(target: Target, users: list[str], singles: int, settle: float) -> dict:
    single = []
    for _ in range(singles):
        single.append(target.start_all(users[:1])[users[0]])
        target.stop_all(users[:1])
    together = target.start_all(users)
    cpu_at_ready = {user: target.usage(user)[0] for user in users}
    time.sleep(settle)
    idle = [target.usage(user)[1] for user in users]
    target.stop_all(users)
    times = list(together.values())
    return {"single_p50": statistics.median(single), "p50": statistics.median(times), "p95": percentile(times, 0.95),
            "max": max(times), "cpu_s": statistics.median(cpu_at_ready.values()), "idle_mib": statistics.median(idle)}


def sandlab_target(engine, users: list[str], workdir: Path, limits: Limits | None = None,
                   name: str = "sandlab (hardened)", **instance_options) -> tuple[Target, Instance]:
    pack = workdir / "pack"
    if not pack.exists():
        generate_pack(GenerationSpec(profile=load_profile("fr-mid-size"), locale="fr_FR", seed=1, employees=40), pack)
    members = [Member(name=user, persona="business") for user in users] + [Member(name="bench-admin", role="admin")]
    cohort = Cohort(name="bench", title="Benchmark", pack=pack, limits=limits or Limits(), members=members)
    instance = Instance(f"slbench{secrets.token_hex(2)}", instance_options.pop("port", None) or free_port(),
                        **instance_options)
    passwords = apply_cohort(engine, instance, cohort)
    up(engine, instance)
    admin = Hub(instance.port).login("bench-admin", passwords["bench-admin"])
    target = Target(name, instance.url, admin.token, engine, f"{instance.name}-lab", swarm=instance.swarm)
    target.passwords = passwords
    return target, instance


def baseline_target(engine, users: list[str]) -> tuple[Target, list]:
    prefix = f"slbase{secrets.token_hex(2)}"
    token = secrets.token_hex(16)
    network = engine.networks.create(f"{prefix}-net", driver="bridge")
    port = free_port()
    hub = engine.containers.run(
        HUB_IMAGE, ["jupyterhub", "-f", "/etc/baseline.py"], name=f"{prefix}-hub", detach=True, network=network.name,
        ports={"8000/tcp": ("127.0.0.1", port)},
        volumes={"/var/run/docker.sock": {"bind": "/var/run/docker.sock", "mode": "rw"},
                 str(HERE / "baseline_jupyterhub_config.py"): {"bind": "/etc/baseline.py", "mode": "ro"}},
        environment={"BENCH_LAB_IMAGE": LAB_IMAGE, "BENCH_NETWORK": network.name, "BENCH_PREFIX": prefix,
                     "BENCH_HUB_NAME": f"{prefix}-hub", "BENCH_TOKEN": token})
    url = f"http://127.0.0.1:{port}"
    wait_for_hub(url, hub.name, timeout=60)
    target = Target("plain DockerSpawner", url, token, engine, prefix)
    for user in users:
        target.api.post(f"/users/{user}")
    return target, [hub, network]


SAME_HUB = (("SANDLAB_LOCAL_MODEL", "off"),)  # both hubs alike: PostgreSQL (Swarm needs it), no local model


def measure_swarm(engine, users: list[str], args) -> dict:
    """Sandlab on this host, then on a single-node Swarm on this machine: the cost of Swarm's scheduling."""
    from tests.platform.swarm import Forwarder, swarm_engine

    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        target, instance = sandlab_target(engine, users, Path(workdir), name="sandlab, one host",
                                          postgres_password=secrets.token_hex(12), environment=SAME_HUB)
        try:
            results[target.name] = measure(target, users, args.singles, args.settle)
        finally:
            down(engine, instance, volumes=True)
        with swarm_engine([HUB_IMAGE, LAB_IMAGE, POSTGRES_IMAGE]) as node:
            port = free_port()
            forwarder = Forwarder(port, node.address)
            try:
                target, _ = sandlab_target(node.client(), users, Path(workdir), name="sandlab, swarm", port=port,
                                           bind=node.address, backend="swarm", docker_host=node.url,
                                           postgres_password=secrets.token_hex(12), environment=SAME_HUB)
                results[target.name] = measure(target, users, args.singles, args.settle)
            finally:
                forwarder.close()
    return results


def print_table(results: dict, learners: int) -> None:
    print(f"| spawner | 1 learner p50 | {learners} at once p50 | p95 | max | CPU-s per spawn | idle MiB |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['single_p50']:.2f} s | {r['p50']:.1f} s | {r['p95']:.1f} s | {r['max']:.1f} s "
              f"| {r['cpu_s']:.2f} | {r['idle_mib']:.0f} |")


def print_ratio(label: str, measured: dict, base: dict, learners: int) -> None:
    print(f"\n{label}: 1 learner {measured['single_p50'] / base['single_p50']:.2f}x, "
          f"{learners} at once (max) {measured['max'] / base['max']:.2f}x, "
          f"CPU {measured['cpu_s'] / base['cpu_s']:.2f}x, idle memory {measured['idle_mib'] / base['idle_mib']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--singles", type=int, default=5)
    parser.add_argument("--settle", type=float, default=30, help="Seconds idle before reading memory.")
    parser.add_argument("--swarm", action="store_true", help="Sandlab on Swarm against Sandlab on this host.")
    args = parser.parse_args()
    engine = client()
    users = [f"u{n:02d}" for n in range(1, args.learners + 1)]
    if args.swarm:
        results = measure_swarm(engine, users, args)
        print_table(results, args.learners)
        print_ratio("swarm / one host", results["sandlab, swarm"], results["sandlab, one host"], args.learners)
        return
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        baseline, leftovers = baseline_target(engine, users)
        try:
            results[baseline.name] = measure(baseline, users, args.singles, args.settle)
        finally:
            leftovers[0].remove(force=True)
            leftovers[1].remove()
        target, instance = sandlab_target(engine, users, Path(workdir))
        try:
            results[target.name] = measure(target, users, args.singles, args.settle)
        finally:
            down(engine, instance, volumes=True)
    print_table(results, args.learners)
    print_ratio("hardened / plain", results["sandlab (hardened)"], results["plain DockerSpawner"], args.learners)


if __name__ == "__main__":
    main()
