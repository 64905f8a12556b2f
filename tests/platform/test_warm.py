"""Warm start on a real hub: servers started ahead of a session, kept by the idle culler until
then, not counted as learners' activity; `sandlab cohort warm` starts the ones missing."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import yaml
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.cohort import Dates, Member, WarmStart
from sandlab.hub.platform import run_on_state
from tests.platform.client import Hub
from tests.platform.conftest import second_hub

IDLE_TIMEOUT = 20  # the culler looks every 10 s: an unheld idle server goes within half a minute


def running(engine, instance, *names: str) -> set[str]:
    found = engine.containers.list(filters={"label": f"sandlab.instance={instance.name}"})
    return {container.name.rsplit("-lab-", 1)[-1] for container in found} & set(names)


def hub_activity_rows(instance, *names: str) -> int:
    users = ", ".join(f"'{name}'" for name in names)
    query = ("import sqlite3; print(sqlite3.connect('/srv/sandlab/state/kpis/kpis.sqlite').execute("
             f"\"SELECT count(*) FROM activity WHERE source = 'hub' AND user IN ({users})\").fetchone()[0])")
    done = run_on_state(instance, "python", "-c", query)
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def test_servers_warmed_before_a_session_are_kept_until_it_and_are_not_activity(engine, images, platform, tmp_path):
    session = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=40)
    options = {"dates": Dates(sessions=[session]), "warm": WarmStart(minutes_before=60, hold_minutes=0)}
    members = (Member(name="ivy", persona="leaders"), Member(name="wes", persona="business"))
    with second_hub(platform, "slwarm", *members, idle_timeout=IDLE_TIMEOUT, cohort_options=options) as (
            instance, passwords):
        # the hub's warmer service sees the session within the hour and starts both servers
        deadline = time.monotonic() + 180
        while running(engine, instance, "ivy", "wes") != {"ivy", "wes"} and time.monotonic() < deadline:
            time.sleep(2)
        assert running(engine, instance, "ivy", "wes") == {"ivy", "wes"}, "the warmer did not start the servers"
        ivy = Hub(instance.port).login("ivy", passwords["ivy"])
        deadline = time.monotonic() + 120
        while not (ivy.api.get("/users/ivy").json()["servers"].get("", {}).get("ready")) and \
                time.monotonic() < deadline:
            time.sleep(1)
        # idle for three times the timeout, with the culler and the KPI watcher at work: both kept
        time.sleep(3 * IDLE_TIMEOUT + 10)
        assert running(engine, instance, "ivy", "wes") == {"ivy", "wes"}, "the culler stopped a warmed server"
        assert hub_activity_rows(instance, "ivy", "wes") == 0, "a warm start was counted as a learner's activity"

        # a server stopped since is started again by `sandlab cohort warm`; the running one is left alone
        ivy.stop_server()
        cohort_file = tmp_path / "slwarm.yaml"
        cohort_file.write_text(yaml.safe_dump({
            "name": "slwarm", "title": "slwarm", "pack": str(platform.cohorts["alpha"].pack),
            "members": [member.model_dump(exclude_none=True) for member in members]}))
        shown = CliRunner().invoke(app, ["cohort", "warm", str(cohort_file), "--instance", instance.name,
                                         "--concurrency", "1", "--json"])
        assert shown.exit_code == 0, shown.output
        lines = [json.loads(line) for line in shown.output.splitlines()]
        assert lines[0]["learners"] == 2 and lines[0]["concurrency"] == 1
        assert {line["user"]: line["outcome"] for line in lines[1:]} == {"ivy": "started", "wes": "running"}
        assert ivy.api.get("/users/ivy").json()["servers"][""]["ready"]


def test_warming_a_cohort_the_hub_does_not_have_is_refused(platform, tmp_path):
    path = platform.cohort_file("alpha")
    other = tmp_path / "nowhere.yaml"
    other.write_text(path.read_text().replace("name: alpha", "name: nowhere", 1))
    shown = CliRunner().invoke(app, ["cohort", "warm", str(other), "--instance", platform.instance.name])
    assert shown.exit_code == 2
    assert "cohort nowhere is not applied" in shown.output
