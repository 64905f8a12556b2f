import numpy as np
import pytest

from sandlab.anonymizer.recognizers import FrPhoneRecognizer
from sandlab.datasets.locales.fr_FR import phone_variants, phones
from tests.anonymizer.conftest import found

recognizer = FrPhoneRecognizer()


@pytest.mark.parametrize(("text", "expected"), [
    ("tél. 06 12 34 56 78", ["06 12 34 56 78"]),
    ("06.12.34.56.78", ["06.12.34.56.78"]),
    ("0612345678", ["0612345678"]),
    ("+33 6 12 34 56 78", ["+33 6 12 34 56 78"]),
    ("+33 (0)1 42 34 56 78", ["+33 (0)1 42 34 56 78"]),
    ("0033 6 12 34 56 78", ["0033 6 12 34 56 78"]),
    ("06-12-34-56-78", ["06-12-34-56-78"]),
    ("06 12 34 56 7", []),  # too short
    ("00 12 34 56 78", []),  # no 00 prefix in France
    ("commande 1234567890", []),
])
def test_table(text, expected):
    assert found(recognizer, text, "PHONE_NUMBER") == expected


def test_every_written_form_of_generated_numbers_is_found():
    rng = np.random.default_rng(5)
    for number in phones(rng, np.array(["1", "4", "5"] * 20), rng.random(60) < 0.5):
        for variant in phone_variants(str(number)):
            assert found(recognizer, f"Rappelez-moi au {variant} svp", "PHONE_NUMBER") == [variant]
