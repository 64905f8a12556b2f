"""Company names the small English model misses: firm-style names ('Lopez, Santos and
Coleman', 'Hall and Sons', 'Acme LLC') and names in telling phrases ('I used to work for
Transparagov', 'according to the Roadify Transit website')."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sandlab.anonymizer.recognizers.base import SpanRecognizer

NAME = r"[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*){0,3}"
PATTERNS = (
    re.compile(r"\b(?P<org>[A-Z][a-z]+(?:-[A-Z][a-z]+)?, [A-Z][a-z]+ and [A-Z][a-z]+)\b"),
    re.compile(r"\b(?P<org>[A-Z][a-z]+ (?:and|&) Sons)\b"),
    re.compile(rf"\b(?P<org>{NAME},? (?:Inc|LLC|Ltd|PLC|plc|GmbH|Corp|Group|Ltd\.|S\.A\.|SAS|SARL|AG|BV|AB|Oy))\b\.?"),
    re.compile(rf"\b(?:work(?:s|ed|ing)? (?:for|at)|employed (?:by|at)|joined|support) (?P<org>{NAME})"),
    re.compile(rf"\baccording to the (?P<org>{NAME}) website"),
    re.compile(rf"\b(?:address of|offices of|from) (?P<org>{NAME}) is\b"),
)


class OrganizationRecognizer(SpanRecognizer):
    ENTITY, SCORE = "ORGANIZATION", 0.65

    def spans(self, text: str) -> Iterable[tuple[int, int]]:
        return [match.span("org") for pattern in PATTERNS for match in pattern.finditer(text)]
