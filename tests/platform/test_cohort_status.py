"""`sandlab cohort status` on the real platform: what IT sees of each member during a session."""

from __future__ import annotations

import json
import time

from typer.testing import CliRunner

from sandlab.cli import app


def test_status_shows_each_member_s_server_resources_home_and_records(platform):
    ana = platform.login("ana")
    ana.start_server()
    ana.run("from pathlib import Path; import json; (Path.home() / 'work' / 'status-probe.bin').write_bytes("
            "b'x' * 3 * 2**20); print(json.dumps('ok'))")
    deadline = time.monotonic() + 150  # the KPI service records the hub's view of servers every minute
    while True:
        result = CliRunner().invoke(app, ["cohort", "status", str(platform.cohort_file("alpha")), "--instance",
                                          platform.instance.name, "--json"])
        assert result.exit_code == 0, result.output
        members = {member["name"]: member for member in json.loads(result.output)}
        if members["ana"]["last_activity"] or time.monotonic() > deadline:
            break
        time.sleep(10)
    assert set(members) == {member.name for member in platform.cohorts["alpha"].members}
    found = members["ana"]
    assert found["server"] == "running" and found["started_at"]
    assert found["memory_mib"] and found["memory_mib"] > 10 and found["cpu_percent"] is not None
    assert found["current_image"] is True
    assert found["home_mib"] >= 3  # the 3 MiB file written above
    assert found["last_activity"] is not None
    assert members["ida"]["server"] in ("none", "exited")
    text = CliRunner().invoke(app, ["cohort", "status", str(platform.cohort_file("alpha")), "--instance",
                                    platform.instance.name])
    assert text.exit_code == 0 and "cohort alpha" in text.output, text.output
