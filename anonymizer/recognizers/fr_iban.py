"""IBAN in French texts: Presidio's IBAN recognizer with French context words."""

from __future__ import annotations

from presidio_analyzer.predefined_recognizers import IbanRecognizer


class FrIbanRecognizer(IbanRecognizer):
    """Presidio's recognizer checks the mod-97 digits of any country's IBAN; it is
    declared for English only, so French texts need it under ``fr`` with French words."""

    CONTEXT = ["iban", "rib", "compte", "bancaire", "virement", "prélèvement", "banque", "coordonnées"]

    def __init__(self, context=None, supported_language: str = "fr", supported_entity: str = "IBAN_CODE",
                 **kwargs):
        super().__init__(context=context or self.CONTEXT, supported_language=supported_language,
                         supported_entity=supported_entity, **kwargs)
