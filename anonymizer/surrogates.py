"""Surrogates: a realistic replacement of the same type for each personal value.

One ``Surrogates`` object serves a whole run: the same value (after normalising case,
spacing and formatting) always gets the same surrogate, in every table and every
text, so joins and stories still hold. Choices are drawn from HMAC(key, value): the
run's secret decides them, nothing random is stored, and without the key the mapping
cannot be recomputed. A surrogate never equals a value of the source data.

Formats survive: an IBAN keeps its grouping and gets valid check digits, a NIR a
valid key, a phone its written form and its mobile/landline prefix, a SIRET the
surrogate of its own SIREN, an e-mail the surrogate names of its owner.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import string
import unicodedata
from functools import cached_property
from importlib import import_module

import numpy as np
from stdnum import luhn

from sandlab import identifiers

# Name lists borrowed from Faker's locale data (a wider pool than the source's own locale).
NAME_LOCALES = {
    "fr": ("fr_FR", "fr_CA", "fr_CH", "fr_BE", "fr_QC", "it_IT", "es_ES", "pt_PT"),
    "en": ("en_US", "en_GB", "en_IE", "en_NZ", "en_IN", "es_MX", "it_IT", "de_DE"),
}
STREET_TYPES = {"fr": ("rue", "avenue", "boulevard", "chemin", "allée", "impasse", "place"),
                "en": ("Street", "Avenue", "Road", "Lane", "Drive", "Court", "Way")}
NAME_TOKEN = re.compile(r"[^\W\d_]\.|[^\W\d_][\w'’-]*", re.UNICODE)


def _names(locales: tuple[str, ...], attribute: str) -> set[str]:
    found: set[str] = set()
    for locale in locales:
        provider = import_module(f"faker.providers.person.{locale}").Provider
        found.update(str(n) for n in getattr(provider, attribute, ()) or ())
    return {n for n in found if n.isalpha() or "-" in n}


def fold(text: str) -> str:
    """Lower-case ASCII: 'Andrée' and 'andree' (in an e-mail) are the same name."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _case_like(template: str, value: str) -> str:
    if template.isupper() and len(template) > 1:
        return value.upper()
    if template.islower():
        return value.lower()
    return value


