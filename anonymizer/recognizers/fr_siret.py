"""French establishment number (SIRET), Luhn-checked."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, PatternRecognizer
from stdnum.fr import siret


class FrSiretRecognizer(PatternRecognizer):
    """SIRET: the SIREN followed by a five-digit NIC, Luhn over all fourteen digits."""

    PATTERNS = [Pattern("SIRET", r"\b\d{3}\s?\d{3}\s?\d{3}\s?\d{5}\b", 0.5)]
    CONTEXT = ["siret", "établissement", "etablissement", "société", "siège", "fournisseur"]

    def __init__(self, patterns=None, context=None, supported_language: str = "fr",
                 supported_entity: str = "FR_SIRET", name: str | None = None):
        super().__init__(supported_entity=supported_entity, patterns=patterns or self.PATTERNS,
                         context=context or self.CONTEXT, supported_language=supported_language, name=name)

    def validate_result(self, pattern_text: str) -> bool:
        return siret.is_valid(re.sub(r"\s", "", pattern_text))
