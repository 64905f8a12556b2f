"""The Swarm backend's pieces that need no engine: the sandbox's rules in a service's terms,
the cohort overlay, a home's node kept across stops and found again (the platform test runs them on a
swarm)."""

from __future__ import annotations

import json

import pytest

from sandlab.hub.archive import HomeArchive
from sandlab.hub.backup import part_name
from sandlab.hub.networks import network_settings
from sandlab.hub.nodes import NodeEngine, NodeUnreachable, by_name, engine_address_fix, locate
from sandlab.hub.swarm import PackConstraint, node_name
from sandlab.hub.swarm_spawner import SandlabSwarmSpawner
from sandlab.sandbox import Hardening


def test_a_service_gets_the_same_limits_as_a_container():
    hardening = Hardening(memory_bytes=512 * 2**20, cpus=0.5, pids=128)
    single_host = hardening.host_config()
    limits = hardening.service_limits()["Limits"]
    assert limits["MemoryBytes"] == single_host["mem_limit"]
    assert limits["NanoCPUs"] * 100_000 // 10**9 == single_host["cpu_quota"]
    assert limits["Pids"] == single_host["pids_limit"]
    spec = hardening.service_container_spec()
    assert spec["cap_drop"] == single_host["cap_drop"] == ["ALL"] and spec["init"] and spec["user"] == "1000:1000"


def test_a_cohort_overlay_is_internal_and_attachable_with_the_same_labels():
    bridge, overlay = network_settings("x", "alpha"), network_settings("x", "alpha", swarm=True)
    assert (overlay["driver"], overlay["internal"], overlay["attachable"]) == ("overlay", True, True)
    assert overlay["labels"] == bridge["labels"] and bridge["internal"] and bridge["driver"] == "bridge"


def test_a_pack_label_is_a_placement_constraint():
    constraint = PackConstraint("x-pack-alpha-0123456789ab")
    assert str(constraint) == "node.labels.sandlab.pack.x-pack-alpha-0123456789ab==true"
    assert node_name({"ID": "abcdef0123456789", "Description": {"Hostname": "node-2"}}) == "node-2"
    assert node_name({"ID": "abcdef0123456789"}) == "abcdef012345"


def test_a_stopped_server_keeps_the_node_of_its_home():
    spawner = SandlabSwarmSpawner()
    spawner.load_state({"object_id": "service-1", "object_name": "x-lab-ana", "node": "node-a"})
    assert spawner.node == "node-a"
    spawner.clear_state()
    assert spawner.node == "node-a" and spawner.get_state()["node"] == "node-a"
    fresh = SandlabSwarmSpawner()
    fresh.load_state({"object_name": "x-lab-zoe"})
    assert fresh.node == "" and "node" not in fresh.get_state()


def test_a_volume_on_a_node_nobody_can_reach_is_never_called_missing():
    unreachable = NodeEngine("node-2", None, f"node node-2 may hold homes: {engine_address_fix('node-2')}")
    with pytest.raises(NodeUnreachable, match="sandlab.engine=ssh://"):
        locate([unreachable], "x-home-ana")
    assert locate([], "x-home-ana") is None
    with pytest.raises(NodeUnreachable, match="node-2"):
        unreachable.client()


def test_a_home_goes_back_to_the_node_its_archive_names(tmp_path):
    here, there = NodeEngine("manager-1", object()), NodeEngine("node-2", object())
    assert by_name([here, there], "node-2") is there and by_name([here, there], "") is here  # "": one host
    with pytest.raises(NodeUnreachable, match="node-9 is not in this swarm"):
        by_name([here, there], "node-9")
    archive = HomeArchive(tmp_path, "ana")
    archive.manifest.write_text(json.dumps({"files": {}}))
    assert archive.node() == ""
    archive.manifest.write_text(json.dumps({"files": {}, "node": "node-2"}))
    assert archive.node() == "node-2"


def test_each_node_copy_of_a_volume_has_its_own_part_in_a_backup():
    assert part_name("x-pack-alpha-01", "") == "x-pack-alpha-01"
    assert part_name("x-pack-alpha-01", "node-2") == "x-pack-alpha-01@node-2"
