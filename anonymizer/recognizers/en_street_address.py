"""US street addresses: number, street name and suffix, unit, city, state, ZIP."""

from __future__ import annotations

from faker.providers.address.en_US import Provider as UsAddress
from presidio_analyzer import Pattern

from sandlab.anonymizer.recognizers.base import ConstantsPatternRecognizer

# USPS street suffixes as Faker lists them, full and abbreviated.
SUFFIXES = "|".join(sorted({s for s in UsAddress.street_suffixes} | {
    "St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct", "Pl", "Pkwy", "Hwy", "Sq", "Ter", "Cir", "Trl", "Way"},
    key=len, reverse=True))
STREET = rf"\b\d{{1,6}}\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z'’]+\s+){{1,4}}(?:{SUFFIXES})\.?"
UNIT = r"(?:,?\s+(?:Apt\.?|Suite|Ste\.?|Unit|#)\s?\w+)?"
CITY_STATE_ZIP = r"(?:,?\s+[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,3},?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?)?"


class EnStreetAddressRecognizer(ConstantsPatternRecognizer):
    """``123 Main St, Apt. 4, Springfield, IL 62704``, and units or ZIPs near a street."""

    PATTERNS = [
        Pattern("US street address", STREET + UNIT + CITY_STATE_ZIP, 0.6),
        Pattern("US unit", r"\b(?:Apt\.|Apartment|Suite|Ste\.)\s?\d{1,5}\b", 0.5),
        Pattern("European street, number after the name",
                r"\b[A-ZÀ-Þ][a-zà-ÿ]+(?:tie|gata|gatan|kuja|vej|straße|strasse|weg|gade|väg|vegen|veien|laan|straat|"
                r"plein|gasse|allee|platz|katu|polku|utca|tee|iela|gatve)\s\d{1,4}\b", 0.6),
        Pattern("US ZIP code", r"\b\d{5}(?:-\d{4})?\b", 0.05),
    ]
    CONTEXT = ["address", "street", "live", "lives", "located", "ship", "shipping", "mail", "zip",
               "apartment", "suite", "residence"]
    ENTITY = "STREET_ADDRESS"
    LANGUAGE = "en"
