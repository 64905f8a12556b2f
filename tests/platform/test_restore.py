"""Backing up the running platform, destroying every volume, restoring: a learner finds her files,
her feedback and her grades, and logs in with her password. Runs after the course loop (its grades)."""

from __future__ import annotations

import json
import tarfile

from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.hub.backup import INDEX, platform_volumes
from sandlab.hub.platform import down, run_on_state, up
from tests.platform.test_course_loop import LAB, grading

SCORES = ("import json, sqlite3; print(json.dumps(sorted(sqlite3.connect('/srv/sandlab/state/kpis/kpis.sqlite')"
          ".execute(\"SELECT user, lab, task, score FROM scores WHERE cohort = 'alpha'\").fetchall())))")


def scores(platform) -> list:
    done = run_on_state(platform.instance, "python", "-c", SCORES)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_platform_comes_back_from_a_backup_with_every_volume_destroyed(platform, tmp_path):
    ana = platform.login("ana")
    ana.start_server()
    note = {"type": "file", "format": "text", "content": "à garder après restauration"}
    assert ana.server("PUT", "api/contents/work/kept.txt", json=note).status_code in (200, 201)
    cohort_file = platform.cohort_file("alpha")
    gradebook = grading(platform, cohort_file, "gradebook")
    graded = scores(platform)
    assert any(row["user"] == "ana" and row["lab"] == LAB for row in gradebook), "the course loop graded no one"
    assert graded, "no grades in the KPIs to restore"
    found = platform_volumes(platform.engine, platform.instance.name)
    volumes = {volume.name for volume in found}
    for volume in found:  # nothing of a cohort can be missed by its close or a backup
        if not volume.name.endswith(("-hub-state", "-postgres-data")):
            labels = volume.attrs.get("Labels") or {}
            assert labels.get("sandlab.instance") == platform.instance.name, volume.name
            assert labels.get("sandlab.cohort"), volume.name

    # while the hub and ana's server run
    backup_file = tmp_path / "platform.tar"
    shown = CliRunner().invoke(app, ["backup", str(backup_file), "--with", str(cohort_file.parent),
                                     "--instance", platform.instance.name])
    assert shown.exit_code == 0, shown.output
    assert ana.server("GET", "api/contents/work/kept.txt").status_code == 200  # unpaused and still serving
    with tarfile.open(backup_file) as bundle:
        index = json.loads(bundle.extractfile(INDEX).read())
    assert {entry["name"] for entry in index["volumes"]} == volumes
    again = CliRunner().invoke(app, ["backup", str(backup_file), "--instance", platform.instance.name])
    assert again.exit_code == 2 and "exists" in again.output  # never over another backup

    # a restore over existing volumes is refused and changes nothing
    refused = CliRunner().invoke(app, ["restore", str(backup_file)])
    assert refused.exit_code == 2 and "nothing restored" in refused.output

    down(platform.engine, platform.instance, volumes=True)
    assert not platform_volumes(platform.engine, platform.instance.name)
    files_to = tmp_path / "it-files"
    shown = CliRunner().invoke(app, ["restore", str(backup_file), "--files-to", str(files_to)])
    assert shown.exit_code == 0, shown.output
    assert {volume.name for volume in platform_volumes(platform.engine, platform.instance.name)} == volumes
    assert (files_to / cohort_file.parent.name / cohort_file.name).read_text() == cohort_file.read_text()
    up(platform.engine, platform.instance)

    ana = platform.login("ana")  # her password came back with the hub's state
    ana.start_server()
    kept = ana.server("GET", "api/contents/work/kept.txt")
    assert kept.status_code == 200 and kept.json()["content"] == note["content"]
    assert ana.server("GET", f"api/contents/labs/{LAB}/feedback").json()["content"], "her feedback is gone"
    assert grading(platform, cohort_file, "gradebook") == gradebook
    assert scores(platform) == graded
