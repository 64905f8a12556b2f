"""Learners' servers as Docker Swarm services, with the single host's promises kept.

Each server is a one-task service on its cohort's overlay network (internal, attachable),
reached at its task's address (``dnsrr`` endpoints: no virtual IP, which needs IPVS, and no
published port, which would add routes out). Its container carries the sandbox's rules
(sandlab.sandbox): uid 1000, no capabilities, an init, memory, CPU and process limits; each
node's engine adds no-new-privileges to every container (docs/scaling.md).

Homes stay on one node: a member's first server goes to a node holding the cohort's pack, and
every later one to the node that holds their home (the node's host name is kept in the
spawner's state, which survives a stop). A drained node therefore moves no one's files: its learners wait for
it, and the spawn page says so. A trainer's server runs on the hub's manager, where the grading
desk keeps the cohort's course.
"""

from __future__ import annotations

from docker.types import Mount, RestartPolicy
from dockerspawner import SwarmSpawner
from traitlets import Unicode

from sandlab.hub.spawner import CohortSpawner, SpawnRefused
from sandlab.hub.state import AppliedCohort
from sandlab.hub.swarm import PackConstraint, node_name
from sandlab.sandbox import HOME, Hardening


class SandlabSwarmSpawner(CohortSpawner, SwarmSpawner):
    """One hardened one-task service per member, on a Docker Swarm."""

    swarm = True
    node = Unicode("", help="The Swarm node holding this member's home (its host name), once a server ran: a "
                   "host name, so that a node rebuilt under the same name, its homes restored, takes them back.")
    manager_node = Unicode("", help="The manager this hub drives (its ID): where courses and the hub's state are.")

    async def _check_pack(self, applied: AppliedCohort) -> None:
        """A node may run the cohort's learners only once the pack is on it (`sandlab hub apply`)."""
        nodes = await self.docker("nodes", filters={"node.label": PackConstraint(applied.pack_volume).label})
        if not nodes:
            raise SpawnRefused(f"no Swarm node holds the dataset pack of cohort {applied.cohort.name} "
                               f"(volume {applied.pack_volume}): IT re-runs `sandlab hub apply`")

    async def _make_volumes(self) -> None:
        """Nothing to make on the manager: a volume is made on the node that runs the server, by its mount."""

    async def _check_home_node(self) -> None:
        if not self.node:
            return
        from docker.errors import NotFound

        try:
            found = await self.docker("inspect_node", self.node)
        except NotFound:
            raise SpawnRefused(f"the Swarm node that holds {self.user.name}'s files has left the swarm: "
                               "IT brings it back, or restores the home from a backup") from None
        availability, state = found["Spec"].get("Availability"), found["Status"].get("State")
        if availability != "active" or state != "ready":
            raise SpawnRefused(f"the Swarm node that holds {self.user.name}'s files ({node_name(found)}) is "
                               f"{state if state != 'ready' else availability}: IT makes it active again "
                               f"(`docker node update --availability active {node_name(found)}`)")

    @property
    def mounts(self) -> list[Mount]:
        """Named volumes on the node (dockerspawner binds host folders), labelled as on a single host."""
        return [Mount(target=spec["bind"], source=name, type="volume", read_only=spec["mode"] == "ro",
                      labels=self.volume_labels.get(name))
                for name, spec in self.volume_binds.items()]

    def _harden(self, hardening: Hardening, labels: dict[str, str], role: str) -> None:
        self.use_internal_ip = True  # reached at its task's address on the overlay, no published port
        self.extra_container_spec = {**hardening.service_container_spec(), "workdir": HOME, "labels": labels}
        constraints = [f"node.hostname=={self.node}"] if self.node else []
        if role == "trainer":  # the course (gradebook, submissions) is on the node the grading desk uses
            constraints.append(f"node.id=={self.manager_node}")
        applied = self._placement()
        if applied.open:
            constraints.append(str(PackConstraint(applied.pack_volume)))
        self.extra_task_spec = {"resources": hardening.service_limits(),
                                "restart_policy": RestartPolicy(condition="none"),  # the hub sees it stop
                                "placement": constraints}
        self.extra_endpoint_spec = {"mode": "dnsrr"}
        self.extra_create_kwargs = {"labels": labels}

    async def get_ip_and_port(self) -> tuple[str, int]:
        """The task's own address on the cohort network, not the service's name: a name is cached by
        the hub's HTTP client, and a server restarted within that time gets a new address."""
        task = await self.get_task()
        for attachment in (task or {}).get("NetworksAttachments") or []:
            if attachment["Network"]["Spec"]["Name"] == self.network_name and attachment.get("Addresses"):
                return attachment["Addresses"][0].split("/")[0], self.port
        raise RuntimeError(f"service {self.service_name} has no address on {self.network_name} yet")

    async def start(self):
        await self._check_home_node()
        self.manager_node = (await self.docker("info"))["Swarm"]["NodeID"]  # the hub's, and IT's commands' node
        started = await super().start()
        task = await self.get_task()
        if task and task.get("NodeID"):
            self.node = node_name(await self.docker("inspect_node", task["NodeID"]))
        return started

    def get_state(self) -> dict:
        """The home's node is kept, also once the server stopped (JupyterHub's clear_state leaves it)."""
        state = super().get_state()
        if self.node:
            state["node"] = self.node
        return state

    def load_state(self, state: dict) -> None:
        super().load_state(state)
        self.node = state.get("node", self.node)
