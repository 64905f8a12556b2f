"""The Docker engines holding the platform's volumes: one on a single host, every node's on Swarm.

A Swarm manager's API reaches no other node's volumes, and a home lives on the node of its
learner's servers (sandlab.hub.swarm_spawner). Closing a cohort, restoring a home and backing up
therefore talk to each node's own engine, at the address IT gives the node once as a label:

    docker node update --label-add sandlab.engine=ssh://admin@node2 node2

A node without it is unreachable for these commands, which then say so and lose nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import docker

from sandlab.hub.archive import volume_exists
from sandlab.hub.swarm import local_node, node_name

ENGINE_LABEL = "sandlab.engine"


class NodeUnreachable(RuntimeError):
    pass


@dataclass
class NodeEngine:
    """One node's engine, or why IT's commands cannot reach it."""

    name: str
    engine: docker.DockerClient | None
    why_not: str = ""

    def client(self) -> docker.DockerClient:
        if self.engine is None:
            raise NodeUnreachable(self.why_not)
        return self.engine


def engine_address_fix(name: str) -> str:
    return (f"give node {name} the address of its Docker engine: `docker node update --label-add "
            f"{ENGINE_LABEL}=ssh://<user>@<host> {name}` (or tcp://… with TLS)")


def connect(address: str) -> docker.DockerClient:
    """A client of the engine at ``address`` (ssh:// through the ssh command, as the docker CLI does)."""
    return docker.DockerClient(base_url=address, timeout=300, use_ssh_client=address.startswith("ssh://"))


def node_engines(engine: docker.DockerClient, backend: str) -> list[NodeEngine]:
    """The engine IT's commands talk to first, then (on Swarm) every other node's."""
    if backend != "swarm":
        return [NodeEngine("", engine)]
    here = local_node(engine)
    found = [NodeEngine(node_name(here.attrs), engine)]
    for node in engine.nodes.list():
        if node.id == here.id:
            continue
        name = node_name(node.attrs)
        address = (node.attrs["Spec"].get("Labels") or {}).get(ENGINE_LABEL)
        if not address:
            found.append(NodeEngine(name, None, f"node {name} may hold homes: {engine_address_fix(name)}"))
            continue
        try:
            reached = connect(address)
            reached.ping()
        except docker.errors.DockerException as error:
            found.append(NodeEngine(name, None, f"node {name}'s engine at {address} does not answer ({error}): "
                                                "check it, or correct its label"))
            continue
        found.append(NodeEngine(name, reached))
    return found


def locate(nodes: list[NodeEngine], volume: str) -> NodeEngine | None:
    """The node holding ``volume``; None when no node does. Raises NodeUnreachable when it is on no
    reachable node and some node cannot be asked: it may be there."""
    for node in nodes:
        if node.engine is not None and volume_exists(node.engine, volume):
            return node
    unreachable = [node.why_not for node in nodes if node.engine is None]
    if unreachable:
        raise NodeUnreachable(f"volume {volume} is on no node IT's commands reach; {unreachable[0]}")
    return None


def by_name(nodes: list[NodeEngine], name: str) -> NodeEngine:
    """The node called ``name`` (a home's node, from its archive's manifest; none: a single host's)."""
    if not name and nodes:
        return nodes[0]
    for node in nodes:
        if node.name == name:
            return node
    raise NodeUnreachable(f"node {name} is not in this swarm: bring it back under the same host name "
                          "(a home goes back to the node its learner's servers are pinned to)")
