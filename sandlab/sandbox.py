"""The one definition of a hardened container for learner code.

Learner code is untrusted wherever it runs: in the learner's server (the spawner), when a
trainer validates a lab inside the image, and when a submission is graded. All three take
their container settings from here, so a new rule lands everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass

LEARNER_ID = 1000  # uid and gid of every server, learners' and trainers', and of grading sandboxes
LEARNER_UID = f"{LEARNER_ID}:{LEARNER_ID}"
HOME = "/home/learner"
CPU_PERIOD_US = 100_000


@dataclass(frozen=True)
class Hardening:
    """What a container running learner code may use and do.

    No capabilities, no privilege gain (setuid binaries stay powerless), the learner's uid,
    and limits on memory (swap included, so a hog cannot page its way out), CPU and
    processes (a fork bomb stops at ``pids``). ``init`` reaps orphans and forwards signals.
    """

    memory_bytes: int = 2 * 2**30
    cpus: float = 1.0
    pids: int = 512

    def host_config(self) -> dict:
        """Host settings in docker-py's terms (``create_host_config`` and ``containers.create``)."""
        return {
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges"],
            "pids_limit": self.pids,
            "mem_limit": self.memory_bytes,
            "memswap_limit": self.memory_bytes,
            "cpu_period": CPU_PERIOD_US,  # period and quota, as dockerspawner writes a CPU limit
            "cpu_quota": int(self.cpus * CPU_PERIOD_US),
            "init": True,
        }

    def service_container_spec(self) -> dict:
        """The rules a Swarm service's container spec carries (docker-py's ``ContainerSpec``). A
        service has no no-new-privileges setting on API 1.41: each node's engine runs with
        ``--no-new-privileges``, its default for every container (docs/scaling.md)."""
        return {"cap_drop": ["ALL"], "init": True, "user": LEARNER_UID}

    def service_limits(self) -> dict:
        """Memory, CPU and processes as a Swarm service's resource limits (the engine API's own
        terms: docker-py has no word for ``Pids``). A service cannot cap swap: nodes run without."""
        return {"Limits": {"MemoryBytes": self.memory_bytes, "NanoCPUs": int(self.cpus * 1e9), "Pids": self.pids}}

    def create_kwargs(self, *, network: str | None = None) -> dict:
        """Everything ``containers.create`` needs beside the image and command; no network
        at all unless ``network`` is named."""
        return {**self.host_config(), "user": LEARNER_UID,
                "network_mode": network or "none", "environment": {"HOME": HOME}}
