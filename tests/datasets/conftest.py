"""Packs generated once per test session, read by many tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sandlab.datasets import GenerationSpec, generate_pack, load_profile


class Pack:
    """A generated pack and convenient readers of its files."""

    def __init__(self, root: Path, spec: GenerationSpec):
        self.root, self.spec = root, spec

    def table(self, name: str, where: str = "public"):
        return pq.read_table(self.root / where / "tables" / f"{name}.parquet")

    def column(self, name: str, column: str, where: str = "public"):
        return self.table(name, where)[column].to_numpy(zero_copy_only=False)

    def sqlite(self) -> sqlite3.Connection:
        return sqlite3.connect(self.root / "public" / "company.sqlite")


def make_pack(root: Path, profile: str, employees: int, seed: int) -> Pack:
    spec = GenerationSpec(profile=load_profile(profile), locale=load_profile(profile).locale, seed=seed,
                          employees=employees)
    generate_pack(spec, root)
    return Pack(root, spec)


@pytest.fixture(scope="session")
def fr_pack(tmp_path_factory) -> Pack:
    """Large enough for the signals to be measured with useful precision."""
    return make_pack(tmp_path_factory.mktemp("fr") / "pack", "fr-mid-size", employees=2500, seed=11)


@pytest.fixture(scope="session")
def en_pack(tmp_path_factory) -> Pack:
    return make_pack(tmp_path_factory.mktemp("en") / "pack", "us-outdoor", employees=1500, seed=5)


@pytest.fixture(params=["fr", "en"])
def pack(request, fr_pack, en_pack) -> Pack:
    return {"fr": fr_pack, "en": en_pack}[request.param]
