"""Recognizers Sandlab adds to Presidio: one per file, French first.

Each is a Presidio ``PatternRecognizer`` with its patterns and context words as class
constants and its checksum in ``validate_result`` (python-stdnum). The registry
(``sandlab.anonymizer.registry``) is the only list of what runs.
"""

from sandlab.anonymizer.recognizers.countries import CountryRecognizer
from sandlab.anonymizer.recognizers.en_street_address import EnStreetAddressRecognizer
from sandlab.anonymizer.recognizers.fr_iban import FrIbanRecognizer
from sandlab.anonymizer.recognizers.fr_nir import FrNirRecognizer
from sandlab.anonymizer.recognizers.fr_phone import FrPhoneRecognizer
from sandlab.anonymizer.recognizers.fr_siren import FrSirenRecognizer
from sandlab.anonymizer.recognizers.fr_siret import FrSiretRecognizer
from sandlab.anonymizer.recognizers.fr_street_address import FrStreetAddressRecognizer
from sandlab.anonymizer.recognizers.organizations import OrganizationRecognizer
from sandlab.anonymizer.recognizers.person_names import PersonNameRecognizer
from sandlab.anonymizer.recognizers.places import InternationalStreetRecognizer, PlaceRecognizer
from sandlab.anonymizer.recognizers.us_ein import UsEinRecognizer

__all__ = ["CountryRecognizer", "EnStreetAddressRecognizer", "FrIbanRecognizer", "FrNirRecognizer", "FrPhoneRecognizer",
           "FrSirenRecognizer", "FrSiretRecognizer", "FrStreetAddressRecognizer", "InternationalStreetRecognizer",
           "OrganizationRecognizer", "PersonNameRecognizer", "PlaceRecognizer", "UsEinRecognizer"]
