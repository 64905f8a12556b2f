from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.cohort import load_cohort
from sandlab.hub.clone import clone_cohort, wave_title
from sandlab.hub.roster import RosterError
from sandlab.specfile import SpecError

PILOT = """\
# Pilot of the AI training, Lyon site.
name: pilote
title: Formation IA pilote
pack: ../packs/acme
image: sandlab-lab:pilot
language: en
limits: {memory: 1G, cpus: 0.5, pids: 256}
labs:
  up_to_level: 2
  by_persona: {support: [l01-what-ai-is]}
  due: {l01-what-ai-is: 2026-09-25T18:00:00+02:00}
dates:
  opens: 2026-09-07
  ends: 2026-10-02
  closes: 2026-12-31
  sessions: [2026-09-07T09:00:00+02:00, 2026-09-14T14:30:00-04:00]
members:
  - {name: tess, role: trainer, email: tess@acme.fr}
  - {name: jdupont, persona: business, email: jean.dupont@acme.fr}
  - {name: ines, role: admin}
"""
UNDATED = """\
name: pilote
title: Pilot
pack: ../packs/acme
members:
  - {name: tess, role: trainer}
  - {name: jdupont, persona: business, email: jean.dupont@acme.fr}
"""
OPEN = date(2026, 10, 1)  # the pilot is open until 2026-12-31
WAVE_OPENS = date(2027, 2, 1)  # 147 days after the pilot's first day
ROSTER = "Nom complet;Email;Profil\nÉlodie Martin;elodie@acme.fr;data\nKarim Benali;karim@acme.fr;RH\n"


@pytest.fixture
def pilot(tmp_path) -> Path:
    (tmp_path / "packs" / "acme").mkdir(parents=True)
    folder = tmp_path / "cohorts"
    folder.mkdir()
    path = folder / "pilote.yaml"
    path.write_text(PILOT, encoding="utf-8")
    return path


@pytest.fixture
def roster(tmp_path) -> Path:
    return write_roster(tmp_path, ROSTER)


