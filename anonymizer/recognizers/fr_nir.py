"""French social security number (NIR), with its key checked."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum.fr import nir

from sandlab.anonymizer.recognizers.base import ConstantsPatternRecognizer


class FrNirRecognizer(ConstantsPatternRecognizer):
    """NIR: sex, year, month, department, commune, order, key (97 - n mod 97).

    Written compact (``269076907413081``) or grouped as on a carte Vitale
    (``2 69 07 69 074 130 81``).
    """

    PATTERNS = [
        Pattern("NIR (grouped or compact)",
                r"\b[12]\s?\d{2}\s?(?:0[1-9]|1[0-2]|[2-9]\d)\s?(?:\d{2}|2[ABab])\s?\d{3}\s?\d{3}\s?\d{2}\b", 0.5),
    ]
    CONTEXT = ["sécurité sociale", "sécu", "nir", "insee", "carte vitale", "numéro de sécu", "assuré",
               "mutuelle", "ss"]
    ENTITY = "FR_NIR"
    LANGUAGE = "fr"

    def validate_result(self, pattern_text: str) -> bool:
        return nir.is_valid(re.sub(r"\s", "", pattern_text))