class Surrogates:
    """Keyed, consistent, format-preserving replacements for one run."""

    def __init__(self, key: bytes, language: str, forbidden: set[str]):
        if len(key) < 16:
            raise ValueError("the anonymization key must be at least 16 bytes")
        self.key, self.language = key, language
        self.forbidden = {f.lower() for f in forbidden} | {fold(f) for f in forbidden}
        self.emitted: set[str] = set()
        self.kept_words: set[str] = set()  # words of source text kept on purpose (cities of addresses)
        self._memo: dict[tuple[str, str], str] = {}

    # -- randomness from the key -------------------------------------------------------

    def _random(self, kind: str, value: str, attempt: int = 0) -> random.Random:
        digest = hmac.new(self.key, f"{kind}\0{value}\0{attempt}".encode(), hashlib.sha256).digest()
        return random.Random(int.from_bytes(digest, "big"))

    def _fresh(self, kind: str, value: str, make) -> str:
        """``make(rng)`` until its result is not a source value; remembered per value."""
        memo_key = (kind, value)
        if memo_key in self._memo:
            return self._memo[memo_key]
        for attempt in range(50):
            candidate = make(self._random(kind, value, attempt))
            if fold(candidate) not in self.forbidden and candidate.lower() not in self.forbidden \
                    and candidate.lower() != value.lower():
                break
        else:  # pragma: no cover - 50 collisions in a row means the pools are exhausted
            raise RuntimeError(f"no surrogate of kind {kind} left that differs from the source values")
        self._memo[memo_key] = candidate
        self.emitted.add(candidate)
        return candidate

    def pairs(self) -> list[tuple[str, str, str]]:
        """(kind, normalised source value, surrogate) for every replacement made so far."""
        return sorted((kind, source, surrogate) for (kind, source), surrogate in self._memo.items())

    def hmac_hex(self, value: str, length: int = 16) -> str:
        return hmac.new(self.key, f"hash\0{value}".encode(), hashlib.sha256).hexdigest()[:length]

    # -- names ---------------------------------------------------------------------------

    @cached_property
    def _pools(self) -> dict[str, list[str]]:
        locales = NAME_LOCALES[self.language]
        pools = {"female": _names(locales, "first_names_female"), "male": _names(locales, "first_names_male"),
                 "last": _names(locales, "last_names")}
        def allowed(name: str) -> bool:  # 'Jean-Michel' is out if 'jean' is a source name
            return not any(part in self.forbidden or fold(part) in self.forbidden
                           for part in re.split(r"[-\s]", name.lower()))
        return {kind: sorted(n for n in names if allowed(n)) for kind, names in pools.items()}

    @cached_property
    def _known_first(self) -> dict[str, str]:
        locales = NAME_LOCALES[self.language]
        known = {fold(n): "male" for n in _names(locales, "first_names_male")}
        known.update({fold(n): "female" for n in _names(locales, "first_names_female")})
        return known

    def name_token(self, token: str, kind: str | None = None) -> str:
        """One name word: first names stay first names of the same gender."""
        if re.fullmatch(r"[^\W\d_]\.", token):  # an initial
            letter = self._fresh("initial", token.lower(), lambda r: r.choice(string.ascii_uppercase))
            return _case_like(token[0], letter) + "."
        kind = kind or self._known_first.get(fold(token), "last")
        pool = self._pools[kind] or self._pools["last"]
        chosen = self._fresh(f"name:{kind}", fold(token), lambda r: r.choice(pool))
        self.emitted.update({chosen.upper(), chosen.lower(), fold(chosen)})
        if token.isascii() and not chosen.isascii():  # e-mail local parts and the like stay ASCII
            chosen = unicodedata.normalize("NFKD", chosen).encode("ascii", "ignore").decode()
        return _case_like(token, chosen)

    def person(self, text: str) -> str:
        """A full name as written ('Marie DUPONT', 'dupont marie', 'M. Dupont')."""
        return NAME_TOKEN.sub(lambda m: self.name_token(m.group(0)), text)

    # -- contact details -----------------------------------------------------------------

    def email(self, text: str) -> str:
        local, _, domain = text.partition("@")
        parts = re.split(r"([._+-])", local)
        words = [p for p in parts if p and p not in "._+-" and not p.isdigit()]
        if any(fold(p) in self.forbidden or fold(p) in self._known_first for p in words):
            # built from names ('marie.martin12'): each word becomes the surrogate of that name
            new_local = "".join(self.name_token(p) if p in words else p for p in parts)
        else:
            size = max(4, len(local))
            new_local = self._fresh("email-local", local.lower(),
                                    lambda r: "".join(r.choice(string.ascii_lowercase) for _ in range(size)))
        labels = ["-".join(self.name_token(part).lower() if fold(part) in self.forbidden and part.isalpha()
                           else part for part in label.split("-")) for label in domain.split(".")]
        result = f"{new_local}@{'.'.join(labels)}"
        self.emitted.add(result)
        return result

    def _digits_like(self, kind: str, text: str, keep: int) -> str:
        """Same characters, same grouping; digits after the first ``keep`` replaced."""
        digits = re.sub(r"\D", "", text)

        def make(r: random.Random) -> str:
            fresh = digits[:keep] + "".join(r.choice(string.digits) for _ in digits[keep:])
            it = iter(fresh)
            return "".join(next(it) if ch.isdigit() else ch for ch in text)
        return self._fresh(kind, digits, make)

    def phone(self, text: str) -> str:
        digits = re.sub(r"\D", "", text)
        keep = 2 if digits.startswith("0") else 3 if digits.startswith("33") else min(4, len(digits))
        return self._digits_like("phone", text, keep)

    # -- identifiers ---------------------------------------------------------------------

    def _np_rng(self, kind: str, value: str, attempt: int) -> np.random.Generator:
        return np.random.default_rng(self._random(kind, value, attempt).getrandbits(64))

    def _regroup(self, template: str, compact: str) -> str:
        """Lay ``compact`` out with the spaces of ``template``."""
        if " " not in template:
            return compact
        out, it = [], iter(compact)
        for ch in template:
            out.append(" " if ch == " " else next(it, ""))
        return "".join(out) + "".join(it)

    def iban(self, text: str) -> str:
        compact = re.sub(r"\s", "", text).upper()
        country = compact[:2]

        def make(r: random.Random) -> str:
            if country == "FR" and len(compact) == 27:
                value = str(identifiers.french_iban(np.random.default_rng(r.getrandbits(64)), 1)[0])
            else:
                bban = "".join(r.choice(string.digits) if ch.isdigit() else r.choice(string.ascii_uppercase)
                               for ch in compact[4:])
                numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
                value = f"{country}{98 - int(numeric) % 97:02d}{bban}"
            return self._regroup(text, value)
        return self._fresh("iban", compact, make)

    def nir(self, text: str) -> str:
        compact = re.sub(r"\s", "", text)

        def make(r: random.Random) -> str:
            rng = np.random.default_rng(r.getrandbits(64))
            sex = np.array(["F" if compact[:1] == "2" else "M"])
            value = str(identifiers.nir(rng, sex, rng.integers(1950, 2006, 1), rng.integers(1, 13, 1),
                                        rng.integers(1, 96, 1))[0])
            return self._regroup(text, value)
        return self._fresh("nir", compact, make)

    def siren(self, text: str) -> str:
        compact = re.sub(r"\s", "", text)

        def make(r: random.Random) -> str:
            body = str(r.randrange(10_000_000, 100_000_000))
            return self._regroup(text, body + luhn.calc_check_digit(body))
        return self._fresh("siren", compact, make)

    def siret(self, text: str) -> str:
        compact = re.sub(r"\s", "", text)
        head = re.sub(r"\s", "", self.siren(compact[:9]))

        def make(r: random.Random) -> str:
            body = head + f"{r.randrange(1, 10_000):04d}"
            return self._regroup(text, body + luhn.calc_check_digit(body))
        return self._fresh("siret", compact, make)

    def luhn_number(self, text: str) -> str:
        """Card numbers and the like: same length and first digit, valid Luhn."""
        compact = re.sub(r"\D", "", text)

        def make(r: random.Random) -> str:
            body = compact[:1] + "".join(r.choice(string.digits) for _ in compact[1:-1])
            fresh = body + luhn.calc_check_digit(body)
            it = iter(fresh)
            return "".join(next(it) if ch.isdigit() else ch for ch in text)
        return self._fresh("luhn", compact, make)

    def ssn(self, text: str) -> str:
        def make(r: random.Random) -> str:
            area = r.choice([a for a in range(1, 900) if a != 666])
            return f"{area:03d}-{r.randrange(1, 100):02d}-{r.randrange(1, 10_000):04d}"
        return self._fresh("ssn", re.sub(r"\D", "", text), make)

    def street_address(self, text: str) -> str:
        """A new number and street; a postcode and city at the end are kept (generalise them apart)."""
        tail = re.search(r"(,?\s+\d{5}(?:-\d{4})?\s+[^\d,]+|,\s*[^,\d]+,\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?)$", text)
        street = text[:tail.start()] if tail else text
        types = STREET_TYPES[self.language]

        def make(r: random.Random) -> str:
            name = r.choice(self._pools["last"])
            number = str(r.randrange(1, 200))
            if self.language == "fr":
                return f"{number} {r.choice(types)} {name}"
            return f"{number} {name} {r.choice(types)}"
        if tail:
            self.kept_words.update(fold(w) for w in re.findall(r"[^\W\d_]+", tail.group(0)))
        return self._fresh("street", street.lower(), make) + (tail.group(0) if tail else "")

    def generic(self, text: str) -> str:
        """Anything else: same shape, letters for letters and digits for digits."""
        def make(r: random.Random) -> str:
            return "".join(r.choice(string.digits) if ch.isdigit() else
                           _case_like(ch, r.choice(string.ascii_lowercase)) if ch.isalpha() else ch for ch in text)
        return self._fresh("generic", text.lower(), make)

    # -- dispatch ------------------------------------------------------------------------

    def replace(self, entity_type: str, text: str) -> str:
        handler = {
            "PERSON": self.person, "FIRST_NAME": lambda t: self.name_token(t) if " " not in t else self.person(t),
            "LAST_NAME": lambda t: self.person(t),
            "EMAIL_ADDRESS": self.email, "PHONE_NUMBER": self.phone, "IBAN_CODE": self.iban,
            "FR_NIR": self.nir, "FR_SIREN": self.siren, "FR_SIRET": self.siret, "US_SSN": self.ssn,
            "CREDIT_CARD": self.luhn_number, "STREET_ADDRESS": self.street_address,
        }.get(entity_type, self.generic)
        result = handler(text)
        self.emitted.add(result)
        return result
