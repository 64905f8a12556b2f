"""Idle servers are stopped by the hub-managed culler, with its narrow scopes."""

from __future__ import annotations

import time

from sandlab.cohort import Member
from tests.platform.client import Hub
from tests.platform.conftest import second_hub


def test_an_idle_server_is_stopped_and_its_work_kept(engine, images, platform):
    ivy_member = Member(name="ivy", persona="leaders")
    with second_hub(platform, "slcull", ivy_member, idle_timeout=20) as (instance, passwords):
        ivy = Hub(instance.port).login("ivy", passwords["ivy"])
        ivy.start_server()
        ivy.server("PUT", "api/contents/work/kept.txt", json={"type": "file", "format": "text", "content": "x"})
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and ivy.api.get("/users/ivy").json()["servers"]:
            time.sleep(2)
        assert ivy.api.get("/users/ivy").json()["servers"] == {}, "the idle server was not culled"
        assert not engine.containers.list(all=True, filters={"name": f"{instance.name}-lab-ivy"})
        ivy.start_server()
        assert ivy.server("GET", "api/contents/work/kept.txt").status_code == 200
