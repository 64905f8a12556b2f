"""Free text: detect once (batched), then rewrite with surrogates, consistently.

Two sources of spans. The detector's, found in the first pass and kept by location.
And a dictionary of every personal value known to the run (declared columns and
detections, in any text): a name the detector caught in one ticket but missed in
another is still replaced there, so a person is never half-hidden.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import ahocorasick

from sandlab.anonymizer.detect import Detection, Detector
from sandlab.anonymizer.surrogates import NAME_TOKEN, Surrogates, fold
from sandlab.datasets.locales import en_US, fr_FR

Location = tuple[str, str, int]  # (source key, column, row)
PLACES = {"fr": [c.name for c in fr_FR.CITIES], "en": [c.name for c in en_US.CITIES]}

NAME_ENTITIES = ("PERSON", "FIRST_NAME", "LAST_NAME")
REPLACED_ENTITIES = ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "FR_NIR", "FR_SIREN", "FR_SIRET",
                     "US_SSN", "CREDIT_CARD", "STREET_ADDRESS", "IP_ADDRESS", "US_BANK_NUMBER")
MIN_DICTIONARY_CHARS = 3
MIN_LEAK_CHARS = 4


def lower_same_length(text: str) -> str:
    """Lower-case without changing offsets (a few characters grow when lowered)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def at_word_boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())


class SourceValues:
    """Personal values met in the source, lower-cased, with their entity type.

    ``values`` are whole values (a cell of a declared column, a detected span): none
    may appear anywhere in the output. ``tokens`` are the words of names: replaced
    wherever they occur in free text, and checked where the run rewrote text or
    values (a surname can also be part of a kept company name).
    """

    def __init__(self, language: str = "fr"):
        self.values: dict[str, str] = {}
        self.tokens: dict[str, str] = {}
        # Place names: public where they stand (a surname 'Paris' is not the city of Paris).
        self.public: set[str] = set()
        self.add_public(PLACES.get(language, ()))

    def add_public(self, values: Iterable) -> None:
        for value in values:
            if isinstance(value, str):
                self.public.update(fold(w) for w in re.findall(r"[^\W\d_]+", value))

    def name_tokens(self) -> dict[str, str]:
        """Name words that are not also public words ('Paris' the surname, not the city)."""
        return {t: e for t, e in self.tokens.items() if fold(t) not in self.public}

    def add(self, value: str, entity: str) -> None:
        value = value.strip()
        if not value:
            return
        single_name = entity in NAME_ENTITIES and len(NAME_TOKEN.findall(value)) == 1
        if not single_name:  # a lone first or last name is a word, checked as one
            self.values.setdefault(value.lower(), entity)
        if entity in NAME_ENTITIES:
            for token in NAME_TOKEN.findall(value):
                if len(token) >= MIN_DICTIONARY_CHARS and not token.endswith("."):
                    self.tokens.setdefault(token.lower(), "PERSON")
                    self.tokens.setdefault(fold(token), "PERSON")  # as written in e-mail addresses

    def add_many(self, values: Iterable, entity: str) -> None:
        for value in values:
            if value is not None:
                self.add(str(value), entity)

    def lowered(self) -> set[str]:
        return set(self.values) | set(self.tokens)

    def everything(self) -> dict[str, str]:
        return {**self.name_tokens(), **self.values}


def automaton(values: dict[str, str], min_chars: int) -> ahocorasick.Automaton:
    machine = ahocorasick.Automaton()
    for value, entity in values.items():
        if len(value) >= min_chars:
            machine.add_word(value, (len(value), entity))
    if len(machine):
        machine.make_automaton()
    return machine


def find_values(machine: ahocorasick.Automaton, text: str) -> list[Detection]:
    """Every known value in ``text`` at word boundaries, case-insensitive."""
    if not len(machine) or machine.kind != ahocorasick.AHOCORASICK:
        return []
    lowered = lower_same_length(text)
    found = []
    for end, (length, entity) in machine.iter(lowered):
        start = end - length + 1
        if at_word_boundary(lowered, start, end + 1):
            found.append(Detection(start, end + 1, entity, 1.0))
    return found


class TextScanner:
    def __init__(self, detector: Detector | None, values: SourceValues):
        self.detector, self.values = detector, values
        self.detections: dict[Location, list[Detection]] = {}
        self.counts: dict[str, Counter] = {}  # source key -> entity type -> replaced spans
        self.surrogates: Surrogates | None = None
        self._dictionary: ahocorasick.Automaton | None = None

    def collect(self, items: list[tuple[Location, str]]) -> None:
        """First pass: detect in a batch of texts and remember what was found where."""
        if not items:
            return
        if self.detector is None:
            raise RuntimeError("free text to scan but no detector")
        for (location, text), found in zip(items, self.detector.detect_many([t for _, t in items]), strict=True):
            kept = [d for d in found if d.entity_type in REPLACED_ENTITIES]
            if kept:
                self.detections[location] = kept
            for d in kept:
                self.values.add(text[d.start:d.end], d.entity_type)

    def prepare(self, surrogates: Surrogates) -> None:
        """Between the passes: the surrogates and the dictionary of known values."""
        self.surrogates = surrogates
        self._dictionary = automaton(self.values.everything(), MIN_DICTIONARY_CHARS)

    def spans(self, location: Location, text: str) -> list[Detection]:
        detected = self.detections.get(location, [])
        extra = find_values(self._dictionary, text)
        chosen = list(detected)
        for item in sorted(extra, key=lambda d: -(d.end - d.start)):
            if all(item.end <= k.start or item.start >= k.end for k in chosen):
                chosen.append(item)
        return sorted(chosen)

    def rewrite(self, location: Location, text: str) -> str:
        """Second pass: ``text`` with each span replaced by its surrogate."""
        out, cursor = [], 0
        counts = self.counts.setdefault(location[0], Counter())
        for span in self.spans(location, text):
            out.append(text[cursor:span.start])
            out.append(self.surrogates.replace(span.entity_type, text[span.start:span.end]))
            counts[span.entity_type] += 1
            cursor = span.end
        out.append(text[cursor:])
        return "".join(out)
