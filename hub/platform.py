"""IT's side of the platform: apply a cohort, start and stop the hub, from the host.

The hub's state lives in a Docker volume and is written by the hub image itself
(`python -m sandlab.hub.manage`), so the host needs nothing but an engine and the images.
A cohort's pack is copied once into a volume named after its manifest's digest: a new
pack never changes the files under a running learner.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import httpx

from sandlab.cohort import Cohort, LearnerPlan
from sandlab.engine import cli, container_exists, image_exists
from sandlab.hub.networks import attach_hub, remove_cohort_networks
from sandlab.hub.state import STATE_DIR, AppliedCohort, answers_volume, pack_labels
from sandlab.hub.swarm import NEEDS_POSTGRES, NotAManager, backend, local_node, mark_pack
from sandlab.hub.swarm_packs import PackCopyFailed, spread_pack
from sandlab.images.names import HUB_IMAGE, POSTGRES_IMAGE, project_root
from sandlab.kpis.facts import planned_facts
from sandlab.labs.spec import LabSpec
from sandlab.pack import MANIFEST, readable_tar, verify_manifest

STATE_MOUNT = str(STATE_DIR)


class PlatformError(RuntimeError):
    pass


@dataclass(frozen=True)
class Instance:
    """One hub and everything it spawns, all named with the same prefix."""

    name: str = "sandlab"
    port: int = 8000
    bind: str = "127.0.0.1"
    idle_timeout: int = 3600
    postgres_password: str | None = None  # set: the hub's database is the `postgres` profile's
    environment: tuple[tuple[str, str], ...] = ()  # more of the hub's environment (SANDLAB_AUTH, OIDC_*)
    backend: str = dataclasses.field(default_factory=backend)  # docker or swarm: SANDLAB_BACKEND
    docker_host: str = dataclasses.field(default_factory=lambda: os.environ.get("DOCKER_HOST", ""))

    @property
    def swarm(self) -> bool:
        return self.backend == "swarm"

    @property
    def postgres(self) -> bool:
        return bool(self.postgres_password)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def hub_container(self) -> str:
        return f"{self.name}-hub"

    @property
    def state_volume(self) -> str:
        return f"{self.name}-hub-state"

    def engine_env(self) -> dict[str, str]:
        """The environment of a docker command on this instance's engine."""
        env = {key: value for key, value in os.environ.items() if key != "DOCKER_HOST"}
        if self.docker_host:
            env["DOCKER_HOST"] = self.docker_host
        return env

    def compose_env(self) -> dict[str, str]:
        env = {**self.engine_env(), "SANDLAB_INSTANCE": self.name, "SANDLAB_PORT": str(self.port),
               "SANDLAB_BIND": self.bind, "SANDLAB_PUBLIC_URL": self.url,
               "SANDLAB_IDLE_TIMEOUT": str(self.idle_timeout), "SANDLAB_BACKEND": self.backend}
        if self.docker_host.startswith("unix://"):  # the hub spawns on the engine it runs on
            env["SANDLAB_DOCKER_SOCKET"] = self.docker_host.removeprefix("unix://")
        env.update(self.environment)
        if self.postgres:
            env["POSTGRES_PASSWORD"] = self.postgres_password
            env["SANDLAB_DB_URL"] = f"postgresql+psycopg2://sandlab:{self.postgres_password}@postgres:5432/sandlab"
        return env


def compose(instance: Instance, *args: str) -> None:
    """docker-compose (v1) or `docker compose` (v2) on the project's docker-compose.yml."""
    tool = [shutil.which("docker-compose")] if shutil.which("docker-compose") else [cli(), "compose"]
    profiles = ["--profile", "postgres"] if instance.postgres else []
    command = [*tool, "-f", str(project_root() / "docker-compose.yml"), "-p", instance.name, *profiles, *args]
    done = subprocess.run(command, capture_output=True, text=True, env=instance.compose_env())
    if done.returncode != 0:
        raise PlatformError(f"docker-compose {' '.join(args)} failed: {done.stderr.strip()[-800:]}")


def pack_volume_name(instance: Instance, cohort: Cohort) -> str:
    digest = hashlib.sha256((cohort.pack / MANIFEST).read_bytes()).hexdigest()[:12]
    return f"{instance.name}-pack-{cohort.name}-{digest}"


def check_pack(cohort: Cohort) -> None:
    if not (cohort.pack / MANIFEST).is_file():
        raise PlatformError(f"{cohort.pack}: not a dataset pack (no {MANIFEST}); make one with "
                            "`sandlab data generate` or `sandlab anonymize run`")
    problems = verify_manifest(cohort.pack)
    if problems:
        raise PlatformError(f"{cohort.pack}: the pack does not match its manifest ({problems[0]}); "
                            "regenerate it")


