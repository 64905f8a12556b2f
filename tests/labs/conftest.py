"""A small pack made by the generator, shared by the lab tests."""

from __future__ import annotations

import pytest

from sandlab.datasets import GenerationSpec, generate_pack, load_profile


@pytest.fixture(scope="session")
def pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("labs") / "pack"
    generate_pack(GenerationSpec(load_profile("fr-mid-size"), "fr_FR", seed=7, employees=300), root)
    return root
