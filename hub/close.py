"""`sandlab cohort close`: the end of a cohort, in steps that are each safe to run again.

1. The cohort is marked closed in the hub's state and the hub restarted: its learners can no
   longer log in (its trainers and IT still can: dashboard, gradebook).
2. Its servers are stopped.
3. Each member's home is archived (sandlab.hub.archive), the archive checked against a second
   reading of the volume, and only then the volume removed (``keep_volumes``: kept).
4. Its network and the pack volumes no open cohort uses any more are removed.

Interrupted anywhere, a re-run finds each home either still in its volume (archived again,
or its archive checked against it) or gone with a verified archive: nothing is lost. The
gradebook (the course volume), the surveys and the KPIs are kept.
"""

from __future__ import annotations

import json
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
    volume_digests,
    volume_exists,
)
from sandlab.hub.files import write_private
from sandlab.hub.networks import remove_cohort_networks
from sandlab.hub.platform import Instance, PlatformError, remove_servers, restart_if_running, run_on_state
from sandlab.hub.state import home_volume

CLOSURE = "closure.json"


@dataclass
class HomeClosed:
    user: str
    outcome: str  # archived, kept (archived, volume kept), no home (never started), failed
    files: int | None = None
    reason: str | None = None


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


def close_home(engine: docker.DockerClient, volume: str, target: HomeArchive, *, keep_volume: bool) -> HomeClosed:
    """Archive one home and remove its volume, or find it already done; never remove an unverified home."""
    try:
        if not volume_exists(engine, volume):
            if not target.exists():
                return HomeClosed(target.user, "no home")
            problems = target.problems()
            if problems:  # only reachable if someone removed the volume by hand
                return HomeClosed(target.user, "failed", reason="the home's volume is gone and its archive is "
                                  f"damaged: {problems[0]}")
            return HomeClosed(target.user, "archived", len(target.listed()))
        matches = target.exists() and not target.problems() and not differences(
            target.listed(), volume_digests(engine, volume), "")
        files = len(target.listed()) if matches else archive_home(engine, volume, target)
        if keep_volume:
            return HomeClosed(target.user, "kept", files)
        engine.volumes.get(volume).remove()
        return HomeClosed(target.user, "archived", files)
    except (ArchiveError, APIError, OSError) as error:
        return HomeClosed(target.user, "failed", reason=str(error))


def remove_unused_packs(engine: docker.DockerClient, instance: Instance, in_use: set[str]) -> list[str]:
    """Pack volumes of this instance no open cohort uses and no container mounts."""
    removed = []
    for volume in engine.volumes.list(filters={"label": "sandlab.pack"}):
        if not volume.name.startswith(f"{instance.name}-pack-") or volume.name in in_use:
            continue
        try:
            volume.remove()
            removed.append(volume.name)
        except APIError:  # still mounted by a server that has not stopped yet: the next close takes it
            continue
    return removed


def close_cohort(engine: docker.DockerClient, instance: Instance, cohort: str, folder: Path, *,
                 keep_volumes: bool = False, emit: Callable[[HomeClosed], None] = lambda home: None) -> Closure:
    marked = mark_closed(instance, cohort)
    restart_if_running(engine, instance)
    closure = Closure(cohort, marked["closed"], str(folder))
    closure.servers_stopped = remove_servers(engine, instance, cohort)
    for user in marked["homes"]:
        volume = home_volume(instance.name, user)
        home = close_home(engine, volume, HomeArchive(folder, user), keep_volume=keep_volumes)
        if home.outcome == "archived" and not volume_exists(engine, volume):
            closure.volumes_removed.append(volume)
        closure.homes.append(home)
        emit(home)
    if closure.complete:
        closure.networks_removed = remove_cohort_networks(engine, instance.name, cohort)
        closure.packs_removed = remove_unused_packs(engine, instance, set(marked["packs_in_use"]))
    folder.mkdir(parents=True, exist_ok=True)
    write_private(folder / CLOSURE, json.dumps(closure.as_dict(), indent=1))
    return closure
