"""No learner loses a running kernel to a hub restart, nor a file to a lost container."""

from __future__ import annotations

import secrets

from sandlab.hub.platform import down, up, wait_ready
from tests.platform.client import Kernel


def test_learner_server_and_kernel_survive_a_hub_restart(platform):
    ana = platform.login("ana")
    ana.start_server()
    container_before = platform.container("ana").attrs["State"]["StartedAt"]
    kernel = ana.kernel()
    assert kernel.execute("remembered = 41").error is None
    kernel.close()

    platform.engine.containers.get(platform.instance.hub_container).restart(timeout=10)
    wait_ready(platform.instance)

    again = platform.login("ana")  # the hub's database and cookie secret survived too
    assert again.api.get("/users/ana").json()["servers"][""]["ready"]
    same_kernel = Kernel(again, kernel.id)
    try:
        assert same_kernel.execute("print(remembered + 1)").stdout.strip() == "42"
    finally:
        same_kernel.close()
    assert platform.container("ana").attrs["State"]["StartedAt"] == container_before


def test_work_survives_the_container_being_removed(platform):
    ana = platform.login("ana")
    ana.start_server()
    content = secrets.token_hex(8)
    assert ana.server("PUT", "api/contents/work/keep.txt",
                      json={"type": "file", "format": "text", "content": content}).status_code in (200, 201)
    first = platform.container("ana")
    first.remove(force=True)  # the engine loses the container (crash, prune, host reboot)

    ana.stop_server()
    ana.start_server()
    assert platform.container("ana").id != first.id
    kept = ana.server("GET", "api/contents/work/keep.txt", params={"content": "1"})
    assert kept.status_code == 200 and kept.json()["content"] == content


def test_hub_down_and_up_leave_learner_servers_running(platform):
    ana = platform.login("ana")
    ana.start_server()
    before = platform.container("ana").id
    down(platform.engine, platform.instance)  # IT stops the hub, not the learners
    assert platform.container("ana").status == "running"
    up(platform.engine, platform.instance)
    again = platform.login("ana")
    assert again.api.get("/users/ana").json()["servers"][""]["ready"]
    assert again.server("GET", "api/contents/").status_code == 200
    assert platform.container("ana").id == before
