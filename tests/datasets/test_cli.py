"""`sandlab data` as a user runs it: help, a pack, and bad input refused with nothing written."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.datasets import company, shipped_profiles

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["data", *args])


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("command", ["generate", "profiles", "verify"])
def test_help_shows_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Example" in result.output and "sandlab data" in result.output


def test_generate_writes_a_pack_and_a_json_summary(tmp_path):
    out = tmp_path / "pack"
    result = run("generate", "--profile", "us-outdoor", "--employees", "40", "--seed", "9", "--out", str(out),
                 "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["locale"] == "en_US" and summary["rows"]["employees"] == 40
    assert (out / "public" / "company.sqlite").is_file() and (out / "manifest.json").is_file()
    assert run("verify", str(out)).exit_code == 0
    assert leftovers(tmp_path) == ["pack"]


def test_locale_flag_overrides_the_profile(tmp_path):
    result = run("generate", "--employees", "30", "--locale", "en_US", "--out", str(tmp_path / "p"), "--json")
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "p" / "datacard.json").read_text())
    assert card["locale"] == "en_US" and card["company"]["country"] == "FR"


@pytest.mark.parametrize(("args", "message"), [
    (["--locale", "de_DE"], "'--locale'"),
    (["--employees", "5"], "'--employees'"),
    (["--employees", "-3"], "'--employees'"),
    (["--employees", "50000000"], "'--employees'"),
    (["--seed", "-1"], "'--seed'"),
    (["--profile", "atlantis"], "unknown profile 'atlantis'"),
])
def test_bad_flags_are_named_and_nothing_is_written(tmp_path, args, message):
    result = run("generate", *args, "--out", str(tmp_path / "pack"))
    assert result.exit_code == 2
    assert message in result.output
    assert leftovers(tmp_path) == []


def test_bad_profile_file_names_its_line(tmp_path):
    text = shipped_profiles()["fr-mid-size"].replace("currency: EUR", "currency: EUR\ncolour: blue")
    profile = tmp_path / "mine.yaml"
    profile.write_text(text)
    result = run("generate", "--profile", str(profile), "--out", str(tmp_path / "pack"))
    line = text.splitlines().index("colour: blue") + 1
    assert result.exit_code == 2 and f"mine.yaml:{line}: colour: unknown field" in result.output
    assert leftovers(tmp_path) == ["mine.yaml"]


def test_non_empty_output_is_refused_unless_forced(tmp_path):
    out = tmp_path / "pack"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = run("generate", "--employees", "30", "--out", str(out))
    assert result.exit_code == 2 and "--force" in result.output
    assert leftovers(out) == ["keep.txt"]
    result = run("generate", "--employees", "30", "--out", str(out), "--force", "--json")
    assert result.exit_code == 0, result.output
    assert "keep.txt" not in leftovers(out) and "manifest.json" in leftovers(out)
    assert leftovers(tmp_path) == ["pack"]


def test_a_failure_midway_leaves_no_half_pack(tmp_path, monkeypatch):
    out = tmp_path / "pack"
    out.mkdir()
    (out / "previous.txt").write_text("previous pack")

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(company.finance, "finance", broken)
    result = run("generate", "--employees", "30", "--out", str(out), "--force")
    assert result.exit_code != 0
    assert leftovers(tmp_path) == ["pack"] and leftovers(out) == ["previous.txt"]


def test_profiles_lists_and_shows(tmp_path):
    listing = run("profiles", "--json")
    assert {p["name"] for p in json.loads(listing.stdout)} == set(shipped_profiles())
    shown = run("profiles", "--show", "us-outdoor")
    assert shown.stdout == shipped_profiles()["us-outdoor"]
    assert run("profiles", "--show", "nope").exit_code == 2
