"""Person names from a gazetteer of first names, for what small NER models miss.

spaCy's small models miss names in lists, after greetings, in capitals or in lower
case. This recognizer knows first names (Faker's lists for thirty European locales,
which are census lists) and accepts a known first name with the capitalised words
around it, a name in capitals before a known first name, and a known first name
followed by a known last name in lower case ('gilles lévy').
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import import_module

from presidio_analyzer import EntityRecognizer, RecognizerResult

LOCALES = ("en_US", "en_GB", "en_IE", "fr_FR", "fr_CA", "fr_CH", "de_DE", "de_AT", "es_ES", "es_MX", "it_IT",
           "pt_PT", "pt_BR", "nl_NL", "pl_PL", "cs_CZ", "sv_SE", "da_DK", "no_NO", "fi_FI", "et_EE", "lv_LV",
           "lt_LT", "hu_HU", "ro_RO", "hr_HR", "sk_SK", "sl_SI", "tr_TR", "is_IS")
# First names that are, far more often, ordinary words.
COMMON_WORDS = {
    "en": {"will", "may", "june", "april", "august", "mark", "grant", "rose", "summer", "hope", "joy", "faith",
           "bill", "art", "guy", "don", "ray", "sky", "dawn", "lane", "rich", "chase", "hunter", "page", "case",
           "major", "king", "young", "price", "love", "star", "sunny", "honey", "angel", "an", "in", "see",
           "long", "ben", "sage", "stone", "field", "ferry", "forest", "river", "rock", "royal", "sincere",
           "gay", "carry", "earl", "harmony", "precious", "princess", "tiny", "lucky", "else", "per", "via"},
    "fr": {"rose", "pierre", "claire", "marine", "olive", "ange", "prudence", "constance", "aime", "aimé",
           "désiré", "france", "florence", "avril", "juin", "mars", "noël", "noel", "victoire", "gaspard",
           "patience", "blanche", "violette", "capucine", "lys", "bonjour", "madame", "monsieur", "client",
           "merci", "salut", "le", "la", "de", "du", "des", "en", "au", "ou", "et", "dit", "dite", "fort"},
}
WORD = r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+)?"
UPPER = r"[A-ZÀ-ÖØ-Þ]{2,}(?:[-'][A-ZÀ-ÖØ-Þ]{2,})?"
PARTICLE = r"(?:(?:de|du|des|le|la|van|von|der|da|di|dos|del|della|ben|al|el|mac|mc|o')\s)?"
CAPITALISED = re.compile(rf"\b(?:{WORD}|{UPPER}|[A-Z]\.)(?:\s+{PARTICLE}(?:{WORD}|{UPPER}|[A-Z]\.)){{0,3}}\b\.?")
LOWER_PAIR = re.compile(r"\b([a-zà-öø-ÿ][a-zà-öø-ÿ'’-]+)\s+([a-zà-öø-ÿ][a-zà-öø-ÿ'’-]+)\b")


def fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


@lru_cache(maxsize=1)
def gazetteers() -> tuple[frozenset[str], frozenset[str]]:
    first, last = set(), set()
    for locale in LOCALES:
        try:
            provider = import_module(f"faker.providers.person.{locale}").Provider
        except ModuleNotFoundError:
            continue
        for attribute in ("first_names", "first_names_female", "first_names_male"):
            first.update(fold(n) for n in (getattr(provider, attribute, ()) or ()))
        last.update(fold(n) for n in (getattr(provider, "last_names", ()) or ()))
    return frozenset(n for n in first if len(n) > 2), frozenset(n for n in last if len(n) > 2)


def known_name(token: str) -> bool:
    first, last = gazetteers()
    word = fold(token.strip("."))
    return word in first or word in last


class PersonNameRecognizer(EntityRecognizer):
    SCORE_FULL = 0.6
    SCORE_SINGLE = 0.45

    def __init__(self, supported_language: str = "fr", supported_entity: str = "PERSON"):
        super().__init__(supported_entities=[supported_entity], supported_language=supported_language,
                         name=f"PersonNameRecognizer_{supported_language}")
        self.common = COMMON_WORDS.get(supported_language, set())

    def load(self) -> None:
        gazetteers()

    def _first(self, token: str) -> bool:
        word = fold(token.strip("."))
        return word in gazetteers()[0] and word not in self.common

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        if "PERSON" not in entities:
            return []
        results = []
        for match in CAPITALISED.finditer(text):
            tokens = match.group(0).split()
            known = [t for t in tokens if self._first(t)]
            if not known:
                continue
            start, end = match.start(), match.end()
            if text[end - 1] == "." and not re.fullmatch(r"[A-Z]\.", tokens[-1]):
                end -= 1
            # a lone common first name scores below the default threshold without more evidence
            score = self.SCORE_FULL if len(tokens) > 1 else self.SCORE_SINGLE
            results.append(RecognizerResult("PERSON", start, end, score))
        first, last = gazetteers()
        for match in LOWER_PAIR.finditer(text):
            a, b = fold(match.group(1)), fold(match.group(2))
            if a in first and b in last and a not in self.common and b not in self.common:
                results.append(RecognizerResult("PERSON", match.start(), match.end(), 0.5))
        return results
