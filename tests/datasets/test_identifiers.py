"""Identifier columns: every generated value passes python-stdnum, and bad ones fail it."""

from __future__ import annotations

import numpy as np
import pytest
from stdnum import iban, luhn
from stdnum.fr import nir, siren, siret
from stdnum.us import ein, rtn, ssn

from sandlab import identifiers


@pytest.fixture
def rng():
    return np.random.default_rng(2024)


def test_nir_is_valid_and_encodes_sex_birth_and_department(rng):
    gender = np.array(["F", "M"] * 500)
    years = rng.integers(1950, 2005, 1000)
    months = rng.integers(1, 13, 1000)
    departments = rng.choice([1, 13, 33, 59, 69, 75, 93], 1000)
    values = identifiers.nir(rng, gender, years, months, departments)
    assert all(nir.is_valid(v) for v in values)
    assert all(v[0] == ("2" if g == "F" else "1") for v, g in zip(values, gender, strict=True))
    assert all(int(v[1:3]) == y % 100 and int(v[3:5]) == m and int(v[5:7]) == d
               for v, y, m, d in zip(values, years, months, departments, strict=True))


def test_siren_and_siret_pass_luhn_and_siret_extends_siren(rng):
    sirens = identifiers.siren(rng, 2000)
    sirets = identifiers.siret_from_siren(rng, sirens)
    assert len(set(sirens)) == 2000
    assert all(siren.is_valid(v) for v in sirens)
    assert all(siret.is_valid(v) and v[:9] == s for v, s in zip(sirets, sirens, strict=True))


def test_french_iban_has_valid_rib_key_and_check_digits(rng):
    values = identifiers.french_iban(rng, 2000)
    assert all(iban.is_valid(v) and v.startswith("FR") and len(v) == 27 for v in values)


def test_us_identifiers(rng):
    assert all(ssn.is_valid(v) for v in identifiers.us_ssn(rng, 2000))
    assert all(ein.is_valid(v) for v in identifiers.us_ein(rng, 2000))
    accounts = identifiers.us_bank_account(rng, 2000)
    assert all(rtn.is_valid(v.split(" ")[0]) for v in accounts)


@pytest.mark.parametrize(("validator", "value", "valid"), [
    (nir.is_valid, "269076907413081", True),
    (nir.is_valid, "269076907413082", False),  # wrong key
    (nir.is_valid, "26907690741308", False),  # too short
    (siren.is_valid, "732829320", True),
    (siren.is_valid, "732829321", False),
    (iban.is_valid, "FR7630006000011234567890189", True),
    (iban.is_valid, "FR7630006000011234567890188", False),
])
def test_the_validators_used_here_reject_bad_values(validator, value, valid):
    assert validator(value) is valid


def test_luhn_check_digit_matches_stdnum(rng):
    body = rng.integers(10**12, 10**13, 500)
    digits = identifiers.luhn_check_digit(body, 13)
    assert all(luhn.calc_check_digit(str(b)) == str(d) for b, d in zip(body, digits, strict=True))


def test_print_forms_keep_the_value():
    assert identifiers.format_nir("269076907413081") == "2 69 07 69 074 130 81"
    assert identifiers.format_iban("FR7630006000011234567890189") == "FR76 3000 6000 0112 3456 7890 189"
