"""Surrogates: consistent for a key, different for another, valid, never a source value."""

from __future__ import annotations

import re

import pytest
from stdnum import iban, luhn
from stdnum.fr import nir, siren, siret
from stdnum.us import ssn

from sandlab.anonymizer.surrogates import Surrogates
from tests.anonymizer.conftest import KEY


@pytest.fixture
def fr():
    return Surrogates(KEY, "fr", forbidden={"marie", "dupont", "martin"})


def test_same_value_same_surrogate_other_key_other_surrogate(fr):
    assert fr.person("Marie Dupont") == fr.person("Marie Dupont")
    other = Surrogates(b"another-key-0123456789abcdef", "fr", forbidden=set())
    values = ["Marie Dupont", "06 12 34 56 78", "FR7630006000011234567890189", "269076907413081"]
    kinds = ["PERSON", "PHONE_NUMBER", "IBAN_CODE", "FR_NIR"]
    assert [fr.replace(k, v) for k, v in zip(kinds, values, strict=True)] != \
        [other.replace(k, v) for k, v in zip(kinds, values, strict=True)]


def test_names_keep_their_written_form_and_avoid_source_names(fr):
    plain = fr.person("Marie Dupont")
    first, last = plain.split(" ", 1)
    assert fr.person("MARIE DUPONT") == plain.upper()
    assert fr.person("dupont marie") == f"{last} {first}".lower()
    assert fr.person("M. Dupont").endswith(last) and re.match(r"[A-Z]\. ", fr.person("M. Dupont"))
    assert not {w.lower() for w in re.split(r"[\s-]", plain)} & {"marie", "dupont", "martin"}
    # a first name stays a first name, and the same token maps the same in every column and text
    assert fr.replace("FIRST_NAME", "Marie") == first and fr.replace("LAST_NAME", "Dupont") == last


def test_email_follows_the_names(fr):
    first, last = fr.person("Marie Dupont").split(" ", 1)
    email = fr.email("marie.dupont@gmail.com")
    assert email.endswith("@gmail.com")
    assert email.split("@")[0].split(".")[0] in first.lower().replace("é", "e") or email.isascii()


@pytest.mark.parametrize(("entity", "value", "valid"), [
    ("FR_NIR", "2 69 07 69 074 130 81", lambda v: nir.is_valid(v.replace(" ", ""))),
    ("IBAN_CODE", "FR76 3000 6000 0112 3456 7890 189", iban.is_valid),
    ("IBAN_CODE", "GB93PITW55383148579181", iban.is_valid),
    ("FR_SIREN", "732829320", siren.is_valid),
    ("FR_SIRET", "732 829 320 00074", lambda v: siret.is_valid(v.replace(" ", ""))),
    ("US_SSN", "123-45-6789", ssn.is_valid),
    ("CREDIT_CARD", "4111 1111 1111 1111", lambda v: luhn.is_valid(v.replace(" ", ""))),
])
def test_identifiers_stay_valid_and_keep_their_layout(fr, entity, value, valid):
    out = fr.replace(entity, value)
    assert out != value and valid(out)
    assert [i for i, c in enumerate(out) if c == " "] == [i for i, c in enumerate(value) if c == " "]


def test_siret_surrogate_extends_its_siren_surrogate(fr):
    assert fr.replace("FR_SIRET", "73282932000074")[:9] == fr.replace("FR_SIREN", "732829320")


def test_phone_keeps_format_and_kind(fr):
    for number in ("06 12 34 56 78", "+33 (0)1 42 34 56 78", "01.42.34.56.78"):
        out = fr.phone(number)
        assert re.sub(r"\d", "9", out) == re.sub(r"\d", "9", number) and out != number
        assert re.sub(r"\D", "", out)[:2] == re.sub(r"\D", "", number)[:2]


def test_street_address_keeps_postcode_and_city(fr):
    out = fr.street_address("12 rue des Lilas, 69003 Lyon")
    assert out.endswith(", 69003 Lyon") and not out.startswith("12 rue des Lilas")


def test_short_key_is_refused():
    with pytest.raises(ValueError, match="at least 16 bytes"):
        Surrogates(b"short", "fr", set())


def test_email_words_with_digits_are_replaced_like_the_name_they_copy():
    surrogates = Surrogates(KEY, "fr", forbidden={"martin12", "marie"})
    email = surrogates.email("marie.martin12@example.fr")
    assert "martin12" not in email and "marie" not in email
    assert email.split("@")[0].split(".")[1] == surrogates.name_token("martin12").lower()
