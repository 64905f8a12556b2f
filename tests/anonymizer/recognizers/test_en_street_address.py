import pytest

from sandlab.anonymizer.recognizers import EnStreetAddressRecognizer
from tests.anonymizer.conftest import found

recognizer = EnStreetAddressRecognizer()


@pytest.mark.parametrize(("text", "expected"), [
    ("ship to 123 Main Street, Springfield, IL 62704.", ["123 Main Street, Springfield, IL 62704"]),
    ("I live at 24 Clarke Avenue", ["24 Clarke Avenue"]),
    ("Office: 500 W Madison St Suite 1000", ["500 W Madison St Suite 1000"]),
    ("we sold 3 Tents", []),
])
def test_table(text, expected):
    hits = found(recognizer, text, "STREET_ADDRESS")
    assert [h for h in hits if not h.isdigit()] == expected
