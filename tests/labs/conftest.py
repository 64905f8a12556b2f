"""The reference pack (the one the catalogue's no-code solutions answer), shared by the lab tests."""

from __future__ import annotations

import pytest

from sandlab.labs.reference import generate_reference_pack


@pytest.fixture(scope="session")
def pack(tmp_path_factory):
    return generate_reference_pack(tmp_path_factory.mktemp("labs") / "pack")
