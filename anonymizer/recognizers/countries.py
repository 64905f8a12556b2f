"""Country names (and their adjectival forms are left to the NER model)."""

from __future__ import annotations

import re

from faker.providers.address.en_US import Provider as EnAddress
from faker.providers.address.fr_FR import Provider as FrAddress
from presidio_analyzer import Pattern, PatternRecognizer

NAMES = {"en": EnAddress.countries, "fr": FrAddress.countries}


class CountryRecognizer(PatternRecognizer):
    """A country is a place: worth finding, low on its own (it rarely identifies anyone)."""

    def __init__(self, supported_language: str = "en", supported_entity: str = "LOCATION"):
        names = sorted({n for n in NAMES[supported_language] if len(n) > 3}, key=len, reverse=True)
        pattern = r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b"
        super().__init__(supported_entity=supported_entity, supported_language=supported_language,
                         patterns=[Pattern("country", pattern, 0.5)], name=f"CountryRecognizer_{supported_language}")
