"""The hub's database in PostgreSQL (the compose profile), out of the learners' reach."""

from __future__ import annotations

import secrets

from sandlab.cohort import Member
from sandlab.hub.platform import wait_ready
from tests.platform.client import Hub, connection_probe
from tests.platform.conftest import second_hub


def test_hub_database_in_postgres_survives_a_restart_and_learners_cannot_reach_it(engine, images, platform):
    password = secrets.token_hex(12)
    member = Member(name="pia", persona="business")
    with second_hub(platform, "slpg", member, postgres_password=password) as (instance, passwords):
        pia = Hub(instance.port).login("pia", passwords["pia"])
        pia.start_server()
        database = engine.containers.get(f"{instance.name}-postgres")
        users = database.exec_run(["psql", "-U", "sandlab", "-d", "sandlab", "-tAc", "select name from users"],
                                  environment={"PGPASSWORD": password})
        assert users.exit_code == 0 and "pia" in users.output.decode().split()

        engine.containers.get(instance.hub_container).restart(timeout=10)
        wait_ready(instance)
        again = Hub(instance.port).login("pia", passwords["pia"])
        assert again.api.get("/users/pia").json()["servers"][""]["ready"]

        address = next(iter(database.attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
        kernel = again.kernel()
        try:
            targets = [(address, 5432), (f"{instance.name}-postgres", 5432), ("postgres", 5432)]
            probe = kernel.execute(connection_probe(targets))
        finally:
            kernel.close()
        assert "connected" not in probe.json().values(), probe.json()
