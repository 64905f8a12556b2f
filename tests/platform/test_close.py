"""Closing a cohort on a real hub: killed between archiving and deleting, run again, nothing lost;
learners out, staff in, network and pack gone; a home restored from its archive, file for file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.cohort import Member
from sandlab.hub.archive import HomeArchive
from sandlab.hub.networks import cohort_network
from tests.platform.client import Hub, LoginFailed
from tests.platform.conftest import second_hub

WRITE_HOME = """
import hashlib, json, os, pathlib
home = pathlib.Path.home()
(home / "work" / "notes é.txt").write_text("mes notes de {user}")
big = os.urandom(24 * 2**20)  # large enough that archiving it takes a moment
(home / "work" / "big.bin").write_bytes(big)
os.link(home / "work" / "big.bin", home / "work" / "big-link.bin")
print(json.dumps({{"big": hashlib.sha256(big).hexdigest()}}))
"""


def volume_names(engine, prefix: str) -> set[str]:
    return {volume.name for volume in engine.volumes.list(filters={"name": prefix})}


def test_a_closed_cohort_is_archived_even_when_interrupted_and_a_home_comes_back(engine, images, platform, tmp_path):
    members = (Member(name="kim", persona="business"), Member(name="lou", persona="support"),
               Member(name="tia", role="trainer"))
    with second_hub(platform, "slclose", *members) as (instance, passwords):
        hub = Hub(instance.port)
        written = {name: hub.login(name, passwords[name]).run(WRITE_HOME.format(user=name), timeout=120)
                   for name in ("kim", "lou")}
        cohort_file = tmp_path / "slclose.yaml"
        cohort_file.write_text(yaml.safe_dump({
            "name": "slclose", "title": "slclose", "pack": str(platform.cohorts["alpha"].pack),
            "members": [member.model_dump(exclude_none=True) for member in members]}))
        archives = tmp_path / "archives"
        homes = {name: f"{instance.name}-home-{name}" for name in ("kim", "lou", "tia")}
        pack_volumes = volume_names(engine, f"{instance.name}-pack-")
        assert volume_names(engine, f"{instance.name}-answers-")  # loaded by apply for the trainer
        assert pack_volumes and set(homes.values()) - {homes["tia"]} <= volume_names(engine, f"{instance.name}-home-")

        # killed as soon as kim's archive is in place: lou's home is still being archived
        command = [sys.executable, "-m", "sandlab.cli", "cohort", "close", str(cohort_file), "--to", str(archives),
                   "--instance", instance.name, "--yes", "--json"]
        closing = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env={**os.environ, "PYTHONPATH": os.getcwd()}, start_new_session=True)
        deadline = time.monotonic() + 300
        while not HomeArchive(archives, "kim").exists() and closing.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert closing.poll() is None, f"close ended first: {closing.communicate()[1].decode()[-2000:]}"
        os.killpg(closing.pid, signal.SIGKILL)
        closing.wait()
        assert HomeArchive(archives, "kim").exists(), closing.stderr.read().decode()[-2000:]
        assert homes["lou"] in volume_names(engine, homes["lou"]), "lou's home went before being archived"
        assert not HomeArchive(archives, "lou").exists()

        # run again: it finishes the job
        shown = CliRunner().invoke(app, command[3:])
        assert shown.exit_code == 0, shown.output
        closure = json.loads(shown.output)
        assert closure["complete"]
        assert {home["user"]: home["outcome"] for home in closure["homes"]} == {
            "kim": "archived", "lou": "archived", "tia": "no home"}
        for name in ("kim", "lou"):
            assert HomeArchive(archives, name).problems() == []
            listed = HomeArchive(archives, name).listed()
            assert listed["work/big.bin"].sha256 == written[name]["big"] == listed["work/big-link.bin"].sha256
            assert "work/notes é.txt" in listed
            assert not volume_names(engine, homes[name])
        assert not list(archives.glob(".*.partial")), "a partial archive was left behind"
        assert not engine.networks.list(names=[cohort_network(instance.name, "slclose")])
        assert not (pack_volumes & volume_names(engine, f"{instance.name}-pack-")), "the unused pack was kept"
        assert not volume_names(engine, f"{instance.name}-answers-"), "the unused pack's answers were kept"
        assert not engine.containers.list(all=True, filters={"label": f"sandlab.instance={instance.name}"})

        # learners are out, the trainer is still in
        with pytest.raises(LoginFailed):
            hub.login("kim", passwords["kim"])
        hub.login("tia", passwords["tia"])

        # kim's home comes back from the archive, file for file, hers
        shown = CliRunner().invoke(app, ["cohort", "restore", str(cohort_file), "kim", "--from", str(archives),
                                         "--instance", instance.name])
        assert shown.exit_code == 0, shown.output
        check = ("import hashlib, os, pathlib; h = pathlib.Path('/h'); "
                 "print(hashlib.sha256((h / 'work/big.bin').read_bytes()).hexdigest(), "
                 "(h / 'work/notes é.txt').read_text(), os.stat(h).st_uid, os.stat(h / 'work').st_uid)")
        found = engine.containers.run(platform.cohorts["alpha"].image, ["python3", "-c", check], network_disabled=True,
                                      volumes={homes["kim"]: {"bind": "/h", "mode": "ro"}}, remove=True).decode()
        assert found.split() == [written["kim"]["big"], "mes", "notes", "de", "kim", "1000", "1000"]
        again = CliRunner().invoke(app, ["cohort", "restore", str(cohort_file), "kim", "--from", str(archives),
                                         "--instance", instance.name])
        assert again.exit_code == 2 and "exists" in again.output  # never over a home that is there
