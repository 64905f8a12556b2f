"""The Swarm backend on a real swarm: two engines of the test's own (tests/platform/swarm.py), a
manager and a worker, each in a network namespace; a hub on the manager with PostgreSQL, learners
as services on either node. The whole isolation attack suite runs again against it (imported
below), then what only Swarm has: the overlay, the endpoints, the packs on every node, the homes'
nodes."""

from __future__ import annotations

import secrets

import pytest
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.grading.plan import plan_learners
from sandlab.hub.archive import HomeArchive, differences, volume_digests, volume_exists
from sandlab.hub.backup import check, read_index
from sandlab.hub.close import close_cohort, restore_closed_home
from sandlab.hub.cohort_status import cohort_status
from sandlab.hub.networks import cohort_network
from sandlab.hub.nodes import ENGINE_LABEL
from sandlab.hub.platform import Instance, apply_cohort, up
from sandlab.hub.state import home_labels, home_volume
from sandlab.hub.swarm import SERVICE_LABEL, PackConstraint, label_node, local_node, node_name
from sandlab.images.names import HUB_IMAGE, POSTGRES_IMAGE, TRAINER_IMAGE
from sandlab.labs.catalogue import load_catalogue
from tests.platform.client import Hub, free_port
from tests.platform.conftest import Platform
from tests.platform.swarm import Forwarder, swarm_engine
from tests.platform.test_bad_input import spawn_messages
from tests.platform.test_isolation import *  # noqa: F403  the attack suite, against the swarm's hub

COHORTS = ("alpha", "beta")


@pytest.fixture(scope="module")
def platform(platform):
    """The shared hub's cohorts alpha and beta (same pack, members, limits), on a swarm's hub."""
    host = platform
    lab = host.cohorts["alpha"].image
    with swarm_engine([HUB_IMAGE, lab, TRAINER_IMAGE, POSTGRES_IMAGE], workers=1, worker_images=[lab]) as node:
        engine = node.client()
        instance = Instance(f"slsw{secrets.token_hex(3)}", free_port(), bind=node.address, backend="swarm",
                            docker_host=node.url, postgres_password=secrets.token_hex(12),
                            environment=(("SANDLAB_LOCAL_MODEL", "off"),))
        forwarder = Forwarder(instance.port, node.address)
        try:
            cohorts = {name: host.cohorts[name] for name in COHORTS}
            passwords: dict[str, str] = {}
            for cohort in cohorts.values():
                learners = plan_learners(cohort, load_catalogue())
                passwords.update(apply_cohort(engine, instance, cohort, learners=learners, catalogue=load_catalogue()))
            up(engine, instance)
            yield Platform(instance, Hub(instance.port), engine, passwords, cohorts,
                           nodes=tuple(worker.client() for worker in node.workers),
                           node_addresses=tuple(worker.url for worker in node.workers))
        finally:
            forwarder.close()


def service(platform, name: str):
    return platform.engine.services.get(f"{platform.instance.name}-lab-{name}")


def test_servers_are_services_on_an_internal_overlay_with_no_published_port(platform):
    ana = platform.login("ana")
    ana.start_server()
    spec = service(platform, "ana").attrs
    assert spec["Spec"]["EndpointSpec"]["Mode"] == "dnsrr"
    assert not spec["Spec"]["EndpointSpec"].get("Ports") and not spec.get("Endpoint", {}).get("Ports")
    network = platform.engine.networks.get(cohort_network(platform.instance.name, "alpha")).attrs
    assert (network["Driver"], network["Internal"], network["Attachable"], network["Scope"]) == \
        ("overlay", True, True, "swarm")
    task = spec["Spec"]["TaskTemplate"]
    limits = platform.cohorts["alpha"].limits
    assert task["Resources"]["Limits"] == {"MemoryBytes": limits.memory_bytes, "NanoCPUs": int(limits.cpus * 1e9),
                                           "Pids": limits.pids}
    assert task["ContainerSpec"]["CapabilityDrop"] == ["ALL"] and task["ContainerSpec"]["User"] == "1000:1000"
    mounts = {mount["Target"]: mount for mount in task["ContainerSpec"]["Mounts"]}
    assert mounts["/home/learner/data"]["Type"] == "volume" and mounts["/home/learner/data"]["ReadOnly"]
    assert mounts["/home/learner"]["Type"] == "volume" and not mounts["/home/learner"].get("ReadOnly")
    assert not any("docker.sock" in mount["Source"] for mount in mounts.values())


