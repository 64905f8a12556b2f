"""The assistant's gateway: the OpenAI chat-completions API for learners, in front of one model.

A learner's client (the `openai` package, JupyterLab's chat) calls it with the learner's own
JupyterHub token. The gateway knows the learner's cohort and applies its policy before anything
reaches the model: the model the cohort may use, personal data masked or refused, quotas, one
request at a time per learner, a bounded number of generations at once; then it forwards the
request (streamed or not) and records the usage. Upstream keys live only here, never in a
learner's container.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import inspect
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from tornado.web import Application, RequestHandler

from sandlab.assistant.errors import ApiError
from sandlab.assistant.quotas import Quotas, Slots
from sandlab.assistant.restore import Restorer
from sandlab.assistant.usage import UsageLog, UsageRow
from sandlab.cohort import AssistantPolicy
from sandlab.grading.exchange.service import Cohorts, Identify, Learner, find_learner
from sandlab.hub.services import route_prefix

log = logging.getLogger("sandlab.assistant")
MAX_BODY_BYTES = 256 * 1024  # answered 413; the HTTP server itself cuts at HARD_BODY_BYTES
HARD_BODY_BYTES = 4 * MAX_BODY_BYTES
MAX_MESSAGE_CHARS = 32_000
CHARS_PER_TOKEN = 4  # a conservative estimate for French and English, before the model counts
SAMPLING = {"temperature", "top_p", "frequency_penalty", "presence_penalty", "stop", "seed"}  # forwarded as given


@dataclass(frozen=True)
class Upstream:
    """A model behind the gateway: the platform's local runtime or a company endpoint."""

    name: str  # the model id learners ask for (a cohort's `assistant.model`)
    url: str  # its OpenAI-compatible base URL, e.g. http://127.0.0.1:10110/v1
    model: str  # the model's name upstream
    api_key: str | None = field(default=None, repr=False)
    context_tokens: int = 2048
    max_answer_tokens: int = 512
    timeout: float = 120


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "user", "assistant"]
    content: str = Field(max_length=MAX_MESSAGE_CHARS)


class ChatRequest(BaseModel):
    """What the gateway accepts; anything else a client sends is dropped, not forwarded."""

    model_config = ConfigDict(extra="ignore")

    model: str
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    max_tokens: int | None = Field(None, ge=1, le=8192)
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    frequency_penalty: float | None = Field(None, ge=-2, le=2)
    presence_penalty: float | None = Field(None, ge=-2, le=2)
    stop: str | list[str] | None = None
    seed: int | None = None


# messages masked, counts per kind, surrogate -> the learner's value (to put back in the answer)
Masker = Callable[[list[dict], str, bytes], tuple[list[dict], dict[str, int], dict[str, str]]]
Finder = Callable[[list[dict], str], dict[str, int]]


def default_masker(messages: list[dict], language: str, key: bytes
                   ) -> tuple[list[dict], dict[str, int], dict[str, str]]:
    from sandlab.assistant.redact import redact_messages  # loads spaCy models: only when first needed

    redaction = redact_messages(messages, language=language, key=key)
    return redaction.messages, redaction.findings, redaction.originals


def default_finder(messages: list[dict], language: str) -> dict[str, int]:
    from sandlab.assistant.redact import contains_personal_data

    return contains_personal_data(messages, language=language)


def estimated_tokens(messages: list[ChatMessage]) -> int:
    return sum(len(message.content) // CHARS_PER_TOKEN + 4 for message in messages)


@dataclass
class Gateway:
    """Everything a request needs; tests build one with their own identify and upstream."""

    cohorts: Cohorts
    identify: Identify
    upstreams: dict[str, Upstream]
    usage: UsageLog
    secret: bytes  # derives each learner's masking key: the same value, the same surrogate, all conversation
    quotas: Quotas = field(default_factory=Quotas)
    slots: Slots = field(default_factory=lambda: Slots(limit=2, queue=20))
    masker: Masker = default_masker
    finder: Finder = default_finder
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=None))
    # Detection is CPU work on shared spaCy pipelines: one thread, off the event loop that relays answers.
    screening: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=1))

    def policy(self, learner: Learner) -> AssistantPolicy:
        for entry in self.cohorts():
            if entry.cohort.name == learner.cohort:
                return entry.cohort.assistant
        raise ApiError(403, "your cohort is not on this platform any more", "no_cohort")

    def masking_key(self, user: str) -> bytes:
        return hmac.new(self.secret, user.encode(), hashlib.sha256).digest()


