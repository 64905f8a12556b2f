"""US employer identification number (EIN), with an assigned prefix."""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer
from stdnum.us import ein


class UsEinRecognizer(PatternRecognizer):
    """``12-3456789``: two-digit campus prefix (python-stdnum knows the assigned ones), seven digits."""

    PATTERNS = [Pattern("EIN", r"\b\d{2}-\d{7}\b", 0.5)]
    CONTEXT = ["ein", "employer identification", "tax id", "tin", "fein", "federal tax"]

    def __init__(self, patterns=None, context=None, supported_language: str = "en",
                 supported_entity: str = "US_EIN", name: str | None = None):
        super().__init__(supported_entity=supported_entity, patterns=patterns or self.PATTERNS,
                         context=context or self.CONTEXT, supported_language=supported_language, name=name)

    def validate_result(self, pattern_text: str) -> bool | None:
        return None if ein.is_valid(pattern_text) else False