def test_learners_run_only_where_their_pack_is(platform):
    """A node gets a pack's label when the pack is on it; with no node labelled, no server starts."""
    alpha = next(entry for entry in platform.engine.volumes.list() if entry.name.startswith(
        f"{platform.instance.name}-pack-alpha-"))
    constraint = PackConstraint(alpha.name)
    ana = platform.login("ana")
    ana.start_server()
    assert str(constraint) in service(platform, "ana").attrs["Spec"]["TaskTemplate"]["Placement"]["Constraints"]
    ana.stop_server()
    nodes = platform.engine.nodes.list()
    for node in nodes:
        labels = dict(node.attrs["Spec"].get("Labels") or {})
        assert labels.pop(constraint.label) == "true"
        node.update({**node.attrs["Spec"], "Labels": labels})
    try:
        said = spawn_messages(ana, "ana")
        assert "no Swarm node holds the dataset pack of cohort alpha" in said, said
        assert not platform.engine.services.list(filters={"name": f"{platform.instance.name}-lab-ana"})
    finally:
        for node in nodes:
            label_node(node, constraint.label)
    ana.start_server()


def node_of(platform, name: str):
    """The node a member's running server is on."""
    task = next(task for task in service(platform, name).tasks() if task["Status"]["State"] == "running")
    return platform.engine.nodes.get(task["NodeID"])


def set_availability(node, availability: str) -> None:
    node.reload()
    node.update({**node.attrs["Spec"], "Availability": availability})


def start_on_a_worker(platform, name: str, neighbour: str = "ana"):
    """A member's server, on a worker if it is their first (the manager paused meanwhile). A
    neighbour's server of the same cohort starts first: it attaches the hub to the cohort's overlay,
    which a paused manager could not."""
    platform.login(neighbour).start_server()
    manager = local_node(platform.engine)
    set_availability(manager, "pause")
    try:
        member = platform.login(name)
        member.start_server()
    finally:
        set_availability(manager, "active")
    return member


def test_every_node_gets_the_pack_and_a_learner_on_a_worker_reads_the_same_files(platform):
    manager = local_node(platform.engine)
    workers = [node for node in platform.engine.nodes.list() if node.id != manager.id]
    assert len(workers) == 1 and workers[0].attrs["Status"]["State"] == "ready"
    alpha = next(volume.name for volume in platform.engine.volumes.list()
                 if volume.name.startswith(f"{platform.instance.name}-pack-alpha-"))
    assert workers[0].attrs["Spec"]["Labels"][PackConstraint(alpha).label] == "true"  # by `sandlab hub apply`
    digest = ("import hashlib, json, pathlib; data = pathlib.Path.home() / 'data'; print(json.dumps(sorted("
              "(str(p.relative_to(data)), hashlib.sha256(p.read_bytes()).hexdigest()) for p in data.rglob('*') "
              "if p.is_file())))")
    ana = platform.login("ana")
    cy = start_on_a_worker(platform, "cy", "ana")
    assert node_of(platform, "cy").id == workers[0].id
    on_worker = cy.run(digest)
    assert on_worker and on_worker == ana.run(digest)
    cy_here = platform.engine.containers.list(filters={"label": f"{SERVICE_LABEL}={platform.instance.name}-lab-cy"})
    assert not cy_here  # its container is on the worker, not here
    cy.stop_server()
    cy.start_server()  # the home's node, though the manager is active again
    assert node_of(platform, "cy").id == workers[0].id


def test_a_trainer_runs_on_the_manager_where_the_course_is(platform):
    tom = platform.login("tom")
    tom.start_server()
    manager = local_node(platform.engine)
    assert f"node.id=={manager.id}" in service(platform, "tom").attrs["Spec"]["TaskTemplate"]["Placement"][
        "Constraints"]
    assert node_of(platform, "tom").id == manager.id
    assert tom.run("import json, os; print(json.dumps(os.path.isdir(os.path.expanduser('~/course'))))") is True


