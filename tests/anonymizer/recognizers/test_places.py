import pytest

from sandlab.anonymizer.recognizers import InternationalStreetRecognizer, PlaceRecognizer
from tests.anonymizer.conftest import found

places = PlaceRecognizer("en")
streets = InternationalStreetRecognizer("en")


@pytest.mark.parametrize(("text", "expected"), [
    ("Hafnarstraeti 5  Suite 179  Akureyri  Iceland 80296", ["Akureyri"]),
    ("She moved to Villafranca del Cid, Spain last year", ["Villafranca del Cid"]),
    ("Apt. 123 >Qaqortoq >Greenland 96817", ["Qaqortoq"]),
    ("a 53 year old man who grew up in KNIVSTA.", ["KNIVSTA"]),
    ("We love France and Italy", []),  # a country alone is the country recognizer's
    ("I work in IT in Norway", []),
])
def test_places(text, expected):
    assert found(places, text, "LOCATION") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("lives at 63 Rue de Kairouan, Tunis", ["63 Rue de Kairouan"]),
    ("3482 Via Franscini 71 Suite 932", ["3482 Via Franscini 71"]),
    ("his address: 450 Præstevænget 15, Køge", ["450 Præstevænget 15"]),
    ("Jay lives at 67952 Höfðagata 39, Keflavik", ["67952 Höfðagata 39"]),
    ("located at PSC 9009, Box 9725 APO AA 33274.", ["PSC 9009, Box 9725 APO AA 33274"]),
    ("Suite 179  Akureyri  Iceland 80296", []),  # a town and a country, not a street
    ("we shipped 12 Chairs to 4 shops", []),
])
def test_streets(text, expected):
    hits = found(streets, text, "STREET_ADDRESS")
    assert ([max(hits, key=len)] if hits else []) == expected  # overlaps resolve to the longest
