"""A stand-in company endpoint that records what it receives, and the gateway in front of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

from sandlab.assistant.gateway import HARD_BODY_BYTES, Gateway, Upstream, make_app
from sandlab.assistant.usage import UsageLog
from sandlab.cohort import AssistantPolicy, Cohort, LearnerPlan, Member
from sandlab.hub.state import AppliedCohort
from tests.webapp import serve_app

TOKENS = {"tok-ana": "ana", "tok-bob": "bob", "tok-tom": "tom"}
UPSTREAM_KEY = "sk-company-secret"


ECHO = "ECHO "  # a request starting so is answered with the rest of it, as the endpoint received it


class Recorder(RequestHandler):
    """The stand-in endpoint: keeps each request, answers like an OpenAI-compatible server."""

    def initialize(self, received: list) -> None:
        self.received = received

    async def post(self) -> None:
        body = json.loads(self.request.body)
        self.received.append({"body": body, "authorization": self.request.headers.get("Authorization")})
        last = body["messages"][-1]["content"]
        if last.startswith(ECHO):
            await self.echo(last.removeprefix(ECHO), body.get("stream"))
            return
        if body.get("stream"):
            self.set_header("Content-Type", "text/event-stream")
            for word in ("Bon", "jour"):
                chunk = {"choices": [{"index": 0, "delta": {"content": word}}]}
                self.write(f"data: {json.dumps(chunk)}\n\n")
                await self.flush()
            self.write(f"data: {json.dumps({'choices': [], 'usage': {'prompt_tokens': 7, 'completion_tokens': 2}})}"
                       "\n\ndata: [DONE]\n\n")
            return
        self.finish({"choices": [{"index": 0, "message": {"role": "assistant", "content": "Bonjour"}}],
                     "usage": {"prompt_tokens": 12, "completion_tokens": 3}})

    async def echo(self, text: str, stream: bool) -> None:
        if not stream:
            self.finish({"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]})
            return
        self.set_header("Content-Type", "text/event-stream")
        for start in range(0, len(text), 4):  # pieces that cut the surrogates anywhere
            chunk = {"choices": [{"index": 0, "delta": {"content": text[start:start + 4]}, "finish_reason": None}]}
            self.write(f"data: {json.dumps(chunk)}\n\n")
            await self.flush()
        self.write(f"data: {json.dumps({'choices': [{'index': 0, 'delta': {}, 'finish_reason': 'stop'}]})}\n\n"
                   "data: [DONE]\n\n")


def cohort(policy: AssistantPolicy) -> AppliedCohort:
    members = [Member(name="ana", persona="business"), Member(name="bob", persona="support", language="en"),
               Member(name="tom", role="trainer")]
    plans = {"ana": LearnerPlan(language="fr", labs=[]), "bob": LearnerPlan(language="en", labs=[])}
    return AppliedCohort(cohort=Cohort(name="wave", title="Wave", pack=Path("pack"), members=members,
                                       assistant=policy), pack_volume="v", learners=plans)


@pytest.fixture
def platform(tmp_path):
    """A stand-in endpoint and a gateway in front of it; yields a function making the gateway for a policy."""
    received: list = []
    upstream_server = HTTPServer(Application([(r"/v1/chat/completions", Recorder, {"received": received})]))
    with serve_app(upstream_server) as upstream_url:
        def start(policy: AssistantPolicy | None = None, **options):
            policy = policy or AssistantPolicy(model="company", personal_data="block")
            upstream = Upstream("company", f"{upstream_url}/v1", "big-model-2", api_key=UPSTREAM_KEY,
                                context_tokens=400, max_answer_tokens=50)
            gateway = Gateway(cohorts=lambda: [cohort(policy)],
                              identify=lambda handler: TOKENS.get(
                                  handler.request.headers.get("Authorization", "").removeprefix("Bearer ")),
                              upstreams={"company": upstream}, usage=UsageLog(tmp_path / "usage.sqlite"),
                              secret=b"s" * 32, **options)
            return gateway, HTTPServer(make_app(gateway), max_body_size=HARD_BODY_BYTES)
        yield start, received