def load_pack(engine: docker.DockerClient, instance: Instance, cohort: Cohort, volume: str,
              part: str = "public") -> bool:
    """Copy the pack's ``part`` (public/, or answers/ for the trainers) into ``volume`` unless it is there
    already; True when copied."""
    check_pack(cohort)
    if any(v.name == volume for v in engine.volumes.list(filters={"name": volume})):
        return False
    engine.volumes.create(volume, labels=pack_labels(instance.name, cohort.name))
    loader = engine.containers.run(HUB_IMAGE, ["sleep", "600"], detach=True, network_disabled=True,
                                   volumes={volume: {"bind": "/pack", "mode": "rw"}})
    copied = False
    try:
        copied = loader.put_archive("/pack", readable_tar(cohort.pack / part))
    finally:
        loader.remove(force=True)
        if not copied:  # a half-copied pack must never be mounted
            engine.volumes.get(volume).remove(force=True)
    if not copied:
        raise PlatformError(f"copying {cohort.pack / part} into volume {volume} failed")
    return True


def apply_cohort(engine: docker.DockerClient, instance: Instance, cohort: Cohort, *,
                 learners: dict[str, LearnerPlan] | None = None, catalogue: Iterable[LabSpec] = (),
                 reset_passwords: bool = False) -> dict[str, str]:
    """Load the pack, store the cohort (and each learner's labs, resolved by the caller against
    ``catalogue``, whose facts the KPIs keep) in the hub's state, return the passwords issued now."""
    check_pack(cohort)
    for image in (cohort.image, HUB_IMAGE):
        if not image_exists(engine, image):
            raise PlatformError(f"image '{image}' is not on this engine: run `sandlab images build`")
    volume = pack_volume_name(instance, cohort)
    load_pack(engine, instance, cohort, volume)
    if (cohort.pack / "answers").is_dir():  # for its trainers' workspaces, on this node (where trainers run)
        load_pack(engine, instance, cohort, answers_volume(volume), "answers")
    if instance.swarm:  # this manager's node holds the pack, then every other node: learners may run there
        mark_pack(engine, volume)
        try:
            spread_pack(engine, instance.name, cohort.image, volume, readable_tar(cohort.pack / "public"),
                        pack_labels(instance.name, cohort.name))
        except PackCopyFailed as error:
            raise PlatformError(f"{error}; the node gets no learner of cohort {cohort.name} until "
                                "`sandlab hub apply` succeeds") from None
    if not container_exists(engine, instance.hub_container):
        compose(instance, "up", "--no-start")  # the state volume, named and owned by compose
    applied = AppliedCohort(cohort=cohort.model_copy(update={"pack": Path(cohort.pack.name)}), pack_volume=volume,
                            learners=learners or {},
                            lab_facts=planned_facts(catalogue, {lab for plan in (learners or {}).values()
                                                                for lab in plan.labs}))
    done = run_on_state(instance, "python", "-m", "sandlab.hub.manage", "apply",
                        *(["--reset-passwords"] if reset_passwords else []), stdin=applied.model_dump_json())
    if done.returncode != 0:
        raise PlatformError(f"applying cohort {cohort.name}: {done.stderr.strip().splitlines()[-1]}")
    restart_if_running(engine, instance)
    return json.loads(done.stdout)


def restart_if_running(engine: docker.DockerClient, instance: Instance) -> None:
    """The hub reads the cohorts at start: a running hub is restarted (learners' servers keep running)."""
    if hub_running(engine, instance):
        engine.containers.get(instance.hub_container).restart(timeout=10)
        wait_ready(published(engine, instance))


def published(engine: docker.DockerClient, instance: Instance) -> Instance:
    """``instance`` with the port its hub container really publishes (a command given only its name)."""
    try:
        bindings = engine.containers.get(instance.hub_container).attrs["HostConfig"]["PortBindings"] or {}
        port = int(bindings["8000/tcp"][0]["HostPort"])
    except (docker.errors.NotFound, KeyError, IndexError, TypeError, ValueError):
        return instance
    return dataclasses.replace(instance, port=port)


def run_on_state(instance: Instance, *command: str, stdin: str = "") -> subprocess.CompletedProcess:
    """Run ``command`` in the hub image on the hub's state volume, with no network: the
    state is only ever written by the image that reads it."""
    return subprocess.run([cli(), "run", "--rm", "-i", "--network", "none", "-v",
                           f"{instance.state_volume}:{STATE_MOUNT}", HUB_IMAGE, *command],
                          input=stdin, capture_output=True, text=True, env=instance.engine_env())


