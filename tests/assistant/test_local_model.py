"""The real local model (SmolLM2-135M on llama.cpp) behind the real gateway: the `openai` client, the
notebook helper and a stream get answers, the model's own token counts are recorded."""

from __future__ import annotations

import pytest
from openai import OpenAI
from tornado.httpserver import HTTPServer

from sandlab.assistant.ask import Answer, ask
from sandlab.assistant.gateway import Gateway, make_app
from sandlab.assistant.model import SERVED_NAME, LocalModel, start, wait_until_ready
from sandlab.assistant.upstreams import LOCAL
from sandlab.assistant.usage import UsageLog
from sandlab.cohort import AssistantPolicy
from tests.assistant.conftest import TOKENS, cohort
from tests.platform.client import free_port
from tests.webapp import serve_app


@pytest.fixture(scope="module")
def local_model():
    model = LocalModel(port=free_port(), parallel=2, context_tokens=4096, threads=2, max_answer_tokens=64)
    server = start(model)
    wait_until_ready(model)
    yield model
    del server


@pytest.fixture
def gateway_url(local_model, tmp_path):
    gateway = Gateway(cohorts=lambda: [cohort(AssistantPolicy(model=LOCAL, personal_data="allow"))],
                      identify=lambda handler: TOKENS.get(
                          handler.request.headers.get("Authorization", "").removeprefix("Bearer ")),
                      upstreams={LOCAL: local_model.upstream(LOCAL)}, usage=UsageLog(tmp_path / "usage.sqlite"),
                      secret=b"s" * 32)
    with serve_app(HTTPServer(make_app(gateway))) as url:
        yield url, gateway


def test_the_openai_client_gets_an_answer_from_the_local_model(gateway_url):
    url, gateway = gateway_url
    client = OpenAI(base_url=f"{url}/v1", api_key="tok-ana")
    question = [{"role": "user", "content": "What is the capital of France?"}]
    completion = client.chat.completions.create(model=LOCAL, max_tokens=24, temperature=0, messages=question)
    assert completion.choices[0].message.content.strip()
    assert completion.model == SERVED_NAME
    [row] = gateway.usage.rows("ana")
    assert row["outcome"] == "answered" and row["prompt_tokens"] > 5 and 0 < row["completion_tokens"] <= 24
    assert [model.id for model in client.models.list()] == [LOCAL]


def test_a_stream_from_the_local_model_arrives_in_pieces(gateway_url):
    url, gateway = gateway_url
    client = OpenAI(base_url=f"{url}/v1", api_key="tok-bob")
    pieces = [chunk.choices[0].delta.content for chunk in client.chat.completions.create(
        model=LOCAL, max_tokens=16, stream=True, messages=[{"role": "user", "content": "Say hello."}])
        if chunk.choices and chunk.choices[0].delta.content]
    assert len(pieces) > 1
    [row] = gateway.usage.rows("bob")
    assert row["completion_tokens"] > 1  # the stream's last event carried the model's counts


def test_the_helper_says_the_local_model_is_small(gateway_url, monkeypatch):
    url, _ = gateway_url
    monkeypatch.setenv("SANDLAB_ASSISTANT_URL", f"{url}/v1")
    monkeypatch.setenv("SANDLAB_ASSISTANT_MODEL", LOCAL)
    monkeypatch.setenv("OPENAI_API_KEY", "tok-ana")
    monkeypatch.setenv("SANDLAB_LANGUAGE", "fr")
    answer = ask("Donne un conseil pour écrire un bon courriel.", max_tokens=32)
    assert isinstance(answer, Answer) and answer.text
    assert "petit modèle" in answer._repr_markdown_()
