"""French phone numbers in all their common written forms."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern

from sandlab.anonymizer.recognizers.base import ConstantsPatternRecognizer


class FrPhoneRecognizer(ConstantsPatternRecognizer):
    """``06 12 34 56 78``, ``06.12.34.56.78``, ``0612345678``, ``+33 6 12 34 56 78``,
    ``+33 (0)6 12 34 56 78``, ``0033 6 ...``, ``06-12-34-56-78``.

    Presidio's generic phone recognizer (python-phonenumbers) misses the ``(0)`` form
    and its context words are English; this one knows how the French write numbers.
    """

    PATTERNS = [
        Pattern("FR phone, international",
                r"(?<![\w+])(?:\+|00)\s?33\s?(?:\(0\)\s?)?[1-9](?:[\s.-]?\d{2}){4}\b", 0.7),
        Pattern("FR phone, national", r"(?<![\w+])0[1-9](?:[\s.-]?\d{2}){4}\b", 0.6),
    ]
    CONTEXT = ["téléphone", "tél", "tel", "portable", "mobile", "fixe", "joindre", "appeler", "rappeler",
               "numéro", "appel", "standard"]
    ENTITY = "PHONE_NUMBER"
    LANGUAGE = "fr"

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = re.sub(r"\D", "", pattern_text)
        national = digits[2:] if digits.startswith("33") else digits[4:] if digits.startswith("0033") else digits
        national = national.lstrip("0")
        return None if len(national) == 9 else False
