"""The Swarm backend's facts about nodes: which hold a cohort's pack, which node a server runs on.

IT chooses the backend with one setting, ``SANDLAB_BACKEND=swarm`` (the engine DOCKER_HOST
names is then a Swarm manager). A pack is a volume on a node; a node gets the label of each
pack it holds, and learners of a cohort run only on nodes with its pack's label, so a learner
never finds an empty ~/data.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import docker

BACKENDS = ("docker", "swarm")
SERVICE_LABEL = "com.docker.swarm.service.name"  # on each container of a service's task
NEEDS_POSTGRES = "on Swarm the hub's database is PostgreSQL: `POSTGRES_PASSWORD=... sandlab hub up --postgres`"


class NotAManager(RuntimeError):
    pass


def backend(environ: Mapping[str, str] = os.environ) -> str:
    chosen = environ.get("SANDLAB_BACKEND", "docker") or "docker"
    if chosen not in BACKENDS:
        raise ValueError(f"SANDLAB_BACKEND={chosen!r}: choose one of {', '.join(BACKENDS)}")
    return chosen


@dataclass(frozen=True)
class PackConstraint:
    """The node label saying a node holds a pack's volume, and the placement constraint requiring it."""

    volume: str

    @property
    def label(self) -> str:
        return f"sandlab.pack.{self.volume}"

    def __str__(self) -> str:
        return f"node.labels.{self.label}==true"


def node_name(node: dict) -> str:
    """A node as IT knows it: its hostname (its ID when the engine does not say)."""
    return node.get("Description", {}).get("Hostname") or node.get("ID", "?")[:12]


def local_node(engine: docker.DockerClient):
    """This engine's own node, which must be a manager: the hub runs there and schedules learners."""
    swarm = engine.info().get("Swarm", {})
    if swarm.get("LocalNodeState") != "active" or not swarm.get("ControlAvailable"):
        raise NotAManager("SANDLAB_BACKEND=swarm, but this Docker engine is not a Swarm manager: run "
                          "`docker swarm init` here (or point DOCKER_HOST at a manager)")
    return engine.nodes.get(swarm["NodeID"])


def label_node(node, label: str, value: str = "true") -> None:
    """Give ``node`` the label ``label=value`` (its other labels kept)."""
    node.reload()
    spec = node.attrs["Spec"]
    labels = spec.get("Labels") or {}
    if labels.get(label) != value:
        node.update({**spec, "Labels": {**labels, label: value}})


def unlabel_node(node, label: str) -> None:
    """Take the label ``label`` off ``node`` (its other labels kept)."""
    node.reload()
    spec = node.attrs["Spec"]
    labels = dict(spec.get("Labels") or {})
    if labels.pop(label, None) is not None:
        node.update({**spec, "Labels": labels})


def mark_pack(engine: docker.DockerClient, volume: str) -> None:
    """Label this node as holding ``volume`` (loaded on it just before), so the cohort's learners may run here."""
    label_node(local_node(engine), PackConstraint(volume).label)


def server_nodes(engine: docker.DockerClient, instance: str) -> dict[str, dict]:
    """Each running learner service of ``instance``, by service name: its task's node and state."""
    names = {node.id: node_name(node.attrs) for node in engine.nodes.list()}
    found = {}
    for service in engine.services.list(filters={"label": f"sandlab.instance={instance}"}):
        tasks = sorted(service.tasks(), key=lambda task: task.get("CreatedAt", ""))
        if tasks:
            task = tasks[-1]
            found[service.name] = {"node": names.get(task.get("NodeID"), task.get("NodeID") or "-"),
                                   "state": task["Status"]["State"], "since": task["Status"].get("Timestamp")}
    return found
