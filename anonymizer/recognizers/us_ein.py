"""US employer identification number (EIN), with an assigned prefix."""

from __future__ import annotations

from presidio_analyzer import Pattern
from stdnum.us import ein

from sandlab.anonymizer.recognizers.base import ConstantsPatternRecognizer


class UsEinRecognizer(ConstantsPatternRecognizer):
    """``12-3456789``: two-digit campus prefix (python-stdnum knows the assigned ones), seven digits."""

    PATTERNS = [Pattern("EIN", r"\b\d{2}-\d{7}\b", 0.5)]
    CONTEXT = ["ein", "employer identification", "tax id", "tin", "fein", "federal tax"]
    ENTITY = "US_EIN"
    LANGUAGE = "en"

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if ein.is_valid(pattern_text) else False
