"""Idle servers are stopped by the hub-managed culler, with its narrow scopes."""

from __future__ import annotations

import secrets
import time

from sandlab.cohort import Cohort, Member
from sandlab.hub.platform import Instance, apply_cohort, down, up
from tests.platform.client import Hub
from tests.platform.conftest import free_port


def test_an_idle_server_is_stopped_and_its_work_kept(engine, images, platform):
    instance = Instance(f"slcull{secrets.token_hex(3)}", free_port(), idle_timeout=20)
    cohort = Cohort(name="cull", title="Idle culling", pack=platform.cohorts["alpha"].pack,
                    members=[Member(name="ivy", persona="leaders")])
    try:
        passwords = apply_cohort(engine, instance, cohort)
        up(engine, instance)
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
    finally:
        down(engine, instance, volumes=True)
