from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.cohort import load_cohort
from sandlab.hub.enrol import login_name
from sandlab.hub.roster import RosterError, read_roster
from sandlab.specfile import SpecError

COHORT = """\
# Wave 1 of the AI training, Lyon site.
name: wave-1
title: Wave 1
pack: ../packs/acme
language: fr
limits: {memory: 1G, cpus: 1.0, pids: 256}
labs:
  up_to_level: 2
dates: {opens: 2026-01-05, closes: 2999-12-31}
members:
  - {name: tess, role: trainer}
  - {name: jdupont, role: learner, persona: business, email: jean.dupont@acme.fr}
"""


def import_roster(*args: object):
    return CliRunner().invoke(app, ["cohort", "roster", "import", *map(str, args)])


def report_of(*args: object) -> dict:
    result = import_roster(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def cohort(tmp_path) -> Path:
    folder = tmp_path / "cohorts"
    folder.mkdir()
    path = folder / "wave-1.yaml"
    path.write_text(COHORT, encoding="utf-8")
    return path


def write_csv(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- reading the roster


def test_a_french_csv_in_utf8_with_bom_and_semicolons(tmp_path):
    path = write_csv(tmp_path, "Nom complet;Adresse E-mail;Rôle métier;Langue\n"
                               "Élodie Martin-Dupont;Elodie.Martin@acme.fr;Direction;\n"
                               "Karim Benali;karim@acme.fr;fonctions support;Anglais\n", encoding="utf-8-sig")
    roster = read_roster(path)
    assert not roster.refused and roster.has_language
    elodie, karim = roster.rows
    assert (elodie.line, elodie.name, elodie.email, elodie.persona, elodie.language) == \
        (2, "Élodie Martin-Dupont", "elodie.martin@acme.fr", "leaders", None)
    assert (karim.line, karim.persona, karim.language) == (3, "support", "en")


def test_a_windows_1252_csv_keeps_its_accents(tmp_path):
    path = write_csv(tmp_path, "Prénom,Nom,Courriel,Profil\r\nÉlodie,Martin-Dupont,elodie@acme.fr,Métier\r\n",
                     encoding="cp1252")
    (row,) = read_roster(path).rows
    assert (row.given, row.family, row.name, row.persona) == ("Élodie", "Martin-Dupont", "Élodie Martin-Dupont",
                                                              "business")


def test_an_xlsx_first_sheet_with_english_headers_and_a_blank_line(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Full Name", "E-mail", "Persona", "Language"])
    sheet.append(["Ada Lovelace", "ada@acme.fr", "technical", "english"])
    sheet.append([None, None, None, None])
    sheet.append(["Grace Hopper", "grace@acme.fr", "IT", None])
    book.create_sheet("other").append(["ignored"])
    path = tmp_path / "roster.xlsx"
    book.save(path)
    roster = read_roster(path)
    assert [(row.line, row.name, row.persona, row.language) for row in roster.rows] == [
        (2, "Ada Lovelace", "technical", "en"), (4, "Grace Hopper", "technical", None)]
    assert not roster.refused


def test_a_tab_delimited_file_with_english_first_and_last_names(tmp_path):
    path = write_csv(tmp_path, "First Name\tLast Name\tEmail\tProfile\n"
                               "John\tSmith, Jr\tjohn@acme.com\tbusiness\n")
    (row,) = read_roster(path).rows
    assert (row.given, row.family, row.email, row.persona) == ("John", "Smith, Jr", "john@acme.com", "business")
    assert not read_roster(path).has_language


def test_refused_lines_say_where_and_why_and_empty_lines_are_skipped(tmp_path):
    path = write_csv(tmp_path, "nom;email;profil\n"
                               "Ana Lima;ana@acme.fr;métier\n"
                               ";;\n"
                               "\n"
                               ";nobody@acme.fr;métier\n"
                               "Bob Stone;bob@;métier\n"
                               "Cy Dorn;cy@acme.fr;sales\n"
                               "Ana Lima bis;ANA@acme.fr;direction\n")
    roster = read_roster(path)
    assert [row.line for row in roster.rows] == [2]
    reasons = {refusal.line: refusal.reason for refusal in roster.refused}
    assert reasons[5] == "empty name"
    assert reasons[6] == "invalid e-mail 'bob@'"
    assert reasons[7].startswith("unknown persona 'sales': use leaders (dirigeants, direction), technical")
    assert reasons[8] == "e-mail ana@acme.fr already on line 2"
    assert set(reasons) == {5, 6, 7, 8}


@pytest.mark.parametrize(("text", "expected"), [
    ("", "the file is empty"),
    ("\n\n", "the file is empty"),
    ("nom complet;email;persona\n", "no learner under the header line"),
    ("Nom;Email;Service\nAna Lima;ana@acme.fr;Ventes\n", "no persona column (columns found: 'Nom', 'Email', "
                                                         "'Service')"),
    ("Prénom;Courriel\nAna;ana@acme.fr\n", "no name or persona column (columns found: 'Prénom', 'Courriel')"),
])
def test_a_roster_that_cannot_be_read_names_the_file_and_what_is_missing(tmp_path, text, expected):
    path = write_csv(tmp_path, text)
    with pytest.raises(RosterError) as error:
        read_roster(path)
    assert str(error.value).startswith(f"{path}: ")
    assert expected in str(error.value)


# --- login names


@pytest.mark.parametrize(("given", "family", "email", "expected"), [
    ("Élodie", "Martin-Dupont", "e@acme.fr", "emartin-dupont"),
    ("Jean", "de La Fontaine", "j@acme.fr", "jde-la-fontaine"),
    ("Chloé", "O'Brien", "c@acme.fr", "cobrien"),
    ("Lætitia", "Cœur--Vaillant", "l@acme.fr", "lcoeur-vaillant"),
    ("", "Madonna", "m@acme.fr", "madonna"),
    ("伟", "王", "wei.wang@acme.cn", "wei-wang"),
    ("Anne", "Wolfeschlegelsteinhausenbergerdorff", "a@acme.fr", "awolfeschlegelsteinhausenbergerd"),
])
def test_login_names_are_initial_and_last_name_in_ascii(given, family, email, expected):
    assert login_name(given, family, email, set()) == expected


def test_taken_login_names_get_a_number_within_32_characters():
    assert login_name("Élodie", "Martin", "e@acme.fr", {"emartin"}) == "emartin2"
    assert login_name("Élodie", "Martin", "e@acme.fr", {"emartin", "emartin2"}) == "emartin3"
    long = "awolfeschlegelsteinhausenbergerd"
    assert login_name("Anne", "Wolfeschlegelsteinhausenbergerdorff", "a@acme.fr", {long}) == long[:31] + "2"
    assert login_name("Anne", "Abc-Defghijklmnopqrstuvwxyzabcde-f", "a@acme.fr",
                      {"aabc-defghijklmnopqrstuvwxyzabcd"}) == "aabc-defghijklmnopqrstuvwxyzabc2"


# --- importing into a cohort file


def test_two_jean_dupont_one_already_in_the_cohort(tmp_path, cohort):
    roster = write_csv(tmp_path, "Prénom;Nom;Email;Profil\n"
                                 "Jean;Dupont;jean.dupont@acme.fr;technique\n"
                                 "Jean;Dupont;jean.dupont2@acme.fr;RH\n")
    report = report_of(roster, "--cohort", cohort)
    assert [(entry["login"], entry["changes"]) for entry in report["updated"]] == [
        ("jdupont", {"persona": ["business", "technical"]})]
    assert [(entry["login"], entry["persona"]) for entry in report["added"]] == [("jdupont2", "support")]
    members = {member.name: member for member in load_cohort(cohort).members}
    assert members["jdupont"].persona == "technical" and members["jdupont"].email == "jean.dupont@acme.fr"
    assert members["jdupont2"].email == "jean.dupont2@acme.fr"


def test_a_learner_of_another_open_cohort_is_refused_of_a_closed_one_accepted(tmp_path, cohort):
    other = ("name: {name}\ntitle: t\npack: p\n{dates}members:\n"
             "  - {{name: {login}, persona: business, email: {email}}}\n")
    folder = cohort.parent
    (folder / "spring.yaml").write_text(other.format(name="spring", dates="dates: {closes: 2999-06-30}\n",
                                                     login="ana", email="ana@acme.fr"))
    (folder / "undated.yaml").write_text(other.format(name="undated", dates="", login="bo", email="bo@acme.fr"))
    (folder / "autumn.yaml").write_text(other.format(name="autumn", dates="dates: {closes: 2020-11-30}\n",
                                                     login="clima", email="cy@acme.fr"))
    (folder / "notes.yaml").write_text("who: not a cohort\n")
    roster = write_csv(tmp_path, "nom complet,email,persona\nAna Silva,ana@acme.fr,business\n"
                                 "Bo Lund,bo@acme.fr,business\nCy Lima,cy@acme.fr,business\n")
    report = report_of(roster, "--cohort", cohort)
    refused = {refusal["line"]: refusal["reason"] for refusal in report["refused"]}
    assert refused == {2: "already a learner in open cohort spring.yaml (one open cohort at a time)",
                       3: "already a learner in open cohort undated.yaml (one open cohort at a time)"}
    # accepted from the closed cohort, under a login name of its own: the hub keeps names unique across cohorts
    assert [(entry["line"], entry["login"]) for entry in report["added"]] == [(4, "clima2")]


def test_a_broken_cohort_file_in_the_folder_stops_the_import(tmp_path, cohort):
    (cohort.parent / "broken.yaml").write_text("name: b\ntitle: t\npack: p\nmembers:\n  - {name: Bad, persona: x}\n")
    roster = write_csv(tmp_path, "nom complet,email,persona\nAna Silva,ana@acme.fr,business\n")
    result = import_roster(roster, "--cohort", cohort)
    assert result.exit_code == 2
    assert "broken.yaml:5: members.0.name" in result.output and "one open cohort only" in result.output
    assert cohort.read_text() == COHORT


def test_the_written_file_loads_and_keeps_the_other_keys(tmp_path, cohort):
    cohort.chmod(0o644)
    roster = write_csv(tmp_path, "Nom complet;Email;Profil;Langue\nÉlodie Martin-Dupont;elodie@acme.fr;data;en\n"
                                 "Bad Row;bad;data;\n")
    result = import_roster(roster, "--cohort", cohort)
    assert result.exit_code == 0, result.output
    assert "1 added, 0 updated, 0 unchanged, 1 refused" in result.output
    assert "line 3 (Bad Row <bad>): invalid e-mail 'bad'" in result.output
    lines = cohort.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# members imported from roster.csv on ")
    assert lines[1] == "# Wave 1 of the AI training, Lyon site."
    loaded = load_cohort(cohort)
    assert (loaded.title, loaded.limits.memory, loaded.labs.up_to_level, str(loaded.dates.opens)) == \
        ("Wave 1", "1G", 2, "2026-01-05")
    assert "pack: ../packs/acme" in lines
    assert [m.name for m in loaded.members] == ["tess", "jdupont", "emartin-dupont"]
    assert loaded.members[2].language == "en" and loaded.members[2].persona == "technical"
    assert stat.S_IMODE(cohort.stat().st_mode) == 0o644
    assert [path.name for path in cohort.parent.iterdir()] == ["wave-1.yaml"]  # no temporary file left


def test_importing_the_same_roster_again_changes_nothing(tmp_path, cohort):
    roster = write_csv(tmp_path, "Nom complet;Email;Profil\nÉlodie Martin;elodie@acme.fr;data\n"
                                 "Jean Dupont;jean.dupont@acme.fr;métier\n")
    first = report_of(roster, "--cohort", cohort)
    assert [entry["login"] for entry in first["added"]] == ["emartin"]
    assert [entry["login"] for entry in first["unchanged"]] == ["jdupont"]
    written = cohort.read_text(encoding="utf-8")
    again = report_of(roster, "--cohort", cohort)
    assert (again["added"], again["updated"], again["written"]) == ([], [], False)
    assert [entry["login"] for entry in again["unchanged"]] == ["emartin", "jdupont"]
    assert cohort.read_text(encoding="utf-8") == written


@pytest.mark.parametrize("option", ["--strict", "--dry-run"])
def test_strict_with_a_refused_line_and_dry_run_write_nothing(tmp_path, cohort, option):
    roster = write_csv(tmp_path, "Nom complet;Email;Profil\nÉlodie Martin;elodie@acme.fr;data\n;x@acme.fr;data\n")
    result = import_roster(roster, "--cohort", cohort, option)
    assert result.exit_code == (1 if option == "--strict" else 0)
    assert "1 added, 0 updated, 0 unchanged, 1 refused" in result.output
    assert "nothing written" in result.output
    assert cohort.read_text() == COHORT


def test_a_missing_column_is_an_error_and_nothing_is_written(tmp_path, cohort):
    roster = write_csv(tmp_path, "Nom;Email\nAna Lima;ana@acme.fr\n")
    result = import_roster(roster, "--cohort", cohort)
    assert result.exit_code == 2
    assert f"{roster}: no persona column (columns found: 'Nom', 'Email')" in result.output
    assert cohort.read_text() == COHORT


def test_an_empty_roster_is_a_clear_error(tmp_path, cohort):
    result = import_roster(write_csv(tmp_path, ""), "--cohort", cohort)
    assert result.exit_code == 2 and "the file is empty" in result.output
    assert "Traceback" not in result.output


def test_a_new_cohort_file_needs_name_title_and_pack(tmp_path):
    roster = write_csv(tmp_path, "Nom complet;Email;Profil\nÉlodie Martin;elodie@acme.fr;data\n")
    path = tmp_path / "wave-2.yaml"
    result = import_roster(roster, "--cohort", path, "--name", "wave-2")
    assert result.exit_code == 2 and "give --title, --pack" in result.output
    assert not path.exists()
    result = import_roster(roster, "--cohort", path, "--name", "wave-2", "--title", "Wave 2", "--pack", "packs/a")
    assert result.exit_code == 0, result.output
    cohort = load_cohort(path)
    assert (cohort.name, cohort.pack, [m.name for m in cohort.members]) == ("wave-2", tmp_path / "packs/a",
                                                                            ["emartin"])


# --- the e-mail in the cohort file


@pytest.mark.parametrize(("member", "expected"), [
    ("{name: ana, persona: business, email: ana-at-acme.fr}", ":5: members.0.email"),
    ("{name: ana, persona: business, email: a@acme.fr}\n  - {name: bo, persona: business, email: A@acme.fr}",
     "members 'ana' and 'bo' have the same e-mail"),
])
def test_a_members_email_is_checked(tmp_path, member, expected):
    path = tmp_path / "cohort.yaml"
    path.write_text(f"name: c1\ntitle: t\npack: p\nmembers:\n  - {member}\n")
    with pytest.raises(SpecError) as error:
        load_cohort(path)
    assert expected in str(error.value)
