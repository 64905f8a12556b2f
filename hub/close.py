"""`sandlab cohort close`: the end of a cohort, in steps that are each safe to run again.

1. The cohort is marked closed in the hub's state and the hub restarted: its learners can no
   longer log in (its trainers and IT still can: dashboard, gradebook).
2. Its servers are stopped.
3. Each member's home is archived (sandlab.hub.archive), the archive checked against a second
   reading of the volume, and only then the volume removed (``keep_volumes``: kept). On Swarm a
   home is on its node, reached through that node's engine (sandlab.hub.nodes).
4. Its network and the pack volumes no open cohort uses any more are removed (on every node).

Interrupted anywhere, a re-run finds each home either still in its volume (archived again,
or its archive checked against it) or gone with a verified archive: nothing is lost. The
gradebook (the course volume), the surveys and the KPIs are kept.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import docker
from docker.errors import APIError

from sandlab.hub.archive import (
    ArchiveError,
    HomeArchive,
    archive_home,
    differences,
    restore_home,
    volume_digests,
)
from sandlab.hub.files import write_private
from sandlab.hub.networks import remove_cohort_networks
from sandlab.hub.nodes import NodeEngine, NodeUnreachable, by_name, locate, node_engines
from sandlab.hub.platform import Instance, PlatformError, remove_servers, restart_if_running, run_on_state
from sandlab.hub.state import answers_volume, home_volume
from sandlab.hub.swarm import SERVICE_LABEL, PackConstraint, node_name, unlabel_node

CLOSURE = "closure.json"


@dataclass
class HomeClosed:
    user: str
    outcome: str  # archived, kept (archived, volume kept), no home (never started), failed
    files: int | None = None
    reason: str | None = None
    node: str = ""  # the Swarm node the home was on


@dataclass
class Closure:
    cohort: str
    closed: str
    folder: str
    servers_stopped: list[str] = field(default_factory=list)
    homes: list[HomeClosed] = field(default_factory=list)
    volumes_removed: list[str] = field(default_factory=list)
    networks_removed: list[str] = field(default_factory=list)
    packs_removed: list[str] = field(default_factory=list)
    packs_kept: list[str] = field(default_factory=list)  # unused but still mounted: the next close takes them

    @property
    def complete(self) -> bool:
        return all(home.outcome != "failed" for home in self.homes)

    def as_dict(self) -> dict:
        return {**asdict(self), "complete": self.complete}


def mark_closed(instance: Instance, cohort: str) -> dict:
    done = run_on_state(instance, "python", "-m", "sandlab.hub.manage", "close", cohort)
    if done.returncode != 0:
        raise PlatformError(f"closing cohort {cohort}: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    return json.loads(done.stdout)


def close_home(nodes: list[NodeEngine], volume: str, target: HomeArchive, *, keep_volume: bool) -> HomeClosed:
    """Archive one home and remove its volume, or find it already done; never remove an unverified home."""
    try:
        node = locate(nodes, volume)
        if node is None:
            if not target.exists():
                return HomeClosed(target.user, "no home")
            problems = target.problems()
            if problems:  # only reachable if someone removed the volume by hand
                return HomeClosed(target.user, "failed", reason="the home's volume is gone and its archive is "
                                  f"damaged: {problems[0]}")
            return HomeClosed(target.user, "archived", len(target.listed()), node=target.node())
        engine = node.client()
        matches = target.exists() and not target.problems() and target.node() == node.name and not differences(
            target.listed(), volume_digests(engine, volume), "")
        files = len(target.listed()) if matches else archive_home(engine, volume, target, node.name)
        if keep_volume:
            return HomeClosed(target.user, "kept", files, node=node.name)
        engine.volumes.get(volume).remove()
        return HomeClosed(target.user, "archived", files, node=node.name)
    except (ArchiveError, NodeUnreachable, APIError, OSError) as error:
        return HomeClosed(target.user, "failed", reason=str(error))


def remove_unused_packs(engine: docker.DockerClient, nodes: list[NodeEngine], instance: Instance,
                        in_use: set[str], kept: list[str] | None = None) -> list[str]:
    """Pack volumes (and their answers) of this instance no open cohort uses and no container mounts, on
    every node reached; on Swarm, each node loses the pack's label first, so no server goes there meanwhile."""
    removed = []
    in_use = in_use | {answers_volume(volume) for volume in in_use}
    kinds = (f"{instance.name}-pack-", f"{instance.name}-answers-")
    labelled = {node_name(node.attrs): node for node in engine.nodes.list()} if instance.backend == "swarm" else {}
    for node in nodes:
        if node.engine is None:
            continue
        for volume in node.engine.volumes.list(filters={"label": "sandlab.pack"}):
            if not volume.name.startswith(kinds) or volume.name in in_use:
                continue
            if node.name in labelled:
                unlabel_node(labelled[node.name], PackConstraint(volume.name).label)
                remove_leftover_tasks(engine, node.engine, instance, volume.name)
            try:
                volume.remove()
                removed.append(f"{volume.name}@{node.name}" if node.name else volume.name)
            except APIError as error:  # still mounted by a server that has not stopped yet: the next close takes it
                if kept is not None:
                    kept.append(f"{volume.name}@{node.name}: {error.explanation or error}")
    return removed


