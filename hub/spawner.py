"""One hardened container per learner, configured from the learner's cohort.

Every container gets: the learners' internal network (no route out, not even to the
host), uid 1000, no capabilities, no-new-privileges, pids, memory and CPU limits, the
cohort's pack read-only at ~/data, a persistent volume for the whole home (first filled
from the image: the welcome notebook, ~/work), no Docker socket and none of the hub's
environment. Learners choose nothing: no image, no options. A trainer's server is their
authoring workspace: the trainer image (the labs' sources), the cohort's course (formgrader)
and the pack's answers, read-only, which no learner's server ever mounts.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from dockerspawner import DockerSpawner
from traitlets import Dict, HasTraits, Unicode

from sandlab.cohort import AssistantPolicy
from sandlab.hub.access import closed_notice
from sandlab.hub.networks import cohort_network, network_settings
from sandlab.hub.services import ASSISTANT, EXCHANGE, KPIS, LIBRARY
from sandlab.hub.state import (
    AppliedCohort,
    answers_volume,
    course_labels,
    course_volume,
    home_labels,
    home_volume,
)
from sandlab.images.names import TRAINER_IMAGE
from sandlab.labs.paths import SANDBOX_ANSWERS
from sandlab.sandbox import HOME, LEARNER_UID, Hardening

DATA = f"{HOME}/data"
COURSE = f"{HOME}/course"
ANSWERS = SANDBOX_ANSWERS.replace("~", HOME, 1)  # where the validator and labs read the ground truth
TRAINER_CONFIG = "/opt/sandlab/etc/jupyter/trainer"  # enables nbgrader's formgrader on the course
# What a learner server's own token needs: report activity, be reached by its owner, fetch
# and submit labs through the exchange service (nbgrader's Assignments tab uses it), and
# record its kernel activity and survey answers with the KPI service; a trainer's, publish to
# the lab library. The hub gives a token only what its owner may do: a learner's gets no library.
SERVER_TOKEN_SCOPES = ["users:activity!user", "access:servers!server", EXCHANGE.access_scope, KPIS.access_scope,
                       ASSISTANT.access_scope, LIBRARY.access_scope]


def assistant_environment(instance: str, policy: AssistantPolicy) -> dict[str, str]:
    """Where a learner's clients find the assistant (the gateway serves a cohort's learners only):
    `openai` reads OPENAI_BASE_URL, and the server's start sets OPENAI_API_KEY to the learner's own
    hub token (images/lab/jupyter_server_config.py)."""
    if not policy.enabled:
        return {}
    url = ASSISTANT.api_url(instance)
    return {"OPENAI_BASE_URL": url, "SANDLAB_ASSISTANT_URL": url, "SANDLAB_ASSISTANT_MODEL": policy.model}


class SpawnRefused(RuntimeError):
    """Shown on the learner's spawn page: say what is wrong and who can fix it."""