def warm(engine: docker.DockerClient, instance: Instance, cohort: str, concurrency: int | None = None
         ) -> Iterator[dict]:
    """Warm the cohort's learners' servers (in the hub's container, as its warmer service):
    first the plan, then one result per learner as each server is ready or fails."""
    if not hub_running(engine, instance):
        raise PlatformError(f"the hub {instance.hub_container} is not running: `sandlab hub up` first")
    command = [cli(), "exec", instance.hub_container, "python", "-m", "sandlab.hub.warmer", "run", cohort,
               *(["--concurrency", str(concurrency)] if concurrency else [])]
    said = 0
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=instance.engine_env()) as warmer:
        for line in warmer.stdout:
            said += 1
            yield json.loads(line)
        problem = warmer.stderr.read().strip()
    if not said or warmer.returncode not in (0, 1):  # 1: some servers failed, each said so in its line
        raise PlatformError(f"warming cohort {cohort}: {(problem.splitlines() or ['?'])[-1]}")


def hub_running(engine: docker.DockerClient, instance: Instance) -> bool:
    try:
        return engine.containers.get(instance.hub_container).status == "running"
    except docker.errors.NotFound:
        return False


def wait_ready(instance: Instance, timeout: float = 180) -> None:
    """Until the hub's API answers through its proxy (a hub starting its assistant's model and
    detector on a busy machine has taken more than 90 s)."""
    wait_for_hub(f"http://127.0.0.1:{instance.port}", instance.hub_container, timeout)


def wait_for_hub(url: str, container: str, timeout: float = 90) -> None:
    """Until the JupyterHub at ``url`` answers its API (any hub, ours or a baseline's)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/hub/api/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise PlatformError(f"the hub did not answer at {url} within {timeout:.0f} s: `docker logs {container}` says why")


def check_swarm(engine: docker.DockerClient, instance: Instance) -> None:
    """On Swarm, the hub runs on a manager, keeps its database in PostgreSQL, and the engine gives
    its containers no-new-privileges (checked on this manager; every node is set up alike)."""
    if not instance.swarm:
        return
    if not instance.postgres:
        raise PlatformError(NEEDS_POSTGRES)
    try:
        local_node(engine)
    except NotAManager as error:
        raise PlatformError(str(error)) from None
    shown = engine.containers.run(HUB_IMAGE, ["grep", "NoNewPrivs", "/proc/self/status"], network_mode="none",
                                  remove=True).decode()
    if shown.split()[-1:] != ["1"]:  # a service cannot ask for it: the engine gives it to every container
        raise PlatformError("this engine does not set no-new-privileges on its containers, and a Swarm service "
                            "cannot ask for it: add \"no-new-privileges\": true to /etc/docker/daemon.json on "
                            "every node and restart dockerd (docs/scaling.md)")


def up(engine: docker.DockerClient, instance: Instance) -> None:
    needed = [HUB_IMAGE, *([POSTGRES_IMAGE] if instance.postgres else [])]
    for image in needed:
        if not image_exists(engine, image):
            flag = " --postgres" if image == POSTGRES_IMAGE else ""
            raise PlatformError(f"image '{image}' is not on this engine: run `sandlab images build{flag}`")
    check_swarm(engine, instance)
    compose(instance, "up", "-d")
    attach_hub(engine, instance.name, instance.hub_container)  # compose knows only its own networks
    wait_ready(instance)


def learner_containers(engine: docker.DockerClient, instance: Instance) -> list:
    return engine.containers.list(all=True, filters={"label": f"sandlab.instance={instance.name}"})


def remove_servers(engine: docker.DockerClient, instance: Instance, cohort: str | None = None) -> list[str]:
    """Remove the learners' servers (only ``cohort``'s if given), their files kept; on Swarm the
    services first, or Swarm would start their containers again. The names of those removed."""
    labels = [f"sandlab.instance={instance.name}", *([f"sandlab.cohort={cohort}"] if cohort else [])]
    removed = []
    if instance.swarm:
        for service in engine.services.list(filters={"label": labels}):
            service.remove()
            removed.append(service.name)
    for container in engine.containers.list(all=True, filters={"label": labels}):
        with contextlib.suppress(docker.errors.APIError):  # a service's, going already
            container.remove(force=True)
            if not instance.swarm:
                removed.append(container.name)
    return removed


def down(engine: docker.DockerClient, instance: Instance, *, learners: bool = False, volumes: bool = False) -> None:
    """Stop the hub; with ``learners`` their containers too; with ``volumes`` delete all data (tests)."""
    if not (learners or volumes):  # running servers keep their network: remove the hub's containers only
        compose(instance, "rm", "--stop", "--force")
        return
    remove_servers(engine, instance)
    compose(instance, "down", *(["--volumes"] if volumes else []))
    if volumes:  # the cohort networks go with the cohorts' data; `up` again needs them otherwise
        remove_cohort_networks(engine, instance.name)
        for volume in engine.volumes.list(filters={"name": f"{instance.name}-"}):
            if volume.name.startswith(f"{instance.name}-"):
                volume.remove(force=True)