def await_servers_gone(nodes: list[NodeEngine], services: set[str], timeout: float = 90) -> None:
    """On Swarm a removed service's container stops on its node a little later, and holds the home until
    then: wait for them to go (removing those already stopped), so that a home is archived at rest."""
    deadline = time.monotonic() + timeout
    while services:
        holders = [container for node in nodes if node.engine is not None
                   for container in node.engine.containers.list(all=True, filters={"label": SERVICE_LABEL})
                   if container.labels.get(SERVICE_LABEL) in services]
        for container in holders:
            if container.status != "running":
                with contextlib.suppress(APIError):  # its node may be removing it too
                    container.remove()
        if not holders or time.monotonic() > deadline:
            return
        time.sleep(1)


def remove_leftover_tasks(manager: docker.DockerClient, engine: docker.DockerClient, instance: Instance,
                          volume: str) -> None:
    """A node may keep the stopped container of a task whose service is gone (a pack copy's job): it
    holds the volume. Only such containers of this instance's services go, never a running one."""
    services = {service.name for service in manager.services.list()}
    for container in engine.containers.list(all=True, filters={"volume": volume}):
        service = container.labels.get(SERVICE_LABEL, "")
        if container.status != "running" and service.startswith(f"{instance.name}-") and service not in services:
            container.remove()


def close_cohort(engine: docker.DockerClient, instance: Instance, cohort: str, folder: Path, *,
                 keep_volumes: bool = False, emit: Callable[[HomeClosed], None] = lambda home: None) -> Closure:
    marked = mark_closed(instance, cohort)
    restart_if_running(engine, instance)
    closure = Closure(cohort, marked["closed"], str(folder))
    closure.servers_stopped = remove_servers(engine, instance, cohort)
    nodes = node_engines(engine, instance.backend)
    if instance.backend == "swarm":
        await_servers_gone(nodes, set(closure.servers_stopped))
    for user in marked["homes"]:
        volume = home_volume(instance.name, user)
        home = close_home(nodes, volume, HomeArchive(folder, user), keep_volume=keep_volumes)
        if home.outcome == "archived":  # its volume is gone, now or at an earlier run
            closure.volumes_removed.append(volume)
        closure.homes.append(home)
        emit(home)
    if closure.complete:
        closure.networks_removed = remove_cohort_networks(engine, instance.name, cohort)
        closure.packs_removed = remove_unused_packs(engine, nodes, instance, set(marked["packs_in_use"]),
                                                     closure.packs_kept)
    folder.mkdir(parents=True, exist_ok=True)
    write_private(folder / CLOSURE, json.dumps(closure.as_dict(), indent=1))
    return closure


def restore_closed_home(engine: docker.DockerClient, instance: Instance, volume: str, source: HomeArchive,
                        labels: dict[str, str]) -> tuple[str, int]:
    """Bring an archived home back to the node it was archived from (refused if the member has a home
    on any node): its node and file count."""
    nodes = node_engines(engine, instance.backend)
    found = locate(nodes, volume)
    if found is not None:
        raise ArchiveError(f"volume {volume} exists already{f' on node {found.name}' if found.name else ''} "
                           "(remove it first to replace it with the archive)")
    problems = source.problems()
    if problems:
        raise ArchiveError("; ".join(problems))
    node = by_name(nodes, source.node())
    return node.name, restore_home(node.client(), volume, source, labels)
