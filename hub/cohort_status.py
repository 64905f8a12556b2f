"""`sandlab cohort status`: each member of a cohort as IT needs to see them during a session.

From the engine: the server's state, when it started, CPU and memory now, whether it runs the
cohort's current lab image, and the disk its home uses. From the hub's state (in the hub
image, as every read of the state): the last activity the platform recorded and the labs
released to and submitted by each learner.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

import docker

from sandlab.cohort import Cohort
from sandlab.hub.platform import Instance, PlatformError, run_on_state
from sandlab.hub.state import home_volume
from sandlab.hub.swarm import SERVICE_LABEL, server_nodes

HOMES = "/homes"


@dataclass
class MemberStatus:
    name: str
    role: str
    persona: str | None
    server: str  # running, exited, ... or "none"
    node: str | None = None  # on Swarm, the node it runs on (where its home is)
    started_at: str | None = None
    cpu_percent: float | None = None
    memory_mib: float | None = None
    current_image: bool | None = None  # False: started before the cohort's image was rebuilt
    home_mib: float | None = None
    last_activity: str | None = None
    released: int = 0
    submitted: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def cpu_percent(stats: dict) -> float | None:
    """docker stats' formula: the container's share of the machine's CPU time since the last sample."""
    cpu, previous = stats.get("cpu_stats", {}), stats.get("precpu_stats", {})
    used = cpu.get("cpu_usage", {}).get("total_usage", 0) - previous.get("cpu_usage", {}).get("total_usage", 0)
    system = cpu.get("system_cpu_usage", 0) - previous.get("system_cpu_usage", 0)
    if system <= 0 or used < 0:
        return None
    return round(100.0 * used / system * cpu.get("online_cpus", 1), 1)


def memory_mib(stats: dict) -> float | None:
    memory = stats.get("memory_stats", {})
    if "usage" not in memory:
        return None
    cache = memory.get("stats", {}).get("inactive_file", memory.get("stats", {}).get("cache", 0))
    return round((memory["usage"] - cache) / 2**20, 1)


def home_sizes(engine: docker.DockerClient, image: str, volumes: dict[str, str]) -> dict[str, float]:
    """MiB used by each home volume (user -> volume), measured by one throw-away container that
    mounts them all read-only, with no network and only the right to read."""
    if not volumes:
        return {}
    mounts = {volume: {"bind": f"{HOMES}/{user}", "mode": "ro"} for user, volume in volumes.items()}
    output = engine.containers.run(image, ["sh", "-c", f"du -sk {HOMES}/* 2>/dev/null; true"], user="0:0",
                                   network_mode="none", cap_drop=["ALL"], cap_add=["DAC_READ_SEARCH"],
                                   security_opt=["no-new-privileges"], volumes=mounts, remove=True)
    sizes = {}
    for line in output.decode().splitlines():
        kib, _, path = line.partition("\t")
        if kib.isdigit():
            sizes[path.rsplit("/", 1)[-1]] = round(int(kib) / 1024, 1)
    return sizes


def platform_records(instance: Instance, cohort: str) -> dict[str, dict]:
    done = run_on_state(instance, "python", "-m", "sandlab.hub.manage", "status", cohort)
    if done.returncode != 0:
        raise PlatformError(f"reading cohort {cohort}'s records: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    return json.loads(done.stdout)


def cohort_status(engine: docker.DockerClient, instance: Instance, cohort: Cohort) -> list[MemberStatus]:
    try:
        current = engine.images.get(cohort.image).id
    except docker.errors.ImageNotFound:
        current = None
    listed = engine.containers.list(all=True, filters={"label": f"sandlab.cohort={cohort.name}"})
    containers = {}
    for container in listed:  # a service's are named after its task, and an older task's may linger
        if container.labels.get("sandlab.instance") != instance.name:
            continue
        server = container.labels.get(SERVICE_LABEL, container.name)
        if server not in containers or container.status == "running":
            containers[server] = container
    services = server_nodes(engine, instance.name) if instance.swarm else {}
    found = [MemberStatus(m.name, m.role, m.persona, "none") for m in cohort.members]

    def observe(member: MemberStatus) -> None:
        server = f"{instance.name}-lab-{member.name}"
        if server in services:  # on Swarm: the task's state and node, its container only if it runs here
            member.server, member.node = services[server]["state"], services[server]["node"]
            member.started_at = services[server]["since"]
        container = containers.get(server)
        if container is None:
            return
        member.server = container.status
        member.started_at = container.attrs["State"].get("StartedAt")
        member.current_image = container.image.id == current if current else None
        if container.status == "running":
            stats = container.stats(stream=False)  # two samples a second apart: CPU needs both
            member.cpu_percent, member.memory_mib = cpu_percent(stats), memory_mib(stats)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(observe, found))
    existing = {volume.name for volume in engine.volumes.list(filters={"name": home_volume(instance.name, "")})}
    homes = {member.name: home_volume(instance.name, member.name) for member in found
             if home_volume(instance.name, member.name) in existing}
    sizes = home_sizes(engine, cohort.image, homes) if current else {}
    records = platform_records(instance, cohort.name)
    for member in found:
        member.home_mib = sizes.get(member.name)
        record = records.get(member.name, {})
        member.last_activity = record.get("last_activity")
        member.released, member.submitted = record.get("released", 0), record.get("submitted", 0)
    return found
