"""Fill a text template and record where each piece of personal data landed.

The gold spans are exact by construction: a span is recorded at the moment its value
is appended, so the privacy labs and the anonymizer's benchmark score against the
truth, not against another detector's guess.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

# Template field -> kind of personal data (the locale maps a kind to an entity type).
FIELD_KINDS = {
    "person": "person", "colleague": "person", "sender": "person",
    "phone": "phone", "email": "email", "address": "address",
    "bank_account": "bank_account", "national_id": "national_id",
    "siret": "establishment_number", "siren": "company_number", "company_number": "company_number",
}

_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity_type: str


@dataclass
class TextBuilder:
    """Accumulates text and its gold spans; ``entities`` maps a kind to an entity type."""

    entities: dict[str, str]
    parts: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    length: int = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def fill(self, template: str, values: dict[str, str]) -> None:
        """Append ``template`` with ``values``; personal data fields become spans."""
        for literal, name, _spec, _conv in _FORMATTER.parse(template):
            self.add(literal)
            if name is None:
                continue
            value = values[name]
            kind = FIELD_KINDS.get(name)
            entity = self.entities.get(kind) if kind else None
            if entity and value:
                self.spans.append(Span(self.length, self.length + len(value), entity))
            self.add(value)

    def text(self) -> str:
        return "".join(self.parts)


def fields_of(template: str) -> set[str]:
    """Names of the fields a template uses (to fill only what it needs)."""
    return {name for _lit, name, _s, _c in _FORMATTER.parse(template) if name}
