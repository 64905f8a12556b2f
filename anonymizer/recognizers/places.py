"""Places small NER models miss in international addresses: the town before a country
name ('... Suite 179  Akureyri  Iceland 80296'), and streets written the European way
('63 Rue de Kairouan', 'Via Franscini 71', 'Hafnarstraeti 5')."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sandlab.anonymizer.recognizers.base import SpanRecognizer
from sandlab.anonymizer.recognizers.countries import NAMES

UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ"
WORD = rf"[{UPPER}][\w'’.-]*"
STREET_WORDS = ("Rue|Rua|Via|Viale|Vicolo|Avda\\.|Avenida|Avenue|Calle|Carrer|Carretera|Camino|Paseo|Strada|"
                "Piazza|Plaza|Praça|Travessa|Largo|Ulica|ul\\.|Boulevard|Bd\\.?|Chemin|Route|Allée|Impasse|Place|"
                "Cesta|Trg|Cite|Cité")
STREET_SUFFIXES = "straeti|stræti|gata|vegur|gatan|strasse|straße|katu|kuja|tie|vej|weg|gade|straat|laan|utca|útja"


def _alternation(names) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


class PlaceRecognizer(SpanRecognizer):
    """A town written just before a country name, in an address or a sentence."""

    ENTITY, SCORE = "LOCATION", 0.6

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_language)
        countries = _alternation({n for n in NAMES[supported_language] if len(n) > 3})
        particle = r"(?:del|de|la|di|da|do|dos|du|des|van|von|am|an|le|les|sur|en)[ -]"
        self.before_country = re.compile(rf"({WORD}(?:[ -]{particle}?{WORD}){{0,2}})[\s,>?|]{{1,8}}(?:{countries})\b")
        self.country_words = set(NAMES[supported_language])
        # A town in capitals after a verb of place ('grew up in KNIVSTA', 'moved here from ESPOO').
        verbs = r"grew up|born|lives?|lived|living|moved(?: here)?|flew|travell?ed|arrived|originally|am|is"
        self.after_verb = re.compile(rf"\b(?:{verbs}) (?:in|from|to|at) ([{UPPER}]{{3,}}(?:[ -][{UPPER}]{{3,}})?)\b")

    def spans(self, text: str) -> Iterable[tuple[int, int]]:
        for match in [*self.before_country.finditer(text), *self.after_verb.finditer(text)]:
            place = match.group(1)
            if not (place in self.country_words or place.isupper() and len(place) <= 3):
                yield match.start(1), match.end(1)


class InternationalStreetRecognizer(SpanRecognizer):
    """European street forms: a street word then a name and a number, or a name ending in
    a street suffix then a number; the house number may come first."""

    ENTITY, SCORE = "STREET_ADDRESS", 0.6
    PATTERNS = (
        re.compile(rf"\b(?:\d{{1,6}}\s+)?(?:{STREET_WORDS})\s+(?:(?:de|del|della|do|da|dos|du|des|la|le|el|di|der)\s+)*"
                   rf"{WORD}(?:\s+{WORD}){{0,3}}(?:\s+\d{{1,5}}\b\.?)?"),
        re.compile(rf"\b(?:\d{{1,6}}\s+)?[{UPPER}][\w'’-]*(?:{STREET_SUFFIXES})\s+\d{{1,5}}\b\.?", re.IGNORECASE),
        # house number, street name, number: '5366 Pivovarská 276', '28245 Puruntie 82'
        re.compile(rf"\b\d{{1,6}} {WORD}(?: {WORD}){{0,3}} \d{{1,5}}\b"),
        # US military mail: 'PSC 9009, Box 9725 APO AA 33274'
        re.compile(r"\b(?:PSC|Unit|USNS|USNV|USS|USCGC)\s+[\w ]+?,?\s+Box\s+\d+\s+(?:APO|FPO|DPO)\s+A[AEP]\s+\d{5}\b"),
    )

    def __init__(self, supported_language: str = "en"):
        super().__init__(supported_language)
        self.countries = re.compile(rf"\b(?:{_alternation(n for n in NAMES[supported_language] if len(n) > 3)})\b")

    def spans(self, text: str) -> Iterable[tuple[int, int]]:
        return [match.span() for pattern in self.PATTERNS for match in pattern.finditer(text)
                if not self.countries.search(match.group(0))]  # the town and country are places of their own
