"""French postal addresses: number, street type and name, then postcode and city."""

from __future__ import annotations

from presidio_analyzer import Pattern

from sandlab.anonymizer.recognizers.base import ConstantsPatternRecognizer

STREET_TYPES = (r"rue|avenue|av\.|boulevard|bd|chemin|allée|allee|impasse|place|route|quai|cours|square|"
                r"voie|passage|rond-point|lieu-dit|résidence|residence|sentier|montée|parvis|esplanade|"
                r"faubourg|hameau|villa|cité|cite|promenade|quartier")
CITY = r"[A-ZÉÈÊÀÂÎÔÛÇ][\wÀ-ÿ'’-]+(?:[ -](?:[A-ZÉÈÊÀÂÎÔÛÇ][\wÀ-ÿ'’-]+|sur|sous|en|le|la|les|de|du|d'\w+)){0,4}"
STREET = rf"\b\d{{1,4}}(?:\s?(?:bis|ter|[A-C]))?,?\s+(?:{STREET_TYPES})\b(?:[ '’-][\wÀ-ÿ'’-]+){{1,6}}?"


class FrStreetAddressRecognizer(ConstantsPatternRecognizer):
    """``12 rue des Lilas, 69003 Lyon``, or the street alone, or ``69003 Lyon`` after a street."""

    PATTERNS = [
        Pattern("FR address with postcode and city", rf"(?i:{STREET}),?\s+\d{{5}}\s+{CITY}", 0.8),
        Pattern("FR street", rf"(?i:{STREET})(?=[,.;\n]|\s+\d{{5}}|$)", 0.55),
    ]
    CONTEXT = ["adresse", "domicile", "domicilié", "siège", "livraison", "habite", "situé", "située"]
    ENTITY = "STREET_ADDRESS"
    LANGUAGE = "fr"
