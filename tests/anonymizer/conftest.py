"""Detectors are loaded once per session (a spaCy model takes seconds)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sandlab.anonymizer.detect import detector

FILES = Path(__file__).parent / "files"
KEY = b"test-key-0123456789abcdef-0123456789"


@pytest.fixture(scope="session")
def fr_detector():
    return detector("fr")


@pytest.fixture(scope="session")
def en_detector():
    return detector("en")


@pytest.fixture
def sample(tmp_path) -> Path:
    """A private copy of the shipped sample export."""
    target = tmp_path / "export"
    shutil.copytree(FILES / "sample", target)
    return target


def found(recognizer, text: str, entity: str) -> list[str]:
    """Texts a recognizer accepts (score above zero) for ``entity``."""
    results = recognizer.analyze(text, entities=[entity], nlp_artifacts=None)
    return [text[r.start:r.end] for r in results if r.score > 0]
