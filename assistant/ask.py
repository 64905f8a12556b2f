"""Ask the assistant from a notebook in one line, for learners who do not program:

    from sandlab.assistant.ask import ask
    ask("Résume en trois points les règles du RGPD pour un fichier clients.")

The answer is shown as text in the notebook and kept there (graders read it, nothing is
asked again at grading, which runs with no network); ``answer.text`` holds it for a
later cell. Problems (a quota, personal data refused, the model busy) are shown as one
sentence in the learner's language, not as a traceback. Programmers use the ``openai``
package directly: the environment already points it at the gateway with their token.
Runs in the learner's kernel: only httpx, nothing of the hub.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import httpx

from sandlab.framework import learner_language

TIMEOUT = 180.0  # a busy machine queues a generation behind others' before it starts
REPETITION_PENALTY = 0.6  # OpenAI's frequency_penalty: a small model otherwise repeats its sentences

TEXTS = {
    "fr": {
        "masked": "Données personnelles masquées avant l'envoi : {kinds}.",
        "small": "Assistant local (petit modèle SmolLM2, 135 M de paramètres) : il se trompe souvent, "
                 "vérifiez chaque chiffre et chaque fait.",
        "absent": "L'assistant n'est pas activé pour votre cohorte : demandez à votre formateur.",
        "unreachable": "L'assistant ne répond pas. Réessayez dans une minute ; si cela dure, prévenez votre "
                       "formateur.",
        "refused": "L'assistant a refusé la demande : {message}",
        "wait": "Réessayez dans {seconds} s.",
    },
    "en": {
        "masked": "Personal data masked before sending: {kinds}.",
        "small": "Local assistant (small SmolLM2 model, 135 M parameters): it is often wrong, check every "
                 "figure and every fact.",
        "absent": "The assistant is not enabled for your cohort: ask your trainer.",
        "unreachable": "The assistant does not answer. Try again in a minute; if it lasts, tell your trainer.",
        "refused": "The assistant refused the request: {message}",
        "wait": "Try again in {seconds} s.",
    },
}


# The gateway's error codes a learner meets, said in their language (others: the gateway's English message).
REFUSALS = {
    "fr": {
        "tokens_per_day": "votre quota de la journée est épuisé ; il revient à minuit (UTC).",
        "cohort_tokens_per_day": "le quota de la journée de votre groupe est épuisé ; il revient à minuit (UTC).",
        "requests_per_minute": "trop de demandes en une minute : attendez un peu.",
        "one_at_a_time": "une demande à la fois : attendez la réponse précédente.",
        "busy": "l'assistant répond à d'autres participants.",
        "personal_data_refused": "votre demande contient des données personnelles ; retirez-les et redemandez.",
        "context_length_exceeded": "la conversation est trop longue pour le modèle : raccourcissez-la.",
        "timeout": "le modèle a mis trop de temps : demandez une réponse plus courte.",
        "invalid_api_key": "votre session n'est plus valable : rechargez la page du lab.",
    },
    "en": {
        "tokens_per_day": "your quota for today is used up; it comes back at midnight (UTC).",
        "cohort_tokens_per_day": "your group's quota for today is used up; it comes back at midnight (UTC).",
        "requests_per_minute": "too many requests in a minute: wait a little.",
        "one_at_a_time": "one request at a time: wait for the previous answer.",
        "busy": "the assistant is answering other learners.",
        "personal_data_refused": "your request holds personal data; remove it and ask again.",
        "context_length_exceeded": "the conversation is too long for the model: shorten it.",
        "timeout": "the model took too long: ask for a shorter answer.",
        "invalid_api_key": "your session is no longer valid: reload the lab's page.",
    },
}


def language() -> str:
    return learner_language("fr")


def texts() -> dict[str, str]:
    return TEXTS[language()]


@dataclass
class Answer:
    """What the assistant said; shown as Markdown in the notebook, ``str()`` is the text alone."""

    text: str
    model: str
    masked: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        notes = "".join(f"\n\n> *{note}*" for note in self.notes)
        return f"{self.text}{notes}"


@dataclass
class Problem:
    """Why there is no answer, said in one sentence (no traceback for a quota or a refusal)."""

    message: str

    def __str__(self) -> str:
        return self.message

    def _repr_markdown_(self) -> str:
        return f"**⚠ {self.message}**"


@dataclass(frozen=True)
class Connection:
    """Where this learner's assistant is, from the server's environment (set by the hub at spawn)."""

    url: str
    model: str
    token: str = field(repr=False)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def completions(self) -> str:
        return f"{self.url.rstrip('/')}/chat/completions"


def connection() -> Connection | None:
    url, model = os.environ.get("SANDLAB_ASSISTANT_URL"), os.environ.get("SANDLAB_ASSISTANT_MODEL")
    token = os.environ.get("OPENAI_API_KEY") or os.environ.get("JUPYTERHUB_API_TOKEN")
    return Connection(url, model, token) if url and model and token else None


def ask(request: str, *, system: str | None = None, max_tokens: int = 400,
        temperature: float = 0.2) -> Answer | Problem:
    """Send one request (and an optional system instruction) to the cohort's assistant."""
    where = connection()
    if where is None:
        return Problem(texts()["absent"])
    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": request}]
    try:
        reply = httpx.post(where.completions, timeout=TIMEOUT, headers=where.headers,
                           json={"model": where.model, "messages": messages, "max_tokens": max_tokens,
                                 "temperature": temperature, "frequency_penalty": REPETITION_PENALTY})
    except httpx.HTTPError:
        return Problem(texts()["unreachable"])
    return read_reply(reply, where.model)


def refusal(status: int, body: bytes, retry_after: str | None) -> Problem:
    """A gateway's error answer as one sentence in the learner's language."""
    said = texts()
    try:
        error = json.loads(body).get("error") or {}
    except (ValueError, AttributeError):
        return Problem(said["unreachable"])
    message = REFUSALS[language()].get(error.get("code") or "") or error.get("message") or str(status)
    problem = said["refused"].format(message=message)
    if retry_after:
        problem += " " + said["wait"].format(seconds=retry_after)
    return Problem(problem)


def notes_for(model: str, masked: dict[str, int]) -> list[str]:
    """What the learner is told under an answer: what was masked, and that a small model errs."""
    said = texts()
    notes = [said["masked"].format(kinds=", ".join(f"{count} {kind}" for kind, count in sorted(masked.items())))
             ] if masked else []
    if model == "local":
        notes.append(said["small"])
    return notes


def read_reply(reply: httpx.Response, model: str) -> Answer | Problem:
    if reply.status_code != 200:
        return refusal(reply.status_code, reply.content, reply.headers.get("Retry-After"))
    try:
        body = reply.json()
    except ValueError:
        return Problem(texts()["unreachable"])
    masked = body.get("sandlab_masked") or {}
    text = (body.get("choices") or [{}])[0].get("message", {}).get("content") or ""
    return Answer(text.strip(), model, masked, notes_for(model, masked))
