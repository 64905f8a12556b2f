import numpy as np
import pytest

from sandlab import identifiers
from sandlab.anonymizer.recognizers import FrSirenRecognizer
from tests.anonymizer.conftest import found

recognizer = FrSirenRecognizer()


@pytest.mark.parametrize(("text", "expected"), [
    ("SIREN 732829320", ["732829320"]),
    ("SIREN 732 829 320", ["732 829 320"]),
    ("SIREN 732829321", []),  # bad check digit
    ("SIREN 73282932", []),  # 8 digits
])
def test_table(text, expected):
    assert found(recognizer, text, "FR_SIREN") == expected


def test_a_valid_siren_without_context_stays_below_the_registry_threshold():
    from sandlab.anonymizer.registry import threshold
    result = recognizer.analyze("commande 732829320", entities=["FR_SIREN"], nlp_artifacts=None)
    assert result and all(r.score < threshold("FR_SIREN") for r in result)


def test_every_generated_siren_is_found():
    for value in identifiers.siren(np.random.default_rng(3), 200):
        assert found(recognizer, f"RCS Paris, SIREN {value}", "FR_SIREN") == [value]