class _ApiHandler(RequestHandler):
    def initialize(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def fail(self, error: ApiError) -> None:
        if self._headers_written:  # failed mid-stream: the client sees the stream end early
            self.finish()
            return
        self.set_status(error.status)
        self.set_header("Content-Type", "application/json")
        if error.retry_after is not None:
            self.set_header("Retry-After", str(max(1, round(error.retry_after))))
        self.finish(json.dumps(error.body()))

    def write_error(self, status_code: int, **kwargs) -> None:
        message = {404: "no such address", 405: "method not allowed", 413: "request too large"}.get(
            status_code, "the assistant failed; IT can read why in its log")
        self.fail(ApiError(status_code, message, "server_error" if status_code >= 500 else "invalid_request"))

    async def learner(self) -> Learner:
        user = self.gateway.identify(self)
        if inspect.isawaitable(user):
            user = await user
        if not user:
            raise ApiError(401, "no valid JupyterHub token: open the assistant from your lab", "invalid_api_key",
                           kind="authentication_error")
        learner = find_learner(self.gateway.cohorts(), user)
        if learner is None:
            raise ApiError(403, "the assistant is for the learners of a cohort", "not_a_learner")
        return learner


class ModelsHandler(_ApiHandler):
    async def get(self) -> None:
        try:
            policy = self.gateway.policy(await self.learner())
        except ApiError as error:
            self.fail(error)
            return
        models = [{"id": policy.model, "object": "model", "owned_by": "sandlab"}] if policy.enabled else []
        self.finish({"object": "list", "data": models})


class ChatHandler(_ApiHandler):
    done_event: str | None = None  # a stream's "data: [DONE]", held back until the usage is recorded

    async def post(self) -> None:
        began = time.monotonic()
        row: UsageRow | None = None
        try:
            learner = await self.learner()
            policy = self.gateway.policy(learner)
            request = self.parse()
            upstream = self.upstream(policy, request)
            row = UsageRow(learner.cohort, learner.name, upstream.name, "refused")
            self.fits(upstream, request)
            usage = self.gateway.usage
            cohort_tokens = usage.cohort_tokens_today(learner.cohort) if policy.cohort_tokens_per_day else 0
            self.gateway.quotas.admit(learner.name, policy, usage.tokens_today(learner.name), cohort_tokens)
            messages, masked, originals = await asyncio.get_running_loop().run_in_executor(
                self.gateway.screening, self.screened, learner, policy, request)
            row.masked = masked
            if policy.log_prompts:
                row.prompt = json.dumps(messages, ensure_ascii=False)
            async with self.gateway.slots.held(learner.name):
                await self.forward(upstream, request, messages, masked, row, Restorer(originals))  # not finished
            row.outcome = "answered"
        except ApiError as error:
            if row is not None and error.status >= 500:
                row.outcome = "failed"
            failure: ApiError | None = error
        else:
            failure = None
        if row is not None:  # recorded before the answer ends: a client holding its answer finds its record
            row.latency_ms = round((time.monotonic() - began) * 1000)
            self.gateway.usage.record(row)
        if failure is not None:
            self.fail(failure)
        else:
            self.finish(self.done_event)

    def parse(self) -> ChatRequest:
        if len(self.request.body) > MAX_BODY_BYTES:
            raise ApiError(413, f"request too large (at most {MAX_BODY_BYTES // 1024} KiB)", "request_too_large")
        try:
            return ChatRequest.model_validate_json(self.request.body)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ApiError(400, f"{where}: {first['msg']}" if where else first["msg"], "invalid_request") from None

    def upstream(self, policy: AssistantPolicy, request: ChatRequest) -> Upstream:
        if not policy.enabled:
            raise ApiError(403, "the assistant is not enabled for your cohort", "assistant_disabled")
        if request.model != policy.model:
            raise ApiError(404, f"model '{request.model}' does not exist here; ask for '{policy.model}'",
                           "model_not_found")
        upstream = self.gateway.upstreams.get(policy.model)
        if upstream is None:
            raise ApiError(503, f"the model '{policy.model}' is not configured on this platform: tell IT",
                           "model_unavailable")
        return upstream

    def fits(self, upstream: Upstream, request: ChatRequest) -> None:
        answer = min(request.max_tokens or upstream.max_answer_tokens, upstream.max_answer_tokens)
        needed = estimated_tokens(request.messages) + answer
        if needed > upstream.context_tokens:
            raise ApiError(400, f"this conversation is too long for the model (about {needed} tokens with the "
                           f"answer, at most {upstream.context_tokens}): start a new one or shorten it",
                           "context_length_exceeded")

    def screened(self, learner: Learner, policy: AssistantPolicy,
                 request: ChatRequest) -> tuple[list[dict], dict[str, int], dict[str, str]]:
        messages = [message.model_dump() for message in request.messages]
        if policy.personal_data == "allow":
            return messages, {}, {}
        language = learner.plan.language
        if policy.personal_data == "block":
            found = self.gateway.finder(messages, language)
            if found:
                kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(found.items()))
                raise ApiError(400, f"your request holds personal data ({kinds}): your cohort's assistant refuses "
                               "it; remove it and ask again", "personal_data_refused")
            return messages, {}, {}
        return self.gateway.masker(messages, language, self.gateway.masking_key(learner.name))

    async def forward(self, upstream: Upstream, request: ChatRequest, messages: list[dict],
                      masked: dict[str, int], row: UsageRow, restorer: Restorer) -> None:
        body = {"model": upstream.model, "messages": messages, "stream": request.stream,
                "max_tokens": min(request.max_tokens or upstream.max_answer_tokens, upstream.max_answer_tokens)}
        body.update({key: value for key, value in request.model_dump(include=SAMPLING)
                     .items() if value is not None})
        if request.stream:
            body["stream_options"] = {"include_usage": True}
        headers = {"Authorization": f"Bearer {upstream.api_key}"} if upstream.api_key else {}
        if masked:
            self.set_header("X-Sandlab-Masked", ",".join(f"{kind}={count}" for kind, count in sorted(masked.items())))
        try:
            async with self.gateway.http.stream("POST", f"{upstream.url.rstrip('/')}/chat/completions", json=body,
                                                headers=headers, timeout=upstream.timeout) as answer:
                if answer.status_code != 200:
                    await answer.aread()
                    log.warning("model %s answered %d", upstream.name, answer.status_code)
                    raise ApiError(502, "the model failed to answer; try again, or tell IT if it lasts",
                                   "upstream_error")
                if request.stream:
                    await self.relay(answer, row, restorer)
                else:
                    result = json.loads(await answer.aread())
                    self.count(result.get("usage"), row)
                    for choice in result.get("choices") or []:
                        message = choice.get("message") or {}
                        if restorer and isinstance(message.get("content"), str):
                            message["content"] = restorer.text(message["content"])
                    if masked:
                        result["sandlab_masked"] = masked
                    self.set_header("Content-Type", "application/json")
                    self.write(json.dumps(result))
        except httpx.TimeoutException:
            raise ApiError(504, "the model took too long to answer; ask for a shorter answer", "timeout") from None
        except (httpx.HTTPError, ValueError, AttributeError, TypeError):  # unreachable, or an answer not of the API
            log.warning("model %s unreachable or garbled", upstream.name)
            raise ApiError(502, "the model cannot be reached; tell IT", "upstream_unreachable") from None

    async def relay(self, answer: httpx.Response, row: UsageRow, restorer: Restorer) -> None:
        """Server-sent events passed through as they come; the last one carries the token counts.
        With surrogates to put back, each event's text is rewritten (see sandlab.assistant.restore)."""
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-cache")
        async for line in answer.aiter_lines():
            if line.strip() == "data: [DONE]":  # sent by post() once the usage is recorded
                self.done_event = "data: [DONE]\n\n"
                continue
            if line.startswith("data:") and '"usage"' in line:
                with contextlib.suppress(ValueError):
                    self.count(json.loads(line[5:]).get("usage"), row)
            if restorer and line.startswith("data:"):
                line = restored_event(line, restorer)
            self.write(line + "\n")
            if not line:
                await self.flush()
        if restorer.held:  # a stream that ended with no finish_reason
            self.write(f"data: {json.dumps({'choices': [{'index': 0, 'delta': {'content': restorer.flush()}}]})}\n\n")

    @staticmethod
    def count(usage: dict | None, row: UsageRow) -> None:
        if usage:
            row.prompt_tokens = int(usage.get("prompt_tokens") or 0)
            row.completion_tokens = int(usage.get("completion_tokens") or 0)


def restored_event(line: str, restorer: Restorer) -> str:
    """One server-sent event with the learner's values put back in its text."""
    try:
        event = json.loads(line[5:])
    except ValueError:
        return line
    if not isinstance(event, dict):
        return line
    for choice in event.get("choices") or []:
        if not isinstance(choice, dict) or not isinstance(choice.setdefault("delta", {}), dict):
            continue
        delta = choice["delta"]
        text = restorer.feed(delta["content"]) if isinstance(delta.get("content"), str) else ""
        if choice.get("finish_reason"):
            text += restorer.flush()
        if text or "content" in delta:
            delta["content"] = text
    return f"data: {json.dumps(event, ensure_ascii=False)}"


def make_app(gateway: Gateway, prefix: str = "/") -> Application:
    prefix = route_prefix(prefix)
    handlers = [(f"{prefix}v1/models", ModelsHandler, {"gateway": gateway}),
                (f"{prefix}v1/chat/completions", ChatHandler, {"gateway": gateway})]
    return Application(handlers)
