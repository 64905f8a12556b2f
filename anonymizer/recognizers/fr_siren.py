"""French company number (SIREN), Luhn-checked, trusted only with context."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum.fr import siren

from sandlab.anonymizer.recognizers.base import ConstantsPatternRecognizer


class FrSirenRecognizer(ConstantsPatternRecognizer):
    """SIREN: nine digits with a Luhn check digit.

    One nine-digit number in ten passes Luhn, so a valid checksum keeps the base
    score (not the maximum): the registry's threshold for FR_SIREN asks for a context
    word (SIREN, RCS, société...) before a match counts.
    """

    PATTERNS = [Pattern("SIREN", r"\b\d{3}\s?\d{3}\s?\d{3}\b", 0.3)]
    CONTEXT = ["siren", "rcs", "société", "entreprise", "immatriculée", "immatriculation", "registre"]
    ENTITY = "FR_SIREN"
    LANGUAGE = "fr"

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if siren.is_valid(re.sub(r"\s", "", pattern_text)) else False
