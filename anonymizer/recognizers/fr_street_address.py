"""French postal addresses: number, street type and name, then postcode and city."""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer

STREET_TYPES = (r"rue|avenue|av\.|boulevard|bd|chemin|allée|allee|impasse|place|route|quai|cours|square|"
                r"voie|passage|rond-point|lieu-dit|résidence|residence|sentier|montée|parvis|esplanade|"
                r"faubourg|hameau|villa|cité|cite|promenade|quartier")
CITY = r"[A-ZÉÈÊÀÂÎÔÛÇ][\wÀ-ÿ'’-]+(?:[ -](?:[A-ZÉÈÊÀÂÎÔÛÇ][\wÀ-ÿ'’-]+|sur|sous|en|le|la|les|de|du|d'\w+)){0,4}"
STREET = rf"\b\d{{1,4}}(?:\s?(?:bis|ter|[A-C]))?,?\s+(?:{STREET_TYPES})\b(?:[ '’-][\wÀ-ÿ'’-]+){{1,6}}?"


class FrStreetAddressRecognizer(PatternRecognizer):
    """``12 rue des Lilas, 69003 Lyon``, or the street alone, or ``69003 Lyon`` after a street."""

    PATTERNS = [
        Pattern("FR address with postcode and city", rf"(?i:{STREET}),?\s+\d{{5}}\s+{CITY}", 0.8),
        Pattern("FR street", rf"(?i:{STREET})(?=[,.;\n]|\s+\d{{5}}|$)", 0.55),
    ]
    CONTEXT = ["adresse", "domicile", "domicilié", "siège", "livraison", "habite", "situé", "située"]

    def __init__(self, patterns=None, context=None, supported_language: str = "fr",
                 supported_entity: str = "STREET_ADDRESS", name: str | None = None):
        super().__init__(supported_entity=supported_entity, patterns=patterns or self.PATTERNS,
                         context=context or self.CONTEXT, supported_language=supported_language, name=name)
