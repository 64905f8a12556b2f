"""The notebook helper through the real gateway: an answer shown as Markdown, what was masked said,
refusals and quotas as one sentence in the learner's language."""

from __future__ import annotations

import pytest

from sandlab.assistant.ask import Answer, Problem, ask
from sandlab.cohort import AssistantPolicy
from tests.webapp import serve_app

PERSONAL = "Écris un courriel à Jean Dupont (jean.dupont@exemple.fr) pour sa prime."


@pytest.fixture
def learner_env(monkeypatch):
    def point(url: str, token: str = "tok-ana", language: str = "fr") -> None:
        monkeypatch.setenv("SANDLAB_ASSISTANT_URL", f"{url}/v1")
        monkeypatch.setenv("SANDLAB_ASSISTANT_MODEL", "company")
        monkeypatch.setenv("OPENAI_API_KEY", token)
        monkeypatch.setenv("SANDLAB_LANGUAGE", language)
    return point


def test_an_answer_is_shown_with_what_was_masked(platform, learner_env):
    start, received = platform
    _, server = start(AssistantPolicy(model="company", personal_data="redact"))
    with serve_app(server) as url:
        learner_env(url)
        answer = ask(PERSONAL, system="Tu es concis.")
    assert isinstance(answer, Answer) and str(answer) == "Bonjour"
    assert received[0]["body"]["messages"][0] == {"role": "system", "content": "Tu es concis."}
    shown = answer._repr_markdown_()
    assert shown.startswith("Bonjour") and "Données personnelles masquées" in shown and "EMAIL_ADDRESS" in shown
    assert "Dupont" not in shown


@pytest.mark.parametrize(("language", "expected"), [("fr", "données personnelles"), ("en", "personal data")])
def test_a_refusal_is_one_sentence_in_the_learners_language(platform, learner_env, language, expected):
    start, received = platform
    _, server = start(AssistantPolicy(model="company", personal_data="block"))
    with serve_app(server) as url:
        learner_env(url, token="tok-bob" if language == "en" else "tok-ana", language=language)
        refused = ask(PERSONAL)
    assert isinstance(refused, Problem) and expected in str(refused) and not received
    assert refused._repr_markdown_().startswith("**⚠")


def test_a_quota_says_when_to_try_again(platform, learner_env):
    start, _ = platform
    _, server = start(AssistantPolicy(model="company", personal_data="block", requests_per_minute=1))
    with serve_app(server) as url:
        learner_env(url)
        first, second = ask("Bonjour ?"), ask("Encore ?")
    assert isinstance(first, Answer) and isinstance(second, Problem)
    assert "trop de demandes" in str(second) and "Réessayez dans" in str(second)


def test_no_assistant_for_the_cohort_or_nobody_answering_is_said_plainly(monkeypatch, learner_env):
    monkeypatch.delenv("SANDLAB_ASSISTANT_URL", raising=False)
    monkeypatch.setenv("SANDLAB_LANGUAGE", "en")
    assert "not enabled for your cohort" in str(ask("Hello?"))
    learner_env("http://127.0.0.1:9", language="en")  # nothing listens on the discard port
    assert "does not answer" in str(ask("Hello?"))
