"""The chat widget through the real gateway: a streamed answer shown, the conversation resent at
each turn, what was masked said, refusals in one sentence, a new conversation starts empty."""

from __future__ import annotations

from sandlab.assistant.ask import Connection
from sandlab.assistant.chat import Chat, _masked
from sandlab.cohort import AssistantPolicy
from tests.webapp import serve_app


def test_a_streamed_answer_is_shown_and_the_conversation_goes_on(platform, monkeypatch):
    monkeypatch.setenv("SANDLAB_LANGUAGE", "fr")
    start, received = platform
    _, server = start(AssistantPolicy(model="company", personal_data="redact"))
    with serve_app(server) as url:
        chat = Chat(Connection(f"{url}/v1", "company", "tok-ana"))
        chat.request.value = "Écris à jean.dupont@exemple.fr pour sa prime."
        chat.send()
        chat.request.value = "Plus court."
        chat.send()
    assert [m["role"] for m in chat.messages] == ["user", "assistant", "user", "assistant"]
    assert chat.messages[1]["content"] == "Bonjour" and chat.request.value == ""
    assert len(received[1]["body"]["messages"]) == 3  # the whole conversation, resent
    assert "jean.dupont" not in str(received)
    shown = chat.history.value
    assert "Vous" in shown and "sandlab-chat-answer" in shown and "Plus court." in shown
    assert "Données personnelles masquées avant l&#x27;envoi : 1 EMAIL_ADDRESS" in shown  # the history, masked again
    chat.restart()
    assert chat.messages == [] and "sandlab-chat-answer" not in chat.history.value


def test_a_refusal_keeps_the_request_and_says_why(platform, monkeypatch):
    monkeypatch.setenv("SANDLAB_LANGUAGE", "en")
    start, received = platform
    _, server = start(AssistantPolicy(model="company", personal_data="block"))
    with serve_app(server) as url:
        chat = Chat(Connection(f"{url}/v1", "company", "tok-bob"))
        chat.request.value = "Write to jean.dupont@example.com about his bonus."
        chat.send()
    assert chat.messages == [] and not received
    assert "personal data" in chat.status.value and chat.request.value.startswith("Write to")


def test_without_an_assistant_or_a_request_the_chat_says_so(monkeypatch):
    monkeypatch.setenv("SANDLAB_LANGUAGE", "en")
    chat = Chat(None)
    chat.send()
    assert "Write a request first" in chat.status.value
    chat.request.value = "Hello?"
    chat.send()
    assert "not enabled for your cohort" in chat.status.value


def test_the_masked_header_is_read():
    assert _masked("EMAIL_ADDRESS=1,PERSON=2") == {"EMAIL_ADDRESS": 1, "PERSON": 2}
    assert _masked(None) == {} and _masked("junk") == {}
