import pytest

from sandlab.anonymizer.recognizers import FrStreetAddressRecognizer
from tests.anonymizer.conftest import found

recognizer = FrStreetAddressRecognizer()


@pytest.mark.parametrize(("text", "expected"), [
    ("Adresse : 12 rue des Lilas, 69003 Lyon.", ["12 rue des Lilas, 69003 Lyon"]),
    ("livraison au 4 bis avenue Jean Jaurès, 75019 Paris", ["4 bis avenue Jean Jaurès, 75019 Paris"]),
    ("siège situé 146 boulevard de Gallet, 13006 Marseille", ["146 boulevard de Gallet, 13006 Marseille"]),
    ("domicilié 8 impasse Turpin.", ["8 impasse Turpin"]),
    ("3 chaises livrées", []),
    ("commande de 12 bureaux", []),
])
def test_table(text, expected):
    assert found(recognizer, text, "STREET_ADDRESS") == expected
