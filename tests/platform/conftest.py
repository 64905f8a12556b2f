"""One real hub for the platform tests: real engine, images built offline, two cohorts.

The tests of this folder share that hub, so they run in one pytest-xdist group, in order;
those that need only the images (OWN_GROUP) run beside them on another worker.
Without an engine they skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest
import yaml

from sandlab.cohort import AssistantPolicy, Cohort, Dates, LabChoice, Limits, Member
from sandlab.engine import NoEngine, client
from sandlab.grading.plan import plan_learners
from sandlab.hub.platform import Instance, apply_cohort, down, up
from sandlab.hub.swarm import SERVICE_LABEL
from sandlab.images.cli import build_all
from sandlab.labs.catalogue import load_catalogue
from sandlab.labs.reference import generate_reference_pack
from tests.platform.browser import CHROMIUM, FLAGS
from tests.platform.client import Hub, free_port, resolve_localhost_subdomains

HERE = Path(__file__).parent
COMPANY_KEY = f"sk-company-{secrets.token_hex(8)}"  # the company endpoint's key: only the hub may hold it
CROWD = [f"crowd{number:02d}" for number in range(20)]  # learners asking the assistant at once (no server)


def standin_name(instance: Instance) -> str:
    """The stand-in company endpoint (tests/platform/test_assistant.py) on the hub's own network."""
    return f"{instance.name}-standin"


# Tests that need the images but not the shared hub: their own xdist group, so that another
# worker runs them while this one goes through the hub's tests.
OWN_GROUP = {"test_labs_in_image.py": "lab-image"}


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.xdist_group(OWN_GROUP.get(Path(item.fspath).name, "platform")))


@pytest.fixture(scope="session")
def engine() -> docker.DockerClient:
    try:
        return client()
    except NoEngine as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs a Docker engine: {error}")
        pytest.skip(str(error))


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless; CI without it fails."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Debian's chromium (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def images(engine, tmp_path_factory) -> None:
    """Build (or bring up to date, from BuildKit's cache) the lab, hub and PostgreSQL images once per
    run, whichever worker needs them first (a lock and a mark in the run's shared temporary folder)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # this run's, whatever the workers
    with (shared / "sandlab-images.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        built = shared / "sandlab-images.built"
        if not built.exists():  # once per run: a server started from an image must stay on the current one
            build_all(postgres=True)
            built.write_text("built")


@dataclass
class Platform:
    instance: Instance
    hub: Hub
    engine: docker.DockerClient
    passwords: dict[str, str]
    cohorts: dict[str, Cohort]
    nodes: tuple[docker.DockerClient, ...] = ()  # on Swarm, the other nodes' engines (a test's own)
    node_addresses: tuple[str, ...] = ()  # and their addresses (DOCKER_HOST), in the same order

    def login(self, name: str):
        return self.hub.login(name, self.passwords[name])

    def container(self, name: str):
        """A member's server container (on Swarm, its service's task container, on whichever node)."""
        server = f"{self.instance.name}-lab-{name}"
        if not self.instance.swarm:
            return self.engine.containers.get(server)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for engine in (self.engine, *self.nodes):
                found = engine.containers.list(filters={"label": f"{SERVICE_LABEL}={server}"})
                if found:
                    return found[0]
            time.sleep(0.5)
        raise AssertionError(f"no running container of service {server}")

    def cohort_file(self, name: str) -> Path:
        """The cohort as IT's YAML file, for the command line."""
        path = self.cohorts[name].pack.parent / f"{name}.yaml"
        path.write_text(yaml.safe_dump(self.cohorts[name].model_dump(mode="json", exclude_defaults=True)))
        return path


@pytest.fixture(scope="session")
def platform(engine, images, tmp_path_factory) -> Platform:
    resolve_localhost_subdomains()
    pack = generate_reference_pack(tmp_path_factory.mktemp("platform") / "pack")  # no-code solutions answer it
    limits = Limits(memory="512M", cpus=0.5, pids=128)
    labs = LabChoice(by_persona={"business": ["l01-what-ai-is"], "support": ["l04-personal-data-gdpr"],
                                 "technical": ["l01-what-ai-is"]})
    cohorts = {
        "alpha": Cohort(name="alpha", title="Test cohort alpha", pack=pack, limits=limits, labs=labs, members=[
            Member(name="ana", persona="business"), Member(name="ben", persona="support"),
            Member(name="cy", persona="business"),
            Member(name="tom", role="trainer"), Member(name="ida", role="admin")]),
        "beta": Cohort(name="beta", title="Test cohort beta", pack=pack, limits=limits, labs=labs,
                       dates=Dates(ends=datetime.date.today() - datetime.timedelta(days=4)), members=[
            Member(name="zoe", persona="technical"), Member(name="tara", role="trainer")]),
        "omega": Cohort(name="omega", title="Test cohort omega", pack=pack, limits=limits, language="en",
                        labs=LabChoice(by_persona={"business": ["l01-what-ai-is"]}),
                        members=[Member(name="noe", persona="business")]),  # an English no-code learner
        "kappa": Cohort(name="kappa", title="Test cohort kappa", pack=pack, limits=limits, labs=labs,
                        assistant=AssistantPolicy(model="company", personal_data="redact", requests_per_minute=4),
                        members=[Member(name="kai", persona="business")]),  # the company's endpoint, masked
        "crowd": Cohort(name="crowd", title="Test cohort crowd", pack=pack, limits=limits, labs=labs,
                        assistant=AssistantPolicy(personal_data="allow", requests_per_minute=60),
                        members=[Member(name=name, persona="business") for name in CROWD]),
    }
    endpoints = tmp_path_factory.mktemp("assistant") / "assistant.env"
    instance = Instance(f"sltest{secrets.token_hex(3)}", free_port(), idle_timeout=3600,
                        environment=(("SANDLAB_ASSISTANT_ENV", str(endpoints)),))
    endpoints.write_text(f"SANDLAB_ASSISTANT_COMPANY_URL=http://{standin_name(instance)}:8080/v1\n"
                         f"SANDLAB_ASSISTANT_COMPANY_MODEL=big-model\nSANDLAB_ASSISTANT_COMPANY_KEY={COMPANY_KEY}\n")
    passwords: dict[str, str] = {}
    try:
        for cohort in cohorts.values():
            learners = plan_learners(cohort, load_catalogue())
            passwords.update(apply_cohort(engine, instance, cohort, learners=learners, catalogue=load_catalogue()))
        up(engine, instance)
        yield Platform(instance, Hub(instance.port), engine, passwords, cohorts)
    finally:
        down(engine, instance, volumes=True)


@contextlib.contextmanager
def second_hub(platform: Platform, prefix: str, *members: Member, start: bool = True, cohort_options=None,
               **options):
    """Another hub beside the shared one, with a small cohort on the same pack, for the
    tests that need their own settings (idle timeout, PostgreSQL, single sign-on, the cohort's
    ``cohort_options``); removed with everything it made. Yields the instance and the members' passwords."""
    instance = Instance(f"{prefix}{secrets.token_hex(3)}", free_port(), **options)
    cohort = Cohort(name=prefix, title=prefix, pack=platform.cohorts["alpha"].pack, members=list(members),
                    **(cohort_options or {}))
    try:
        passwords = apply_cohort(platform.engine, instance, cohort)
        if start:
            up(platform.engine, instance)
        yield instance, passwords
    finally:
        down(platform.engine, instance, volumes=True)
