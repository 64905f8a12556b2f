"""The only list of recognizers, per language, and the score each entity must reach."""

from __future__ import annotations

from presidio_analyzer import RecognizerRegistry
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    SpacyRecognizer,
    UrlRecognizer,
    UsBankRecognizer,
    UsSsnRecognizer,
)

from sandlab.anonymizer.recognizers import (
    CountryRecognizer,
    EnStreetAddressRecognizer,
    FrIbanRecognizer,
    FrNirRecognizer,
    FrPhoneRecognizer,
    FrSirenRecognizer,
    FrSiretRecognizer,
    FrStreetAddressRecognizer,
    InternationalStreetRecognizer,
    OrganizationRecognizer,
    PersonNameRecognizer,
    PlaceRecognizer,
    UsEinRecognizer,
)

NER_ENTITIES = ["PERSON", "LOCATION", "ORGANIZATION"]
FR_EMAIL_CONTEXT = ["courriel", "e-mail", "mail", "adresse électronique", "écrire", "contact"]

# Minimum score per entity (default 0.4). A SIREN is nine digits with a checksum that
# one number in ten passes: it needs a context word to count.
THRESHOLDS = {"FR_SIREN": 0.5, "STREET_ADDRESS": 0.5, "ORGANIZATION": 0.6}
DEFAULT_THRESHOLD = 0.4

# Entities that identify a person on their own (checked by verification's rescan).
DIRECT_IDENTIFIERS = ("EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "FR_NIR", "FR_SIRET", "US_SSN",
                      "CREDIT_CARD")


def recognizers(language: str) -> list:
    if language == "fr":
        return [
            FrNirRecognizer(), FrSiretRecognizer(), FrSirenRecognizer(), FrPhoneRecognizer(),
            FrIbanRecognizer(), FrStreetAddressRecognizer(),
            EmailRecognizer(supported_language="fr", context=FR_EMAIL_CONTEXT),
            CreditCardRecognizer(supported_language="fr", context=["carte", "cb", "visa", "mastercard"]),
            IpRecognizer(supported_language="fr", context=["ip", "adresse ip"]),
            UrlRecognizer(supported_language="fr", context=["site", "lien", "url", "web"]),
            PersonNameRecognizer(supported_language="fr"),
            SpacyRecognizer(supported_language="fr", supported_entities=NER_ENTITIES),
        ]
    if language == "en":
        return [
            EmailRecognizer(), PhoneRecognizer(), IbanRecognizer(),
            CreditCardRecognizer(), UsSsnRecognizer(),
            IpRecognizer(), EnStreetAddressRecognizer(), UsBankRecognizer(), UsEinRecognizer(), UrlRecognizer(),
            PersonNameRecognizer(supported_language="en"), CountryRecognizer("en"), PlaceRecognizer("en"),
            InternationalStreetRecognizer("en"), OrganizationRecognizer("en"),
            SpacyRecognizer(supported_language="en", supported_entities=[*NER_ENTITIES, "NRP", "DATE_TIME"]),
        ]
    raise ValueError(f"unsupported language '{language}': use fr or en")


def build_registry(language: str) -> RecognizerRegistry:
    registry = RecognizerRegistry(supported_languages=[language])
    for recognizer in recognizers(language):
        registry.add_recognizer(recognizer)
    return registry


def threshold(entity_type: str) -> float:
    return THRESHOLDS.get(entity_type, DEFAULT_THRESHOLD)
