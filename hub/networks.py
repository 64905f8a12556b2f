"""One internal network per cohort: a cohort's learners reach the hub and each other's server
ports (which still answer 403 to anyone but their owner), never another cohort's containers.

Each network is internal (no gateway out) and gives the host no address on its bridge, like
the compose file's `learners` network: a learner reaches the hub and nothing else, not even a
service listening on the host. The spawner makes a cohort's network at its first learner's
spawn and attaches the hub to it (sandlab.hub.spawner); `sandlab hub up` attaches a recreated
hub container to every one again, so it still reaches the servers that kept running.
"""

from __future__ import annotations

import docker

LEARNERS_LABEL = "sandlab.network"


def cohort_network(instance: str, cohort: str) -> str:
    return f"{instance}-learners-{cohort}"


def network_settings(instance: str, cohort: str, *, swarm: bool = False) -> dict:
    """How a cohort network is made (docker-py's high- and low-level clients take the same keywords).
    On Swarm, an overlay across the nodes, internal too: attachable, so that the hub, a plain
    container on a manager, joins it; no service on it publishes a port (a published port would add
    the ingress and docker_gwbridge routes out)."""
    labels = {"sandlab.instance": instance, "sandlab.cohort": cohort, LEARNERS_LABEL: "learners"}
    if swarm:
        return {"driver": "overlay", "internal": True, "attachable": True, "check_duplicate": True,
                "labels": labels}
    return {"driver": "bridge", "internal": True, "check_duplicate": True,
            "options": {"com.docker.network.bridge.inhibit_ipv4": "true"}, "labels": labels}


def cohort_networks(engine: docker.DockerClient, instance: str) -> list:
    return [network for network in engine.networks.list(filters={"label": f"sandlab.instance={instance}"})
            if network.attrs.get("Labels", {}).get(LEARNERS_LABEL) == "learners"]


def attach_hub(engine: docker.DockerClient, instance: str, hub_container: str) -> None:
    """Connect the hub to every cohort network it is not on yet (a recreated hub container is on none)."""
    hub = engine.containers.get(hub_container)
    joined = set(hub.attrs["NetworkSettings"]["Networks"])
    for network in cohort_networks(engine, instance):
        if network.name not in joined:
            network.connect(hub)


def remove_cohort_networks(engine: docker.DockerClient, instance: str, cohort: str | None = None) -> list[str]:
    """Remove the instance's cohort networks (only ``cohort``'s if given), the hub disconnected first."""
    removed = []
    for network in cohort_networks(engine, instance):
        if cohort is not None and network.name != cohort_network(instance, cohort):
            continue
        network.reload()
        for endpoint in network.attrs.get("Containers") or {}:
            if endpoint.startswith("lb-"):  # an overlay's own load-balancer endpoint, no container
                continue
            network.disconnect(endpoint, force=True)
        network.remove()
        removed.append(network.name)
    return removed
