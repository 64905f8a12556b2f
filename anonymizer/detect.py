"""Detection: Presidio's analyzer over spaCy batches, one analyzer per language.

Presidio's batch API defaults to a batch of one; here spaCy's ``pipe`` runs with a
real batch size (and worker processes on request), and each text's artifacts are fed
to the analyzer, so the NLP (most of the cost) is done once, batched.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from sandlab.anonymizer.offline import block_downloads, model_for
from sandlab.anonymizer.recognizers.person_names import known_name
from sandlab.anonymizer.registry import build_registry, threshold

# Presidio logs the words around each match at DEBUG level: personal data must never
# reach a log, so its loggers stop at WARNING whatever the application's level.
QUIET_LOGGERS = ("presidio-analyzer", "presidio-anonymizer")

NER_MAPPING = {"PER": "PERSON", "PERSON": "PERSON", "LOC": "LOCATION", "GPE": "LOCATION", "FAC": "LOCATION",
               "ORG": "ORGANIZATION", "NORP": "NRP", "DATE": "DATE_TIME", "TIME": "DATE_TIME"}


@dataclass(frozen=True, order=True)
class Detection:
    start: int
    end: int
    entity_type: str
    score: float

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "entity_type": self.entity_type,
                "score": round(self.score, 3)}


# Words the small spaCy models often take for names at the start of a message.
NOT_NAMES = {
    "fr": {"bonjour", "bonsoir", "madame", "monsieur", "mme", "mlle", "m", "mr", "cher", "chère", "salut",
           "merci", "cordialement", "cdlt", "tél", "tel", "salarié", "salariée", "client", "cliente", "objet",
           "contact", "adresse", "nir", "siret", "siren", "iban", "rib", "re", "tr", "hello", "coucou"},
    "en": {"hi", "hello", "dear", "mr", "mrs", "ms", "miss", "dr", "thanks", "regards", "best", "cheers",
           "sir", "madam", "hey", "team", "customer", "re", "fw"},
}
NAME_POS = {"PROPN", "NOUN", "X", "ADJ"}
LEGAL_FORM = re.compile(r"^\s*,?\s*(?:S\.?A\.?S\.?U?|S\.?A\.?R\.?L\.?|S\.?A\.?|SNC|EURL|SCI|et Fils|& Fils|Inc\.?|"
                        r"LLC|Ltd\.?|PLC|Group|and Sons|& Co\.?)\b")
# Equal score: the more specific identifier wins (a SIRET is also a Luhn-valid 14-digit "card").
PRIORITY = {"FR_NIR": 0, "FR_SIRET": 0, "IBAN_CODE": 0, "US_SSN": 0, "EMAIL_ADDRESS": 0, "FR_SIREN": 1,
            "US_EIN": 1, "PHONE_NUMBER": 2, "CREDIT_CARD": 3}


def trim_person(doc, language: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of a PERSON detection without greetings, titles and non-name words."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return start, end
    tokens = list(span)

    def is_name(token) -> bool:
        word = token.text.lower().strip(".")
        return (token.text[:1].isalpha() and word not in NOT_NAMES[language] and not token.is_stop
                and (token.pos_ in NAME_POS or not token.pos_))
    while tokens and not is_name(tokens[0]):
        tokens.pop(0)
    while tokens and not is_name(tokens[-1]):
        tokens.pop()
    if not tokens:
        return None
    end = min(tokens[-1].idx + len(tokens[-1].text), end)
    start = max(tokens[0].idx, start)
    if LEGAL_FORM.match(doc.text[end:end + 12]) or any(LEGAL_FORM.match(" " + t.text) for t in tokens[1:]):
        return None  # 'Martin SARL' is a company
    if len(tokens) == 1 and tokens[0].pos_ not in ("PROPN", "") and not known_name(tokens[0].text):
        return None  # a capitalised common noun ('Candidature', 'Responsable')
    return start, end


NER_ENTITIES = {"PERSON", "LOCATION", "ORGANIZATION", "NRP", "DATE_TIME"}


def resolve_overlaps(found: list[Detection]) -> list[Detection]:
    """Keep non-overlapping detections: patterns and checksums before the NER model's
    guesses, then the highest score, then the longest. A span that starts with a known
    person's name is a person, whatever the small model called it (it often says
    ORGANIZATION or LOCATION for a foreign name)."""
    people = {d.start for d in found if d.entity_type == "PERSON"}
    found = [d for d in found if not (d.entity_type in ("ORGANIZATION", "LOCATION") and d.start in people)]
    kept: list[Detection] = []
    for item in sorted(found, key=lambda d: (d.entity_type in NER_ENTITIES, -d.score, PRIORITY.get(d.entity_type, 5),
                                             -(d.end - d.start), d.start)):
        if all(item.end <= k.start or item.start >= k.end for k in kept):
            kept.append(item)
    return sorted(kept)


class Detector:
    """Finds personal data in texts of one language."""

    def __init__(self, language: str, *, batch_size: int = 128, n_process: int = 1):
        block_downloads()
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        self.language, self.batch_size, self.n_process = language, batch_size, n_process
        config = {"nlp_engine_name": "spacy", "models": [{"lang_code": language, "model_name": model_for(language)}],
                  "ner_model_configuration": {"model_to_presidio_entity_mapping": NER_MAPPING,
                                              "labels_to_ignore": ["MISC", "CARDINAL", "ORDINAL", "QUANTITY",
                                                                   "MONEY", "PERCENT", "PRODUCT", "EVENT",
                                                                   "WORK_OF_ART", "LAW", "LANGUAGE"]}}
        self.nlp_engine = NlpEngineProvider(nlp_configuration=config).create_engine()
        # The dependency parse is the costliest step and nothing here reads it (context
        # words use lemmas, name trimming uses part-of-speech tags).
        for nlp in self.nlp_engine.nlp.values():
            if "parser" in nlp.pipe_names:
                nlp.disable_pipe("parser")
        self.analyzer = AnalyzerEngine(registry=build_registry(language), nlp_engine=self.nlp_engine,
                                       supported_languages=[language])

    def detect_many(self, texts: Iterable[str]) -> Iterator[list[Detection]]:
        batch = self.nlp_engine.process_batch(list(texts) if not isinstance(texts, list) else texts,
                                              self.language, batch_size=self.batch_size, n_process=self.n_process)
        for text, artifacts in batch:
            results = self.analyzer.analyze(text, self.language, nlp_artifacts=artifacts)
            found = []
            for r in results:
                if r.score < threshold(r.entity_type):
                    continue
                start, end = r.start, r.end
                if r.entity_type == "PERSON":
                    trimmed = trim_person(artifacts.tokens, self.language, start, end)
                    if trimmed is None:
                        continue
                    start, end = trimmed
                found.append(Detection(start, end, r.entity_type, r.score))
            yield resolve_overlaps(found)

    def detect(self, text: str) -> list[Detection]:
        return next(self.detect_many([text]))

    def detect_patterns(self, texts: Iterable[str], entities: Iterable[str]) -> Iterator[list[Detection]]:
        """Pattern and checksum recognizers only, no NLP: for identifiers, many times faster."""
        wanted = list(entities)
        recognizers = [r for r in self.analyzer.registry.get_recognizers(self.language, all_fields=True)
                       if set(r.supported_entities) & set(wanted) and not isinstance(r, SpacyRecognizer)]
        for text in texts:
            found = [Detection(r.start, r.end, r.entity_type, r.score)
                     for recognizer in recognizers for r in recognizer.analyze(text, wanted, None)
                     if r.score >= threshold(r.entity_type)]
            yield resolve_overlaps(found)


@lru_cache(maxsize=4)
def detector(language: str, n_process: int = 1) -> Detector:
    """One loaded detector per language and process count (models take seconds to load)."""
    return Detector(language, n_process=n_process)
