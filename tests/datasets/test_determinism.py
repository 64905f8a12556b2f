"""Same profile, seed and version: byte-identical pack. Another seed: other data."""

from __future__ import annotations

import json

from sandlab.pack import verify_manifest
from tests.datasets.conftest import make_pack


def manifest(pack) -> dict:
    return json.loads((pack.root / "manifest.json").read_text())["files"]


def test_same_seed_gives_byte_identical_pack(tmp_path):
    first = make_pack(tmp_path / "a", "fr-mid-size", employees=120, seed=3)
    second = make_pack(tmp_path / "b", "fr-mid-size", employees=120, seed=3)
    assert manifest(first) == manifest(second)
    assert len(manifest(first)) > 50


def test_other_seed_gives_other_data(tmp_path):
    first = make_pack(tmp_path / "a", "us-outdoor", employees=120, seed=3)
    second = make_pack(tmp_path / "b", "us-outdoor", employees=120, seed=4)
    a, b = manifest(first), manifest(second)
    assert a.keys() == b.keys()
    changed = [name for name in a if a[name]["sha256"] != b[name]["sha256"]]
    assert "public/tables/employees.parquet" in changed and "public/texts/tickets.jsonl" in changed
    assert first.column("employees", "national_id")[0] != second.column("employees", "national_id")[0]


def test_manifest_detects_a_changed_missing_or_extra_file(tmp_path):
    pack = make_pack(tmp_path / "p", "fr-mid-size", employees=60, seed=1)
    assert verify_manifest(pack.root) == []
    (pack.root / "public" / "tables" / "products.csv").write_text("tampered\n")
    (pack.root / "answers" / "tables" / "churn_truth.csv").unlink()
    (pack.root / "public" / "notes.txt").write_text("extra")
    assert sorted(verify_manifest(pack.root)) == [
        "changed: public/tables/products.csv",
        "missing: answers/tables/churn_truth.csv",
        "not in manifest: public/notes.txt",
    ]
