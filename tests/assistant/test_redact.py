"""Masking a conversation: real spaCy models and Presidio, no mocks."""

from __future__ import annotations

import copy
import json
import logging
import re

import pytest

from sandlab.anonymizer.scanner import REPLACED_ENTITIES
from sandlab.anonymizer.surrogates import Surrogates
from sandlab.assistant.redact import PLACEHOLDER_ENTITIES, contains_personal_data, redact_messages

KEY = b"learner-0001-key-0123456789abcdef"
OTHER_KEY = b"learner-0002-key-0123456789abcdef"

FR_VALUES = {"PERSON": "Marie Dupont", "EMAIL_ADDRESS": "marie.dupont@gmail.com", "PHONE_NUMBER": "06 12 34 56 78",
             "IBAN_CODE": "FR76 3000 6000 0112 3456 7890 189"}
FR_SYSTEM = "Tu es un assistant pour des analystes."
FR_PROMPT = [
    {"role": "system", "content": FR_SYSTEM},
    {"role": "user", "content": "Peux-tu écrire un mail à {PERSON} ({EMAIL_ADDRESS}, {PHONE_NUMBER}) pour confirmer "
                                "le virement sur le compte {IBAN_CODE} ?".format(**FR_VALUES)},
]
FR_SECRETS = [*FR_VALUES.values(), "Marie", "Dupont"]  # the name's words too (in an e-mail, alone)
EN_VALUES = {"PERSON": "Emily Johnson", "EMAIL_ADDRESS": "emily.johnson@acme.com", "PHONE_NUMBER": "+1 415 555 0132",
             "IP_ADDRESS": "10.20.30.40"}
EN_PROMPT = [{"role": "user", "content": "Draft a reply to {PERSON} at {EMAIL_ADDRESS}; her phone is {PHONE_NUMBER} "
                                         "and her laptop is {IP_ADDRESS}.".format(**EN_VALUES)}]
EN_SECRETS = [*EN_VALUES.values(), "Emily", "Johnson"]


def leaks(text: str, values) -> set[str]:
    """The values found in ``text``, as written or without spaces (a phone or an IBAN pasted compact)."""
    lowered = text.lower()
    return {value for value in values for form in (value.lower(), re.sub(r"\s", "", value).lower())
            if form in lowered}


def surrogate_in(text: str, before: str, after: str) -> str:
    """What stands between two pieces of text that the redaction kept."""
    match = re.fullmatch(re.escape(before) + "(.+?)" + re.escape(after), text, re.DOTALL)
    assert match, "the text around the value changed"
    return match.group(1)


def test_french_prompt_keeps_none_of_its_values():
    sent = copy.deepcopy(FR_PROMPT)
    result = redact_messages(sent, language="fr", key=KEY)

    assert result.findings == {"EMAIL_ADDRESS": 1, "IBAN_CODE": 1, "PERSON": 1, "PHONE_NUMBER": 1}
    assert not leaks(json.dumps(result.messages, ensure_ascii=False), FR_SECRETS)
    assert [m["role"] for m in result.messages] == ["system", "user"]
    assert result.messages[0]["content"] == FR_SYSTEM
    assert "Peux-tu écrire un mail à " in result.messages[1]["content"]
    assert "pour confirmer le virement sur le compte FR" in result.messages[1]["content"]  # an IBAN stays an IBAN
    assert sent == FR_PROMPT and all(new is not old for new, old in zip(result.messages, sent, strict=True))


def test_the_same_name_gets_the_same_surrogate_in_every_message():
    messages = [{"role": "user", "content": "Peux-tu écrire un mail à Marie Dupont ?"},
                {"role": "assistant", "content": "Voici un brouillon pour Marie Dupont : « Bonjour Marie, "
                                                 "le virement est confirmé. »"},
                # The model takes this 'Dupont' for a place and misses 'dupont': the name's words still go.
                {"role": "user", "content": "Le dossier Dupont est clos, relance dupont demain."}]
    result = redact_messages(messages, language="fr", key=KEY)

    surrogate = surrogate_in(result.messages[0]["content"], "Peux-tu écrire un mail à ", " ?")
    first_name, last_name = surrogate.split()
    assert surrogate != "Marie Dupont" and first_name != "Marie"
    assert result.messages[1]["content"] == (f"Voici un brouillon pour {surrogate} : « Bonjour {first_name}, "
                                             f"le virement est confirmé. »")
    assert result.messages[2]["content"] == f"Le dossier {last_name} est clos, relance {last_name.lower()} demain."
    assert result.findings == {"PERSON": 5}


def test_the_key_decides_the_surrogate_and_a_resent_history_is_masked_the_same_way():
    first = [{"role": "user", "content": "Peux-tu écrire un mail à Marie Dupont ?"}]
    surrogate = surrogate_in(redact_messages(first, language="fr", key=KEY).messages[0]["content"],
                             "Peux-tu écrire un mail à ", " ?")
    # The next request resends the history with the answer and a new message naming other people.
    later = [*first, {"role": "assistant", "content": "Voici le mail."},
             {"role": "user", "content": "Mets en copie Sophie Martin, Nicolas Bernard et Thomas Petit."}]
    again = redact_messages(later, language="fr", key=KEY)
    other = redact_messages(first, language="fr", key=OTHER_KEY)

    assert surrogate_in(again.messages[0]["content"], "Peux-tu écrire un mail à ", " ?") == surrogate
    assert again.findings == {"PERSON": 4}
    assert surrogate_in(other.messages[0]["content"], "Peux-tu écrire un mail à ", " ?") != surrogate


