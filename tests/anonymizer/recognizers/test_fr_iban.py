import numpy as np
import pytest

from sandlab import identifiers
from sandlab.anonymizer.recognizers import FrIbanRecognizer
from tests.anonymizer.conftest import found

recognizer = FrIbanRecognizer()


@pytest.mark.parametrize(("text", "expected"), [
    ("IBAN FR7630006000011234567890189", ["FR7630006000011234567890189"]),
    ("IBAN FR76 3000 6000 0112 3456 7890 189", ["FR76 3000 6000 0112 3456 7890 189"]),
    ("IBAN FR7630006000011234567890188", []),  # bad check digits
])
def test_table(text, expected):
    assert found(recognizer, text, "IBAN_CODE") == expected


def test_language_and_generated_values():
    assert recognizer.supported_language == "fr"
    for value in identifiers.french_iban(np.random.default_rng(6), 100):
        assert found(recognizer, f"virement sur le RIB {identifiers.format_iban(value)}.", "IBAN_CODE") == \
            [identifiers.format_iban(value)]