def write_roster(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "vague-2.csv"
    path.write_text(text, encoding="utf-8")
    return path


def clone(pilot: Path, roster: Path, **options):
    options = {"name": "vague-2", "opens": WAVE_OPENS, "today": OPEN} | options
    return clone_cohort(pilot, roster, **options)


def run(*args: object):
    return CliRunner().invoke(app, ["cohort", "clone", *map(str, args)])


# --- what is copied, what moves


def test_every_date_moves_with_opens_and_sessions_keep_their_hour_and_offset(pilot, roster):
    made = clone(pilot, roster)
    assert made.shift == timedelta(days=147)
    wave = load_cohort(pilot.parent / "vague-2.yaml")
    assert (wave.dates.opens, wave.dates.ends, wave.dates.closes) == (date(2027, 2, 1), date(2027, 2, 26),
                                                                      date(2027, 5, 27))
    assert [(start.isoformat()) for start in wave.dates.sessions] == ["2027-02-01T09:00:00+02:00",
                                                                      "2027-02-08T14:30:00-04:00"]
    assert wave.labs.due == {"l01-what-ai-is": datetime.fromisoformat("2027-02-19T18:00:00+02:00")}
    assert load_cohort(pilot).dates.opens == date(2026, 9, 7)  # the pilot is only read


def test_labs_image_limits_and_language_are_copied_as_written(pilot, roster):
    clone(pilot, roster)
    text = (pilot.parent / "vague-2.yaml").read_text(encoding="utf-8")
    written, before = yaml.safe_load(text), yaml.safe_load(PILOT)
    for key in ("pack", "image", "limits", "language"):
        assert written[key] == before[key], key
    assert {key: written["labs"][key] for key in ("up_to_level", "by_persona")} == \
        {"up_to_level": 2, "by_persona": {"support": ["l01-what-ai-is"]}}
    assert (written["name"], written["title"]) == ("vague-2", "Formation IA vague-2")
    lines = text.splitlines()
    assert lines[:2] == [f"# cloned from pilote.yaml on {OPEN}", f"# members imported from vague-2.csv on {OPEN}"]
    assert "Lyon site" not in text and str(pilot.parent) not in text  # the pilot's comments and paths stay behind


@pytest.mark.parametrize(("title", "expected"), [("Formation IA pilote", "Formation IA vague-2"),
                                                 ("AI training", "AI training (vague-2)")])
def test_the_default_title_names_the_wave(title, expected):
    assert wave_title(title, "pilote", "vague-2") == expected


def test_the_pack_still_points_at_the_same_folder_from_another_folder(tmp_path, pilot, roster):
    out = tmp_path / "elsewhere" / "deeper" / "vague-2.yaml"
    out.parent.mkdir(parents=True)
    made = clone(pilot, roster, out=out)
    assert made.pack == "../../packs/acme"
    assert load_cohort(out).pack == load_cohort(pilot).pack == tmp_path / "packs" / "acme"


def test_trainers_and_it_are_kept_and_the_pilots_learners_are_not(pilot, roster):
    made = clone(pilot, roster, today=date(2027, 1, 15))  # the pilot has closed
    wave = load_cohort(made.out)
    assert [(member.name, member.role) for member in wave.members] == [
        ("tess", "trainer"), ("ines", "admin"), ("emartin", "learner"), ("kbenali", "learner")]
    assert wave.members[0].email == "tess@acme.fr"
    assert [(member.persona, member.email) for member in wave.members[2:]] == [
        ("technical", "elodie@acme.fr"), ("support", "karim@acme.fr")]


# --- refusals


def test_refused_roster_lines_are_reported_with_line_and_reason(tmp_path, pilot):
    roster = write_roster(tmp_path, ROSTER + "Bob Stone;bob@;data\n;x@acme.fr;data\n")
    made = clone(pilot, roster)
    assert [(refusal.line, refusal.reason) for refusal in made.plan.refused] == [
        (4, "invalid e-mail 'bob@'"), (5, "empty name")]
    assert made.written and [entry.member.name for entry in made.plan.added] == ["emartin", "kbenali"]


@pytest.mark.parametrize(("today", "refused"), [(OPEN, True), (date(2027, 1, 15), False)])
def test_a_learner_of_the_pilot_is_refused_while_the_pilot_is_open(tmp_path, pilot, today, refused):
    roster = write_roster(tmp_path, ROSTER + "Jean Dupont;Jean.Dupont@acme.fr;métier\n")
    out = tmp_path / "vague-2.yaml"  # not in the pilot's folder: the pilot counts all the same
    made = clone(pilot, roster, out=out, today=today)
    reasons = {refusal.line: refusal.reason for refusal in made.plan.refused}
    if refused:
        assert reasons == {4: "already a learner in open cohort pilote.yaml (one open cohort at a time)"}
        assert "jean.dupont@acme.fr" not in out.read_text(encoding="utf-8")
    else:
        assert not reasons  # the pilot has closed: the same person, under a login name of their own
        assert [entry.member.name for entry in made.plan.added][-1] == "jdupont2"


def test_an_existing_output_file_is_refused_and_left_untouched(pilot, roster):
    out = pilot.parent / "vague-2.yaml"
    out.write_text("# someone's work\n", encoding="utf-8")
    with pytest.raises(SpecError, match="vague-2.yaml: already exists, left as it is"):
        clone(pilot, roster)
    assert out.read_text(encoding="utf-8") == "# someone's work\n"


def test_a_dated_pilot_needs_opens_and_an_undated_one_is_cloned_without(tmp_path, pilot, roster):
    with pytest.raises(SpecError, match="give --opens YYYY-MM-DD: the wave's first day"):
        clone(pilot, roster, opens=None)
    assert sorted(path.name for path in pilot.parent.iterdir()) == ["pilote.yaml"]
    pilot.write_text(UNDATED, encoding="utf-8")
    with pytest.raises(SpecError, match="pilote.yaml has no dates.opens to move from"):
        clone(pilot, roster)
    made = clone(pilot, roster, opens=None)
    assert made.shift is None and load_cohort(made.out).dates.opens is None


@pytest.mark.parametrize(("name", "expected"), [("Vague 2", "a cohort name is 2 to 31 lowercase letters"),
                                                ("v", "a cohort name is 2 to 31 lowercase letters"),
                                                ("pilote", "that is the pilot's name")])
def test_a_bad_wave_name_is_refused(pilot, roster, name, expected):
    with pytest.raises(SpecError, match=expected):
        clone(pilot, roster, name=name)
    assert sorted(path.name for path in pilot.parent.iterdir()) == ["pilote.yaml"]


def test_a_broken_pilot_or_roster_is_refused(tmp_path, pilot, roster):
    with pytest.raises(RosterError, match="no persona column"):
        clone(pilot, write_roster(tmp_path, "Nom;Email\nAna Lima;ana@acme.fr\n"))
    pilot.write_text(PILOT.replace("role: admin", "role: boss"), encoding="utf-8")
    with pytest.raises(SpecError, match=r"pilote.yaml:20: members.2.role"):
        clone(pilot, roster)
    assert sorted(path.name for path in pilot.parent.iterdir()) == ["pilote.yaml"]


def test_a_roster_with_no_importable_line_is_refused(tmp_path, pilot):
    roster = write_roster(tmp_path, "Nom complet;Email;Profil\nBob Stone;bob@;data\n")
    with pytest.raises(SpecError, match="vague-2.yaml: not created, no learner to import from vague-2.csv\n"
                                        "  line 2: invalid e-mail 'bob@'\n"):
        clone(pilot, roster)
    assert not (pilot.parent / "vague-2.yaml").exists()


@pytest.mark.parametrize("option", ["dry_run", "strict"])
def test_a_dry_run_or_strict_with_a_refused_line_writes_nothing(tmp_path, pilot, option):
    roster = write_roster(tmp_path, ROSTER + "Bob Stone;bob@;data\n")
    made = clone(pilot, roster, **{option: True})
    assert not made.written and len(made.plan.added) == 2
    assert sorted(path.name for path in pilot.parent.iterdir()) == ["pilote.yaml"]


# --- the command


def test_the_command_prints_a_json_report_and_writes_a_file_that_loads(tmp_path, pilot, roster):
    result = run(pilot, "--as", "vague-2", "--roster", roster, "--opens", "2027-02-01", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["pilot"], report["cohort"], report["written"], report["created"]) == \
        (str(pilot), str(pilot.parent / "vague-2.yaml"), True, True)
    assert (report["title"], report["pack"], report["shift_days"]) == ("Formation IA vague-2", "../packs/acme", 147)
    assert report["dates"]["opens"] == "2027-02-01"
    assert [entry["login"] for entry in report["staff"]] == ["tess", "ines"]
    assert [(entry["line"], entry["login"]) for entry in report["added"]] == [(2, "emartin"), (3, "kbenali")]
    assert report["refused"] == []
    assert load_cohort(pilot.parent / "vague-2.yaml").name == "vague-2"


def test_the_command_refuses_with_a_message_and_writes_nothing(pilot, roster):
    result = run(pilot, "--as", "vague-2", "--roster", roster)
    assert result.exit_code == 2
    assert "give --opens YYYY-MM-DD: the wave's first day" in result.output
    result = run(pilot, "--as", "vague-2", "--roster", roster, "--opens", "01/02/2027")
    assert result.exit_code == 2 and "--opens 01/02/2027: not a day; give YYYY-MM-DD" in result.output
    result = run(pilot, "--as", "vague-2", "--roster", roster, "--opens", "2027-02-30")
    assert result.exit_code == 2 and "not a day" in result.output
    assert "Traceback" not in result.output
    assert sorted(path.name for path in pilot.parent.iterdir()) == ["pilote.yaml"]


def test_the_command_with_strict_and_a_refused_line_exits_1(tmp_path, pilot):
    roster = write_roster(tmp_path, ROSTER + "Bob Stone;bob@;data\n")
    result = run(pilot, "--as", "vague-2", "--roster", roster, "--opens", "2027-02-01", "--strict")
    assert result.exit_code == 1
    assert "line 4 (Bob Stone <bob@>): invalid e-mail 'bob@'" in result.output
    assert "nothing written" in result.output
    assert not (pilot.parent / "vague-2.yaml").exists()
