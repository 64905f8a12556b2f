"""The shape every Sandlab pattern recognizer shares: configuration as class constants."""

from __future__ import annotations

from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer


class ConstantsPatternRecognizer(PatternRecognizer):
    """A Presidio ``PatternRecognizer`` whose defaults are the subclass's ``PATTERNS``,
    ``CONTEXT``, ``ENTITY`` and ``LANGUAGE``; each stays overridable when constructed."""

    PATTERNS: ClassVar[list[Pattern]]
    CONTEXT: ClassVar[list[str]]
    ENTITY: ClassVar[str]
    LANGUAGE: ClassVar[str]

    def __init__(self, patterns: list[Pattern] | None = None, context: list[str] | None = None,
                 supported_language: str | None = None, supported_entity: str | None = None,
                 name: str | None = None):
        super().__init__(supported_entity=supported_entity or self.ENTITY, patterns=patterns or self.PATTERNS,
                         context=context or self.CONTEXT, supported_language=supported_language or self.LANGUAGE,
                         name=name)