class CohortSpawner(HasTraits):
    """What a member's server is, whatever runs it (one container, or a Swarm service): the
    cohort's image, network, volumes, limits and environment. The engine's own class says how."""

    instance = Unicode("sandlab", config=True, help="Prefix of every container, volume and network of this hub.")
    cohorts = Dict(config=True, help="Applied cohorts by member name (filled from the hub's state).")
    volume_labels = Dict(help="The labels of each volume the server mounts, by name (set at each start).")
    swarm = False  # a Swarm service: its cohort network spans the nodes (sandlab.hub.networks)

    def _placement(self) -> AppliedCohort:
        applied = self.cohorts.get(self.user.name)
        if applied is None:
            raise SpawnRefused(f"{self.user.name} is in no applied cohort: ask IT to add them to a cohort "
                               "and run `sandlab hub apply`")
        return applied

    def home_volume(self) -> str:
        return home_volume(self.instance, self.escaped_name)

    async def _check_image(self, applied: AppliedCohort, image: str) -> None:
        from docker.errors import ImageNotFound

        try:
            await self.docker("inspect_image", image)
        except ImageNotFound:
            raise SpawnRefused(f"the lab image '{image}' of cohort {applied.cohort.name} is not "
                               "on this Docker engine: IT runs `sandlab images build`") from None

    async def _check_pack(self, applied: AppliedCohort) -> None:
        from docker.errors import NotFound

        try:
            await self.docker("inspect_volume", applied.pack_volume)
        except NotFound:
            raise SpawnRefused(f"the dataset pack of cohort {applied.cohort.name} is missing "
                               f"(volume {applied.pack_volume}): IT re-runs `sandlab hub apply`") from None

    async def _cohort_network(self, cohort: str) -> str:
        """The cohort's own network, with the hub on it. `sandlab hub apply` makes it; made here too
        if it went missing (a hub brought back on a fresh engine), so a spawn never fails for it."""
        from docker.errors import APIError, NotFound

        name = cohort_network(self.instance, cohort)
        try:
            network = await self.docker("inspect_network", name)
        except NotFound:
            with contextlib.suppress(APIError):  # another learner of the cohort may be making it right now
                await self.docker("create_network", name, **network_settings(self.instance, cohort, swarm=self.swarm))
            network = await self.docker("inspect_network", name)
        hub = f"{self.instance}-hub"
        if not any(member.get("Name") == hub for member in (network.get("Containers") or {}).values()):
            try:
                await self.docker("connect_container_to_network", hub, name)
            except APIError as error:
                if "already exists" not in str(error):
                    raise
        return name

    async def _labelled_volume(self, name: str, labels: dict[str, str]) -> None:
        """Create a volume with its instance and cohort labels (one docker makes on the fly has none),
        so that closing, archiving or backing up a cohort finds all of it."""
        from docker.errors import NotFound

        try:
            await self.docker("inspect_volume", name)
        except NotFound:
            await self.docker("create_volume", name=name, labels=labels)

    def _harden(self, hardening: Hardening, labels: dict[str, str], role: str) -> None:
        """Put the sandbox's rules (sandlab.sandbox) into the engine's own terms."""
        raise NotImplementedError

    async def start(self):
        applied = self._placement()
        cohort = applied.cohort
        member = next(m for m in cohort.members if m.name == self.user.name)
        limits = cohort.trainer_limits if member.role == "trainer" else cohort.limits
        notice = closed_notice(cohort, member, datetime.now(UTC))
        if notice:
            raise SpawnRefused(notice)
        image = TRAINER_IMAGE if member.role == "trainer" else cohort.image  # trainers': with the labs' sources
        await self._check_image(applied, image)
        if applied.open:  # else its staff only, and no pack: it was removed with the cohort's homes
            await self._check_pack(applied)
        self.user_options = {}  # learners choose nothing: no image, no options, not even by the API
        self.image = image
        self.network_name = await self._cohort_network(cohort.name)
        self.volume_labels = {self.home_volume(): home_labels(self.instance, cohort.name, self.user.name)}
        self.volumes = {self.home_volume(): HOME}
        if applied.open:
            self.volumes[applied.pack_volume] = {"bind": DATA, "mode": "ro"}
        self.environment = {
            "SANDLAB_COHORT": cohort.name,
            "SANDLAB_PERSONA": member.persona or "",
            "SANDLAB_DATA": DATA,
            "SANDLAB_LANGUAGE": cohort.language_of(member),
            "SANDLAB_EXCHANGE_URL": EXCHANGE.url(self.instance),
            "SANDLAB_KPIS_URL": KPIS.url(self.instance),
            **(assistant_environment(self.instance, cohort.assistant) if member.role == "learner" else {}),
        }
        if member.role == "trainer":  # grades in the cohort's course with nbgrader's formgrader
            course = course_volume(self.instance, cohort.name)
            self.volume_labels[course] = course_labels(self.instance, cohort.name)
            self.volumes[course] = {"bind": COURSE, "mode": "rw"}
            self.environment.update(JUPYTER_CONFIG_PATH=TRAINER_CONFIG, SANDLAB_ROLE="trainer",
                                    SANDLAB_LIBRARY_URL=LIBRARY.url(self.instance))
            if applied.open:  # the ground truth, to write and validate labs against (sandlab.labs.workspace)
                self.volumes[answers_volume(applied.pack_volume)] = {"bind": ANSWERS, "mode": "ro"}
        self._harden(limits.hardening(), {"sandlab.instance": self.instance, "sandlab.cohort": cohort.name},
                     member.role)
        await self._make_volumes()
        return await super().start()

    async def _make_volumes(self) -> None:
        for name, labels in self.volume_labels.items():
            await self._labelled_volume(name, labels)


class SandlabSpawner(CohortSpawner, DockerSpawner):
    """One hardened container per member, on this Docker engine."""

    def _harden(self, hardening: Hardening, labels: dict[str, str], role: str) -> None:
        self.extra_host_config = hardening.host_config()
        self.extra_create_kwargs = {"user": LEARNER_UID, "working_dir": HOME, "labels": labels}
