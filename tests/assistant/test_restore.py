"""Surrogates put back in the answer the learner reads, whole or in a stream cut anywhere."""

from __future__ import annotations

import pytest

from sandlab.assistant.redact import redact_messages
from sandlab.assistant.restore import Restorer

ORIGINALS = {"Marc Lefèvre": "Jean Dupont", "marc.lefevre@exemple.fr": "jean.dupont@exemple.fr", "Lu": "Li"}
ANSWER = "Bonjour Marc Lefèvre, écrivez à marc.lefevre@exemple.fr. Lundi, Marc Lefèvre viendra."
RESTORED = "Bonjour Jean Dupont, écrivez à jean.dupont@exemple.fr. Lundi, Jean Dupont viendra."


def test_a_whole_answer_gets_the_learners_values_back_and_short_surrogates_are_left_alone():
    assert Restorer(ORIGINALS).text(ANSWER) == RESTORED  # "Lu" (too short) does not touch "Lundi"


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 11, 64])
def test_a_stream_cut_anywhere_is_restored_the_same(size):
    restorer = Restorer(ORIGINALS)
    pieces = [ANSWER[start:start + size] for start in range(0, len(ANSWER), size)]
    shown = "".join(restorer.feed(piece) for piece in pieces) + restorer.flush()
    assert shown == RESTORED


def test_without_surrogates_nothing_is_held_back():
    restorer = Restorer({})
    assert not restorer and restorer.feed("Marc") == "Marc" and restorer.flush() == ""


def test_a_redaction_knows_which_surrogate_stands_for_which_value():
    messages = [{"role": "user", "content": "Écris à Jean Dupont (jean.dupont@exemple.fr) pour sa prime."}]
    redaction = redact_messages(messages, language="fr", key=b"k" * 32)
    sent = redaction.messages[0]["content"]
    assert "Dupont" not in sent and "Dupont" not in repr(redaction)
    assert Restorer(redaction.originals).text(sent) == messages[0]["content"]
