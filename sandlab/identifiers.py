"""National identifiers with valid check digits, a whole column at a time.

Faker's ``ssn()``/``siret()`` make one value per call; a 100,000-row table wants
NumPy. Each function takes the seeded generator and the parts that must agree with
the rest of the row (a NIR encodes sex, birth month and birth department) and
returns strings that python-stdnum accepts (the tests check every value with it).
"""

from __future__ import annotations

import numpy as np

Rng = np.random.Generator


def luhn_check_digit(body: np.ndarray, n_digits: int) -> np.ndarray:
    """Luhn digit to append to each ``n_digits``-long number in ``body``."""
    digits = (body[:, None] // (10 ** np.arange(n_digits, dtype=np.int64))) % 10
    doubled = digits[:, 0::2] * 2
    doubled -= 9 * (doubled > 9)
    total = doubled.sum(axis=1) + digits[:, 1::2].sum(axis=1)
    return (10 - total % 10) % 10


def _zfill(values: np.ndarray, width: int) -> np.ndarray:
    return np.char.zfill(values.astype(str), width)


def distinct_integers(rng: Rng, low: int, high: int, n: int) -> np.ndarray:
    """``n`` distinct int64 in [low, high), in draw order (identifiers must not collide)."""
    values = rng.integers(low, high, size=n + n // 8 + 16, dtype=np.int64)
    _, first = np.unique(values, return_index=True)
    keep = np.sort(first)[:n]
    if len(keep) < n:
        raise ValueError(f"cannot draw {n} distinct values in [{low}, {high})")
    return values[keep]


def siren_numbers(rng: Rng, n: int) -> np.ndarray:
    """SIREN as int64 (9 digits, Luhn), distinct within the column."""
    body = distinct_integers(rng, 10_000_000, 100_000_000, n)
    return body * 10 + luhn_check_digit(body, 8)


def siren(rng: Rng, n: int) -> np.ndarray:
    return _zfill(siren_numbers(rng, n), 9)


def siret_from_siren(rng: Rng, siren_values: np.ndarray) -> np.ndarray:
    """SIRET of an establishment of each SIREN (NIC drawn, Luhn over 14 digits)."""
    base = np.asarray(siren_values).astype(np.int64)
    nic = rng.integers(1, 300, size=len(base)).astype(np.int64)  # NIC 0001..0299
    body = base * 10_000 + nic
    return _zfill(body * 10 + luhn_check_digit(body, 13), 14)


def nir(rng: Rng, gender: np.ndarray, birth_year: np.ndarray, birth_month: np.ndarray,
        birth_department: np.ndarray) -> np.ndarray:
    """French NIR (numéro de sécurité sociale), 15 digits with its key."""
    n = len(gender)
    sex = np.where(gender == "F", 2, 1).astype(np.int64)
    commune = rng.integers(1, 990, size=n).astype(np.int64)
    order = rng.integers(1, 999, size=n).astype(np.int64)
    dept = np.asarray(birth_department).astype(np.int64)
    body = (((sex * 100 + birth_year % 100) * 100 + birth_month) * 100 + dept) * 1000 + commune
    body = body * 1000 + order
    key = 97 - body % 97
    return np.char.add(_zfill(body, 13), _zfill(key, 2))


_SSN_BLACKLIST = {"078051120", "219099999"}


def us_ssn(rng: Rng, n: int) -> np.ndarray:
    """US SSN ``AAA-GG-SSSS`` with the ranges the SSA issues (no 000, 666, 9xx)."""
    area = rng.integers(1, 899, size=n)
    area[area == 666] = 667
    group = rng.integers(1, 100, size=n)
    serial = rng.integers(1, 10_000, size=n)
    text = np.char.add(np.char.add(np.char.add(np.char.add(_zfill(area, 3), "-"), _zfill(group, 2)), "-"),
                       _zfill(serial, 4))
    bad = np.isin(np.char.replace(text, "-", ""), list(_SSN_BLACKLIST))
    text[bad] = "123-45-6780"
    return text


_EIN_PREFIXES = np.array([10, 12, 20, 27, 30, 35, 38, 41, 45, 46, 52, 54, 61, 71, 80, 84, 88, 91, 93, 95])


def us_ein(rng: Rng, n: int) -> np.ndarray:
    """US employer identification number ``PP-NNNNNNN`` with an assigned prefix."""
    prefix = rng.choice(_EIN_PREFIXES, size=n)
    rest = rng.integers(0, 10_000_000, size=n)
    return np.char.add(np.char.add(_zfill(prefix, 2), "-"), _zfill(rest, 7))


def _mod97(parts: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """Remainder mod 97 of the decimal concatenation of (values, width) parts."""
    remainder = np.zeros(len(parts[0][0]), dtype=np.int64)
    for values, width in parts:
        remainder = (remainder * pow(10, width, 97) + np.asarray(values, dtype=np.int64) % 97) % 97
    return remainder


_BANK_CODES = np.array([30004, 30002, 30003, 10278, 20041, 30066, 10096, 11315, 12506, 13807, 16606, 18206])


def french_iban(rng: Rng, n: int) -> np.ndarray:
    """French IBAN (compact form, 27 characters) with a valid RIB key and check digits."""
    bank = rng.choice(_BANK_CODES, size=n).astype(np.int64)
    branch = rng.integers(0, 100_000, size=n).astype(np.int64)
    account = rng.integers(0, 100_000_000_000, size=n).astype(np.int64)
    rib_key = 97 - (89 * bank + 15 * branch + 3 * account) % 97
    remainder = _mod97([(bank, 5), (branch, 5), (account, 11), (rib_key, 2), (np.full(n, 152700), 6)])
    check = 98 - remainder
    bban = np.char.add(np.char.add(np.char.add(_zfill(bank, 5), _zfill(branch, 5)), _zfill(account, 11)),
                       _zfill(rib_key, 2))
    return np.char.add(np.char.add("FR", _zfill(check, 2)), bban)


_FED_DISTRICTS = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 21, 22, 26, 31])


def us_bank_account(rng: Rng, n: int) -> np.ndarray:
    """``ROUTING ACCOUNT``: an ABA routing number with its check digit, then an account."""
    district = rng.choice(_FED_DISTRICTS, size=n).astype(np.int64)
    middle = rng.integers(0, 1_000_000, size=n).astype(np.int64)
    body = district * 1_000_000 + middle  # 8 digits (leading zero allowed)
    digits = (body[:, None] // (10 ** np.arange(7, -1, -1, dtype=np.int64))) % 10
    weighted = digits @ np.array([3, 7, 1, 3, 7, 1, 3, 7])
    check = (10 - weighted % 10) % 10
    routing = _zfill(body * 10 + check, 9)
    account = _zfill(rng.integers(10 ** 9, 10 ** 12, size=n), 12)
    return np.char.add(np.char.add(routing, " "), account)


def format_iban(iban: str) -> str:
    """Print form of an IBAN: groups of four."""
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def format_nir(value: str) -> str:
    """Print form of a NIR, as on a carte Vitale: 1 84 12 75 123 456 78."""
    parts = (value[0], value[1:3], value[3:5], value[5:7], value[7:10], value[10:13], value[13:15])
    return " ".join(parts)
