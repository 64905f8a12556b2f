"""French company number (SIREN), Luhn-checked, trusted only with context."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, PatternRecognizer
from stdnum.fr import siren


class FrSirenRecognizer(PatternRecognizer):
    """SIREN: nine digits with a Luhn check digit.

    One nine-digit number in ten passes Luhn, so a valid checksum keeps the base
    score (not the maximum): the registry's threshold for FR_SIREN asks for a context
    word (SIREN, RCS, société...) before a match counts.
    """

    PATTERNS = [Pattern("SIREN", r"\b\d{3}\s?\d{3}\s?\d{3}\b", 0.3)]
    CONTEXT = ["siren", "rcs", "société", "entreprise", "immatriculée", "immatriculation", "registre"]

    def __init__(self, patterns=None, context=None, supported_language: str = "fr",
                 supported_entity: str = "FR_SIREN", name: str | None = None):
        super().__init__(supported_entity=supported_entity, patterns=patterns or self.PATTERNS,
                         context=context or self.CONTEXT, supported_language=supported_language, name=name)

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if siren.is_valid(re.sub(r"\s", "", pattern_text)) else False
