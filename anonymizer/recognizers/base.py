"""The shape every Sandlab pattern recognizer shares: configuration as class constants."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult


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


class SpanRecognizer(EntityRecognizer):
    """A recognizer that finds one entity type by its own rules (regular expressions with
    groups, look-arounds, exclusions a ``PatternRecognizer`` cannot express): subclasses
    give ``ENTITY``, ``SCORE`` and ``spans(text)``."""

    ENTITY: ClassVar[str]
    SCORE: ClassVar[float]

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_entities=[self.ENTITY], supported_language=supported_language,
                         name=f"{type(self).__name__}_{supported_language}")

    def load(self) -> None:
        pass

    def spans(self, text: str) -> Iterable[tuple[int, int]]:
        raise NotImplementedError

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        if self.ENTITY not in entities:
            return []
        return [RecognizerResult(self.ENTITY, start, end, self.SCORE) for start, end in self.spans(text)]
