"""Personal data masked in a conversation before it leaves the gateway for a model.

The anonymizer's free-text path does the work, unchanged: its detector finds the
spans, its ``TextScanner`` adds every name word and value found in one message to a
dictionary applied to all of them (a first name the model missed in a later message
is still caught), and its ``Surrogates`` write the replacements. Only the types that
path replaces in free text are masked (``REPLACED_ENTITIES``): a city, a company or a
date alone identifies nobody, and masking them would spoil ordinary prompts.

The gateway keeps no state between requests and a client resends the whole history
each time, so a surrogate must depend on the learner's key and the value alone, not
on the rest of the conversation (see ``ConversationSurrogates``).

One language per request: the learner's. The sandbox's data are generated in the
cohort's locale, so the identifiers a learner can paste (NIR, SIRET, phone formats)
are that locale's; e-mails, IBANs, cards and IP addresses are found in both.
Running the other language's model too would double the cost of a history that is
scanned again at every request, and its guesses on text of another language mask
ordinary words.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from sandlab.anonymizer.detect import detector
from sandlab.anonymizer.scanner import SourceValues, TextScanner
from sandlab.anonymizer.surrogates import Surrogates

SOURCE = "conversation"  # the scanner's source key: one per call
ROLES = ("system", "developer", "user", "assistant")
FIELDS = frozenset({"role", "content"})
# Replaced types for which Surrogates has no generator of their own, only a scramble
# of letters and digits (an IP address such as '865.538.1.82' would mislead the model).
PLACEHOLDER_ENTITIES = frozenset({"IP_ADDRESS", "US_BANK_NUMBER"})


@dataclass(frozen=True)
class Redaction:
    """What to send upstream, and how many values of each type were replaced.

    ``findings`` counts the spans replaced in this request, resent history included,
    and holds no value (it is shown to the learner and logged); the messages stay out
    of the repr so that logging a redaction logs no text.
    """

    messages: list[dict[str, str]] = field(repr=False)
    findings: dict[str, int]
    # surrogate -> the learner's own value, to put back in the answer the learner reads
    originals: dict[str, str] = field(default_factory=dict, repr=False)


def placeholder(entity_type: str) -> str:
    return f"[{entity_type}]"


class ConversationSurrogates(Surrogates):
    """The anonymizer's surrogates with nothing forbidden, placeholders where it has no generator.

    The anonymizer forbids the source values, and that set also trims the name pools:
    here it would be the conversation's values, so one new name in a later message
    would shift the pools and change the surrogates of earlier ones (a resent history
    masked differently). With nothing forbidden a surrogate is a function of the key
    and the value only. The price: a surrogate may happen to equal another value of the
    conversation; that value is itself replaced everywhere, so it never designates
    its owner.
    """

    def __init__(self, key: bytes, language: str):
        super().__init__(key, language, forbidden=set())
        self.originals: dict[str, str] = {}
        self.ambiguous: set[str] = set()

    def replace(self, entity_type: str, text: str) -> str:
        if entity_type in PLACEHOLDER_ENTITIES:
            return placeholder(entity_type)  # one placeholder for many values: nothing to put back
        surrogate = super().replace(entity_type, text)
        if self.originals.setdefault(surrogate, text) != text:
            self.ambiguous.add(surrogate)  # two values, one surrogate: put neither back
        return surrogate

    def restorable(self) -> dict[str, str]:
        return {surrogate: text for surrogate, text in self.originals.items() if surrogate not in self.ambiguous}


def _contents(messages: Sequence[dict]) -> list[str]:
    """The texts to scan; a message the gateway cannot scan whole is refused (nothing passes unscanned).

    Errors name the message's index, never what it holds.
    """
    if not isinstance(messages, Sequence) or isinstance(messages, str | bytes):
        raise TypeError("messages must be a list of {'role', 'content'} objects")
    contents = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise TypeError(f"message {index} is not an object")
        if set(message) - FIELDS:
            raise ValueError(f"message {index} has fields other than 'role' and 'content': they would reach "
                             f"the model unscanned")
        if message.get("role") not in ROLES:
            raise ValueError(f"message {index}: the role must be one of {', '.join(ROLES)}")
        content = message.get("content")
        if not isinstance(content, str):
            raise TypeError(f"message {index}: the content must be a string, not {type(content).__name__}")
        contents.append(content)
    return contents


def redact_messages(messages: Sequence[dict], *, language: str, key: bytes) -> Redaction:
    """Every message (system, user and assistant alike: the history is resent) with
    its personal values replaced, the same value by the same surrogate for a given key."""
    surrogates = ConversationSurrogates(key, language)
    scanner = TextScanner(detector(language), SourceValues(language))
    contents = _contents(messages)
    locations = [(SOURCE, "content", index) for index in range(len(contents))]
    scanner.collect(list(zip(locations, contents, strict=True)))
    scanner.prepare(surrogates)
    redacted = [{"role": message["role"], "content": scanner.rewrite(location, content)}
                for message, location, content in zip(messages, locations, contents, strict=True)]
    return Redaction(messages=redacted, findings=dict(sorted(scanner.counts.get(SOURCE, {}).items())),
                     originals=surrogates.restorable())


def contains_personal_data(messages: Sequence[dict], *, language: str) -> dict[str, int]:
    """The counts a redaction would report, for a cohort that blocks such prompts.

    It is a redaction whose output is thrown away, so both count the same spans; the
    throwaway key never leaves this call.
    """
    return redact_messages(messages, language=language, key=secrets.token_bytes(32)).findings
