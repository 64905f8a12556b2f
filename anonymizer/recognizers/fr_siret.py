"""French establishment number (SIRET), Luhn-checked."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern
from stdnum.fr import siret

from sandlab.anonymizer.recognizers.base import ConstantsPatternRecognizer


class FrSiretRecognizer(ConstantsPatternRecognizer):
    """SIRET: the SIREN followed by a five-digit NIC, Luhn over all fourteen digits."""

    PATTERNS = [Pattern("SIRET", r"\b\d{3}\s?\d{3}\s?\d{3}\s?\d{5}\b", 0.5)]
    CONTEXT = ["siret", "établissement", "etablissement", "société", "siège", "fournisseur"]
    ENTITY = "FR_SIRET"
    LANGUAGE = "fr"

    def validate_result(self, pattern_text: str) -> bool:
        return siret.is_valid(re.sub(r"\s", "", pattern_text))
