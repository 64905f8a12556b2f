"""French social security number (NIR), with its key checked."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, PatternRecognizer
from stdnum.fr import nir


class FrNirRecognizer(PatternRecognizer):
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

    def __init__(self, patterns=None, context=None, supported_language: str = "fr",
                 supported_entity: str = "FR_NIR", name: str | None = None):
        super().__init__(supported_entity=supported_entity, patterns=patterns or self.PATTERNS,
                         context=context or self.CONTEXT, supported_language=supported_language, name=name)

    def validate_result(self, pattern_text: str) -> bool:
        return nir.is_valid(re.sub(r"\s", "", pattern_text))
