"""The assistant's gateway in front of a stand-in company endpoint that records what it receives:
answers relayed (streamed or not), the cohort's policy applied first, errors in the OpenAI format."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from tornado.httpserver import HTTPServer

from sandlab.assistant.gateway import MAX_BODY_BYTES, Gateway, Upstream, make_app
from sandlab.assistant.quotas import Quotas, Slots
from sandlab.assistant.usage import UsageLog, UsageRow
from sandlab.cohort import AssistantPolicy
from tests.assistant.conftest import ECHO, UPSTREAM_KEY, cohort
from tests.webapp import serve_app


def ask(url: str, token: str | None = "tok-ana", **body) -> httpx.Response:
    payload = {"model": "company", "messages": [{"role": "user", "content": "Bonjour ?"}], **body}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{url}/v1/chat/completions", json=payload, headers=headers, timeout=30)


def test_an_answer_is_relayed_with_the_company_key_and_its_usage_recorded(platform):
    start, received = platform
    gateway, server = start()
    with serve_app(server) as url:
        answer = ask(url)
        models = httpx.get(f"{url}/v1/models", headers={"Authorization": "Bearer tok-ana"}).json()
    assert answer.status_code == 200, answer.text
    assert answer.json()["choices"][0]["message"]["content"] == "Bonjour"
    assert models["data"][0]["id"] == "company"
    sent = received[0]
    assert sent["body"]["model"] == "big-model-2" and sent["body"]["max_tokens"] == 50
    assert sent["authorization"] == f"Bearer {UPSTREAM_KEY}"  # the learner's token never goes out
    [row] = gateway.usage.rows("ana")
    assert (row["outcome"], row["prompt_tokens"], row["completion_tokens"], row["prompt"]) == ("answered", 12, 3,
                                                                                               None)


def test_a_streamed_answer_comes_as_it_is_made_and_is_counted(platform):
    start, _ = platform
    gateway, server = start()
    streamed = {"model": "company", "stream": True, "messages": [{"role": "user", "content": "Bonjour ?"}]}
    with serve_app(server) as url, httpx.stream("POST", f"{url}/v1/chat/completions", json=streamed,
                                                headers={"Authorization": "Bearer tok-ana"}) as answer:
        lines = [line for line in answer.iter_lines() if line.startswith("data:")]
    words = [json.loads(line[5:])["choices"][0]["delta"]["content"] for line in lines[:2]]
    assert words == ["Bon", "jour"] and lines[-1] == "data: [DONE]"
    [row] = gateway.usage.rows("ana")
    assert (row["prompt_tokens"], row["completion_tokens"]) == (7, 2)


@pytest.mark.parametrize(("token", "status", "code"), [
    (None, 401, "invalid_api_key"), ("forged", 401, "invalid_api_key"), ("tok-tom", 403, "not_a_learner")])
def test_who_is_not_a_learner_of_a_cohort_is_refused(platform, token, status, code):
    start, received = platform
    _, server = start()
    with serve_app(server) as url:
        answer = ask(url, token)
    assert answer.status_code == status and answer.json()["error"]["code"] == code
    assert not received


@pytest.mark.parametrize(("body", "code"), [
    ({"model": "gpt-4"}, "model_not_found"),
    ({"messages": []}, "invalid_request"),
    ({"messages": [{"role": "user", "content": "x" * 40_000}]}, "invalid_request"),
    ({"messages": [{"role": "user", "content": "mot " * 400}]}, "context_length_exceeded"),
    ({"temperature": 9}, "invalid_request"),
])
def test_bad_requests_get_a_clear_4xx_and_reach_nothing(platform, body, code):
    start, received = platform
    gateway, server = start()
    with serve_app(server) as url:
        answer = ask(url, **body)
        garbled = httpx.post(f"{url}/v1/chat/completions", content=b"{not json",
                             headers={"Authorization": "Bearer tok-ana"})
        huge = httpx.post(f"{url}/v1/chat/completions", content=b"x" * (MAX_BODY_BYTES + 1),
                          headers={"Authorization": "Bearer tok-ana"})
    assert 400 <= answer.status_code < 500 and answer.json()["error"]["code"] == code, answer.text
    assert garbled.status_code == 400 and garbled.json()["error"]["type"] == "invalid_request_error"
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "request_too_large"
    assert not received


def test_quotas_answer_429_with_when_to_come_back(platform):
    start, received = platform
    clock = [1_000_000.0]
    gateway, server = start(AssistantPolicy(model="company", personal_data="block", requests_per_minute=2,
                                            tokens_per_day=100), quotas=Quotas(clock=lambda: clock[0]))
    with serve_app(server) as url:
        first, second, third = ask(url), ask(url), ask(url)
        other = ask(url, "tok-bob")  # bob's own quota
        clock[0] += 61
        for _ in range(6):  # 15 tokens an answer: ana's 100 of the day run out
            last = ask(url)
            clock[0] += 61
    assert first.status_code == second.status_code == other.status_code == 200
    assert third.status_code == 429 and third.json()["error"]["code"] == "requests_per_minute"
    assert 1 <= int(third.headers["Retry-After"]) <= 60
    assert last.status_code == 429 and last.json()["error"]["code"] == "tokens_per_day"
    assert len(received) == 2 + 1 + 5


def test_a_cohort_cap_stops_every_learner_of_the_cohort(platform):
    start, received = platform
    gateway, server = start(AssistantPolicy(model="company", personal_data="block", cohort_tokens_per_day=1_000))
    gateway.usage.record(UsageRow("wave", "ana", "company", "answered", prompt_tokens=900, completion_tokens=100))
    with serve_app(server) as url:
        ana, bob = ask(url), ask(url, "tok-bob")
    for refused in (ana, bob):
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "cohort_tokens_per_day"
        assert int(refused.headers["Retry-After"]) >= 1
    assert not received


PERSONAL = "Écris un courriel à Jean Dupont (jean.dupont@exemple.fr, 06 12 34 56 78) pour sa prime."


def test_personal_data_is_refused_when_the_cohort_blocks_it(platform):
    start, received = platform
    gateway, server = start()  # the real detector, French for ana
    with serve_app(server) as url:
        refused = ask(url, messages=[{"role": "user", "content": PERSONAL}])
        fine = ask(url)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "personal_data_refused"
    assert not any(value in refused.text for value in ("Dupont", "jean.dupont", "06 12"))
    assert "EMAIL_ADDRESS" in refused.json()["error"]["message"]
    assert fine.status_code == 200 and len(received) == 1
    assert [row["outcome"] for row in gateway.usage.rows("ana")] == ["refused", "answered"]


def test_personal_data_is_masked_before_it_leaves_and_the_learner_is_told(platform):
    start, received = platform
    gateway, server = start(AssistantPolicy(model="company", personal_data="redact", log_prompts=True))
    with serve_app(server) as url:
        answer = ask(url, messages=[{"role": "user", "content": PERSONAL}])
        again = ask(url, messages=[{"role": "user", "content": PERSONAL}])
    assert again.status_code == 200
    assert answer.status_code == 200, answer.text
    sent = json.dumps(received, ensure_ascii=False)
    assert not any(value in sent for value in ("Dupont", "jean.dupont", "06 12 34 56 78")), sent
    assert received[0]["body"]["messages"] == received[1]["body"]["messages"]  # the same surrogates each time
    masked = answer.json()["sandlab_masked"]
    assert masked["EMAIL_ADDRESS"] == 1 and masked["PERSON"] >= 1
    assert "EMAIL_ADDRESS=1" in answer.headers["X-Sandlab-Masked"]
    rows = gateway.usage.rows("ana")
    assert json.loads(rows[0]["masked"]) == masked
    assert "Dupont" not in rows[0]["prompt"]  # kept for the trainers, as sent: masked


@pytest.mark.parametrize("stream", [False, True])
def test_the_learner_reads_their_own_values_the_model_never_saw(platform, stream):
    start, received = platform
    gateway, server = start(AssistantPolicy(model="company", personal_data="redact"))
    body = {"model": "company", "stream": stream, "messages": [{"role": "user", "content": ECHO + PERSONAL}]}
    with serve_app(server) as url:
        answer = httpx.post(f"{url}/v1/chat/completions", json=body, headers={"Authorization": "Bearer tok-ana"},
                            timeout=30)
    assert answer.status_code == 200, answer.text
    if stream:
        events = [json.loads(line[5:]) for line in answer.text.splitlines()
                  if line.startswith("data:") and line.strip() != "data: [DONE]"]
        text = "".join(event["choices"][0]["delta"].get("content") or "" for event in events if event["choices"])
    else:
        text = answer.json()["choices"][0]["message"]["content"]
    sent = json.dumps(received, ensure_ascii=False)
    assert not any(value in sent for value in ("Dupont", "jean.dupont", "06 12 34 56 78")), sent
    assert text == PERSONAL  # the echo, as the learner wrote it


def test_an_unreachable_model_is_a_502_recorded_as_failed(platform, tmp_path):
    gateway = Gateway(cohorts=lambda: [cohort(AssistantPolicy(model="company", personal_data="block"))],
                      identify=lambda handler: "ana", upstreams={"company": Upstream("company", "http://127.0.0.1:9/v1",
                                                                                      "m")},
                      usage=UsageLog(tmp_path / "u.sqlite"), secret=b"s", finder=lambda messages, language: {})
    with serve_app(HTTPServer(make_app(gateway))) as url:
        answer = ask(url)
    assert answer.status_code == 502 and answer.json()["error"]["code"] == "upstream_unreachable"
    assert [row["outcome"] for row in gateway.usage.rows()] == ["failed"]
    assert [row["outcome"] for row in UsageLog(tmp_path / "u.sqlite").rows()] == ["failed"]  # kept on disk


def test_each_learner_one_request_at_a_time_and_a_bounded_queue():
    async def scenario() -> list[str]:
        slots, outcomes, release = Slots(limit=1, queue=1), [], asyncio.Event()

        async def hold(user: str) -> None:
            try:
                async with slots.held(user):
                    outcomes.append(f"{user} in")
                    await release.wait()
            except Exception as error:  # noqa: BLE001 - the refusal is the result
                outcomes.append(f"{user} {error.code}")

        first = asyncio.create_task(hold("ana"))
        await asyncio.sleep(0)
        queued = asyncio.create_task(hold("bob"))
        await asyncio.sleep(0)
        await hold("ana")  # ana again while her first runs
        await hold("cy")  # the queue is full
        release.set()
        await asyncio.gather(first, queued)
        return outcomes

    assert asyncio.run(scenario()) == ["ana in", "ana one_at_a_time", "cy busy", "bob in"]
