"""`sandlab anonymize` as a user runs it."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from sandlab.cli import app
from tests.anonymizer.conftest import FILES, KEY

runner = CliRunner()


def run(*args: str, env: dict | None = None):
    return runner.invoke(app, ["anonymize", *args], env=env)


@pytest.mark.parametrize("command", ["suggest", "run", "scan", "verify"])
def test_help_shows_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Example" in result.output


def test_suggest_lists_every_column_and_document(sample, tmp_path):
    out = tmp_path / "policy.yaml"
    result = run("suggest", str(sample), "--lang", "fr", "--out", str(out))
    assert result.exit_code == 0, result.output
    proposed = yaml.safe_load(out.read_text())
    columns = proposed["tables"]["salaries.csv"]["columns"]
    assert columns["nir"] == {"action": "pseudonymize", "entity": "FR_NIR",
                              "reason": "most sampled values are valid FR_NIR"}
    assert columns["commentaire_rh"]["action"] == "scan" and columns["date_naissance"]["to"] == "age_band"
    assert proposed["tables"]["crm.sqlite#clients"]["columns"]["iban"]["entity"] == "IBAN_CODE"
    assert set(proposed["documents"]) == {"mails/relance.eml", "notes/entretien-2025.txt"}
    assert run("suggest", str(sample), "--out", str(out)).exit_code == 2  # exists


def test_run_needs_a_key_and_publishes_with_one(sample, tmp_path):
    out = tmp_path / "pack"
    args = ("run", str(sample), "--policy", str(FILES / "sample-policy.yaml"), "--out", str(out),
            "--reference-date", "2025-12-31")
    result = run(*args, env={"SANDLAB_ANONYMIZE_KEY": ""})
    assert result.exit_code == 2 and "no key" in result.output and not out.exists()
    key = tmp_path / "key"
    key.write_bytes(KEY)
    result = run(*args, "--key-file", str(key), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["classification"]["status"] == "pseudonymised"
    verified = run("verify", str(out), "--key-file", str(key))
    assert verified.exit_code == 0, verified.output


def test_verify_finds_a_planted_identifier_and_a_tampered_file(sample, tmp_path):
    out, key = tmp_path / "pack", tmp_path / "key"
    key.write_bytes(KEY)
    args = ("run", str(sample), "--policy", str(FILES / "sample-policy.yaml"), "--out", str(out),
            "--reference-date", "2025-12-31", "--key-file", str(key))
    assert run(*args).exit_code == 0
    note = out / "public" / "notes" / "entretien-2025.txt"
    note.write_text(note.read_text() + "IBAN FR76 3000 6000 0112 3456 7890 189\n")
    from sandlab.pack import write_manifest
    write_manifest(out)  # an insider edits the pack and re-seals it
    result = run("verify", str(out), "--key-file", str(key))
    assert result.exit_code == 1 and "rescan: notes/entretien-2025.txt" in result.output
    (out / "public" / "tickets.jsonl").write_text("{}\n")
    result = run("verify", str(out), "--key-file", str(key))
    assert result.exit_code == 1 and "changed: public/tickets.jsonl" in result.output


def test_run_reports_bad_policy_by_line(sample, tmp_path):
    bad = tmp_path / "policy.yaml"
    bad.write_text((FILES / "sample-policy.yaml").read_text().replace("language: fr", "langage: fr"))
    result = run("run", str(sample), "--policy", str(bad), "--out", str(tmp_path / "pack"),
                 env={"SANDLAB_ANONYMIZE_KEY": KEY.decode()})
    assert result.exit_code == 2 and "policy.yaml:2: langage: unknown field" in result.output


def test_scan_prints_spans_per_line(tmp_path):
    source = tmp_path / "texts.jsonl"
    source.write_text(json.dumps({"id": "t1", "text": "Écrire à jeanne.martin@orange.fr ou au 06 11 22 33 44."})
                      + "\n" + json.dumps({"id": 2, "text": "Rien."}) + "\n")
    result = run("scan", str(source), "--lang", "fr", "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["t1", 2]
    assert {s["entity_type"] for s in lines[0]["spans"]} == {"EMAIL_ADDRESS", "PHONE_NUMBER"}
    assert set(lines[0]["spans"][0]) == {"start", "end", "entity_type", "score"} and lines[1]["spans"] == []
    source.write_text('{"id": 1}\n')
    assert "texts.jsonl:1" in run("scan", str(source)).output
