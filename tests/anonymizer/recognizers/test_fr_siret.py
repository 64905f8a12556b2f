import numpy as np
import pytest

from sandlab import identifiers
from sandlab.anonymizer.recognizers import FrSiretRecognizer
from tests.anonymizer.conftest import found

recognizer = FrSiretRecognizer()


@pytest.mark.parametrize(("text", "expected"), [
    ("SIRET 73282932000074", ["73282932000074"]),
    ("SIRET 732 829 320 00074", ["732 829 320 00074"]),
    ("SIRET 73282932000075", []),
    ("SIRET 7328293200007", []),
])
def test_table(text, expected):
    assert found(recognizer, text, "FR_SIRET") == expected


def test_every_generated_siret_is_found():
    rng = np.random.default_rng(4)
    for value in identifiers.siret_from_siren(rng, identifiers.siren(rng, 200)):
        assert found(recognizer, f"société immatriculée sous le SIRET {value}.", "FR_SIRET") == [value]
