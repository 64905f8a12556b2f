import numpy as np
import pytest

from sandlab import identifiers
from sandlab.anonymizer.recognizers import FrNirRecognizer
from tests.anonymizer.conftest import found

recognizer = FrNirRecognizer()


@pytest.mark.parametrize(("text", "expected"), [
    ("NIR : 269076907413081", ["269076907413081"]),
    ("carte Vitale 2 69 07 69 074 130 81.", ["2 69 07 69 074 130 81"]),
    ("né en Corse : 1 85 05 2A 123 456 26", []),  # wrong key for Corsica
    ("NIR : 269076907413082", []),  # bad key
    ("NIR : 26907690741308", []),  # 14 digits
    ("NIR : 369076907413081", []),  # sex digit 3
    ("commande 2690769074130811", []),  # part of a longer number
])
def test_table(text, expected):
    assert found(recognizer, text, "FR_NIR") == expected


def test_every_generated_nir_is_found():
    rng = np.random.default_rng(7)
    values = identifiers.nir(rng, np.array(["F", "M"] * 50), rng.integers(1940, 2006, 100),
                             rng.integers(1, 13, 100), rng.integers(1, 96, 100))
    for value in values:
        assert found(recognizer, f"Son numéro de sécurité sociale est {value}.", "FR_NIR") == [value]
        spaced = identifiers.format_nir(value)
        assert found(recognizer, f"sécu : {spaced}", "FR_NIR") == [spaced]
