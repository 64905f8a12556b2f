import pytest

from sandlab.anonymizer.recognizers import OrganizationRecognizer
from tests.anonymizer.conftest import found

recognizer = OrganizationRecognizer("en")


@pytest.mark.parametrize(("text", "expected"), [
    ("Lopez, Santos and Coleman is a design agency", ["Lopez, Santos and Coleman"]),
    ("I used to work for Transparagov as Dairy scientist", ["Transparagov"]),
    ("according to the Roadify Transit website", ["Roadify Transit"]),
    ("invoices from Hall and Sons arrived", ["Hall and Sons"]),
    ("Acme Widgets LLC signed", ["Acme Widgets LLC"]),
    ("I work for the weekend", []),
    ("salt, pepper and oil", []),
])
def test_table(text, expected):
    assert found(recognizer, text, "ORGANIZATION") == expected