def test_english_prompt_is_masked_with_the_english_model():
    result = redact_messages(EN_PROMPT, language="en", key=KEY)
    text = result.messages[0]["content"]

    assert result.findings == {"EMAIL_ADDRESS": 1, "IP_ADDRESS": 1, "PERSON": 1, "PHONE_NUMBER": 1}
    assert not leaks(text, EN_SECRETS)
    assert text.startswith("Draft a reply to ")
    assert text.endswith("and her laptop is [IP_ADDRESS].")  # no generator for IP addresses: a placeholder


@pytest.mark.parametrize(("language", "text"), [
    ("fr", "Écris une requête SQL qui somme les ventes par région pour 2023."),
    ("en", "Write a SQL query that sums the sales per region for 2023."),
])
def test_a_prompt_without_personal_data_comes_back_unchanged(language, text):
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": text}]
    result = redact_messages(messages, language=language, key=KEY)

    assert result.messages == messages
    assert result.findings == {}
    assert contains_personal_data(messages, language=language) == {}


def test_contains_personal_data_counts_without_changing_anything():
    sent = copy.deepcopy(FR_PROMPT)

    assert contains_personal_data(sent, language="fr") == {"EMAIL_ADDRESS": 1, "IBAN_CODE": 1, "PERSON": 1,
                                                          "PHONE_NUMBER": 1}
    assert sent == FR_PROMPT


def test_findings_repr_and_logs_hold_no_value(caplog):
    caplog.set_level(logging.DEBUG)
    result = redact_messages(FR_PROMPT, language="fr", key=KEY)

    assert set(result.findings) <= set(REPLACED_ENTITIES)
    assert all(isinstance(count, int) for count in result.findings.values())
    assert not leaks(json.dumps(result.findings) + repr(result), FR_SECRETS)
    assert "content" not in repr(result)  # not even the surrogates: the messages stay out of logs
    assert not leaks(caplog.text, FR_SECRETS)


NAME = FR_VALUES["PERSON"]


def test_a_short_key_is_refused_without_naming_a_value():
    with pytest.raises(ValueError) as raised:
        redact_messages(FR_PROMPT, language="fr", key=b"too short")
    assert "16 bytes" in str(raised.value)
    assert not leaks(str(raised.value) + repr(raised.value.args), FR_SECRETS)


@pytest.mark.parametrize(("messages", "language", "error"), [
    (FR_PROMPT, "de", ValueError),
    ([{"role": "user", "content": [{"type": "text", "text": f"Écris à {NAME}"}]}], "fr", TypeError),
    ([{"role": "user", "content": None}], "fr", TypeError),
    ([{"role": "user", "content": "Écris-lui.", "name": NAME}], "fr", ValueError),
    ([{"role": NAME, "content": "Écris-lui."}], "fr", ValueError),
    ([f"Écris à {NAME}"], "fr", TypeError),
    (f"Écris à {NAME}", "fr", TypeError),
], ids=["language", "content parts", "no content", "extra field", "role", "not an object", "not a list"])
def test_what_cannot_be_scanned_whole_is_refused_without_naming_a_value(messages, language, error):
    for call in (lambda: redact_messages(messages, language=language, key=KEY),
                 lambda: contains_personal_data(messages, language=language)):
        with pytest.raises(error) as raised:
            call()
        assert not leaks(str(raised.value) + repr(raised.value.args), FR_SECRETS)


# One value of each type the redaction replaces with a surrogate of its own kind.
SAMPLES = {"PERSON": "Marie Dupont", "EMAIL_ADDRESS": "marie.dupont@gmail.com", "PHONE_NUMBER": "06 12 34 56 78",
           "IBAN_CODE": "FR76 3000 6000 0112 3456 7890 189", "FR_NIR": "2 69 07 69 074 130 81",
           "FR_SIREN": "732 829 320", "FR_SIRET": "73282932000074", "US_SSN": "078-05-1120",
           "CREDIT_CARD": "4111 1111 1111 1111", "STREET_ADDRESS": "12 rue des Lilas, 69003 Lyon"}


def test_placeholders_are_exactly_the_types_the_surrogates_only_scramble():
    """PLACEHOLDER_ENTITIES mirrors Surrogates.replace's dispatch: this fails when they drift apart."""
    surrogates = Surrogates(KEY, "fr", forbidden=set())

    assert set(SAMPLES) | PLACEHOLDER_ENTITIES == set(REPLACED_ENTITIES)
    assert all(surrogates.replace(t, v) != surrogates.generic(v) for t, v in SAMPLES.items())
    assert all(surrogates.replace(t, "10.20.30.40") == surrogates.generic("10.20.30.40") for t in PLACEHOLDER_ENTITIES)