def test_a_home_stays_on_its_node_and_status_says_which(platform):
    ben = platform.login("ben")
    ben.run("from pathlib import Path; import json; (Path.home() / 'work' / 'kept.txt').write_text('mine'); "
            "print(json.dumps('ok'))")
    node = node_of(platform, "ben")
    ben.stop_server()
    ben.start_server()
    constraints = service(platform, "ben").attrs["Spec"]["TaskTemplate"]["Placement"]["Constraints"]
    assert f"node.hostname=={node_name(node.attrs)}" in constraints  # pinned to its home's node, from the hub's db
    assert node_of(platform, "ben").id == node.id
    assert ben.run("from pathlib import Path; import json; "
                   "print(json.dumps((Path.home() / 'work' / 'kept.txt').read_text()))") == "mine"
    found = {member.name: member for member in cohort_status(platform.engine, platform.instance,
                                                             platform.cohorts["alpha"])}
    assert (found["ben"].server, found["ben"].node) == ("running", node_name(node.attrs))
    shown = CliRunner().invoke(app, ["hub", "status", "--instance", platform.instance.name],
                               env={"DOCKER_HOST": platform.instance.docker_host, "SANDLAB_BACKEND": "swarm",
                                    "COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    line = next(line for line in shown.output.splitlines() if f"{platform.instance.name}-lab-ben" in line)
    assert "running" in line and node_name(node.attrs) in line


def test_draining_a_node_moves_no_one_and_the_spawn_page_says_why(platform):
    """Last: draining a node stops every server on it."""
    ben = platform.login("ben")
    ben.start_server()
    node = node_of(platform, "ben")
    set_availability(node, "drain")
    try:
        ben.stop_server()
        assert not platform.engine.services.list(filters={"name": f"{platform.instance.name}-lab-ben"})
        said = spawn_messages(ben, "ben")
        assert "drain" in said and node_name(node.attrs) in said, said
        assert "docker node update --availability active" in said
        ben.stop_server()
    finally:
        set_availability(node, "active")
    ben.start_server()
    assert node_of(platform, "ben").id == node.id
    assert ben.run("from pathlib import Path; import json; "
                   "print(json.dumps((Path.home() / 'work' / 'kept.txt').read_text()))") == "mine"


def test_close_backup_and_restore_reach_every_node(platform, tmp_path):
    """Last: closes both cohorts. A home on the worker is archived from the worker's engine (named by
    the node's label sandlab.engine), backed up, removed with the packs copied there, and goes back to
    the worker; without the label nothing on the worker is touched and the commands say how to fix it."""
    instance = platform.instance
    manager = local_node(platform.engine)
    worker = next(node for node in platform.engine.nodes.list() if node.id != manager.id)
    on_worker = platform.nodes[0]
    cy = start_on_a_worker(platform, "cy")
    assert node_of(platform, "cy").id == worker.id
    cy.run("from pathlib import Path; import json; (Path.home() / 'work' / 'worker.txt').write_text('cy on the "
           "worker'); print(json.dumps('ok'))")
    cy.stop_server()
    volume = home_volume(instance.name, "cy")
    assert volume_exists(on_worker, volume) and not volume_exists(platform.engine, volume)
    archives = tmp_path / "archives"

    closure = close_cohort(platform.engine, instance, "alpha", archives)
    cy_closed = next(home for home in closure.homes if home.user == "cy")
    assert not closure.complete and cy_closed.outcome == "failed"
    assert node_name(worker.attrs) in cy_closed.reason and f"{ENGINE_LABEL}=" in cy_closed.reason
    assert volume_exists(on_worker, volume) and not HomeArchive(archives, "cy").exists()

    env = {"DOCKER_HOST": instance.docker_host, "SANDLAB_BACKEND": "swarm", "COLUMNS": "200"}
    refused = CliRunner().invoke(app, ["backup", str(tmp_path / "refused.tar"), "--instance", instance.name], env=env)
    assert refused.exit_code != 0 and node_name(worker.attrs) in refused.output, refused.output
    assert not (tmp_path / "refused.tar").exists()

    label_node(worker, ENGINE_LABEL, platform.node_addresses[0])
    backed_up = CliRunner().invoke(app, ["backup", str(tmp_path / "all.tar"), "--instance", instance.name], env=env)
    assert backed_up.exit_code == 0, backed_up.output
    parts = {(entry["name"], entry.get("node", "")): entry for entry in read_index(tmp_path / "all.tar")["volumes"]}
    assert "work/worker.txt" in parts[(volume, node_name(worker.attrs))]["files"]
    pack = next(name for name, node in parts if name.startswith(f"{instance.name}-pack-alpha-") and not node)
    assert (pack, node_name(worker.attrs)) in parts  # the worker's copy too
    assert not check(tmp_path / "all.tar")

    closure = close_cohort(platform.engine, instance, "alpha", archives)
    cy_closed = next(home for home in closure.homes if home.user == "cy")
    assert closure.complete, closure.homes
    leftovers = [(found.name, found.status) for found in on_worker.containers.list(all=True)]
    assert f"{pack}@{node_name(worker.attrs)}" in closure.packs_removed, (closure.packs_kept, leftovers)
    assert (cy_closed.outcome, cy_closed.node) == ("archived", node_name(worker.attrs))
    assert not volume_exists(on_worker, volume) and HomeArchive(archives, "cy").node() == node_name(worker.attrs)
    assert "work/worker.txt" in HomeArchive(archives, "cy").listed()

    platform.login("zoe").start_server()  # closing stops it: its container goes on its node a little later
    closure = close_cohort(platform.engine, instance, "beta", tmp_path / "beta")
    assert closure.complete, closure.homes
    assert next(home for home in closure.homes if home.user == "zoe").outcome == "archived"
    assert not [found for found in on_worker.volumes.list() if f"{instance.name}-pack-" in found.name]
    for node in platform.engine.nodes.list():
        assert not [label for label in node.attrs["Spec"].get("Labels") or {} if label.startswith("sandlab.pack.")]

    node, files = restore_closed_home(platform.engine, instance, volume, HomeArchive(archives, "cy"),
                                      home_labels(instance.name, "alpha", "cy"))
    assert node == node_name(worker.attrs) and files == len(HomeArchive(archives, "cy").listed())
    assert volume_exists(on_worker, volume) and not volume_exists(platform.engine, volume)
    assert not differences(HomeArchive(archives, "cy").listed(), volume_digests(on_worker, volume), "")
