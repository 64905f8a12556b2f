"""A chat with the assistant inside JupyterLab: ``from sandlab.assistant.chat import chat; chat()``.

The Assistant notebook in each learner's home runs it (sandlab.labs.welcome): the conversation,
a box to write in, *Send* and *New conversation*, in the learner's language. The answer appears
as the model writes it (a stream from the gateway); what the gateway masked and the small
model's warning are said under it. The whole conversation is sent at each turn (the gateway
keeps nothing); a conversation too long for the model is refused with a clear sentence.
Widgets (ipywidgets) rather than a JupyterLab extension: nothing to build, and the lab image
already ships them for the end-of-lab survey.
"""

from __future__ import annotations

import html
import json
import time

import httpx
import ipywidgets as widgets
from IPython.display import display

from sandlab.assistant.ask import (
    REPETITION_PENALTY,
    TIMEOUT,
    Connection,
    Problem,
    connection,
    language,
    notes_for,
    refusal,
    texts,
)

MAX_ANSWER_TOKENS = 400
REDRAW_SECONDS = 0.15  # how often a streamed answer is redrawn: enough for the eye, few messages
TEXTS = {
    "fr": {"title": "Assistant IA", "placeholder": "Écrivez votre demande ici…", "send": "Envoyer",
           "new": "Nouvelle conversation", "you": "Vous", "assistant": "Assistant", "thinking": "L'assistant écrit…",
           "empty": "Écrivez d'abord une demande.",
           "intro": "Posez une question ou donnez une tâche à l'assistant. Ne lui confiez que ce que vous "
                    "pourriez montrer à un collègue : les données personnelles sont masquées avant l'envoi."},
    "en": {"title": "AI assistant", "placeholder": "Write your request here…", "send": "Send",
           "new": "New conversation", "you": "You", "assistant": "Assistant", "thinking": "The assistant is writing…",
           "empty": "Write a request first.",
           "intro": "Ask the assistant a question or give it a task. Only give it what you could show a "
                    "colleague: personal data are masked before anything is sent."},
}
BAD = "#b42318"
BUBBLE = "padding: 0.4em 0.8em; margin: 0.4em 0; border-radius: 0.6em; background: {}"
STYLES = {"user": BUBBLE.format("#e8f0fe"), "assistant": BUBBLE.format("#f2f2f2")}


def _masked(header: str | None) -> dict[str, int]:
    """The gateway's X-Sandlab-Masked header: ``EMAIL_ADDRESS=1,PERSON=2``."""
    found = {}
    for part in (header or "").split(","):
        kind, _, count = part.partition("=")
        if kind and count.isdigit():
            found[kind] = int(count)
    return found


def _paragraphs(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


class Chat:
    """One conversation's widgets; ``box`` is what the notebook shows."""

    def __init__(self, where: Connection | None) -> None:
        self.where, self.text = where, TEXTS[language()]
        self.messages: list[dict[str, str]] = []
        t = self.text
        self.history = widgets.HTML(self._intro())
        self.request = widgets.Textarea(placeholder=t["placeholder"], rows=3, layout={"width": "100%"})
        self.send_button = widgets.Button(description=t["send"], button_style="primary", icon="paper-plane")
        self.new_button = widgets.Button(description=t["new"], icon="eraser", layout={"width": "auto"})
        self.send_button.on_click(self.send)
        self.new_button.on_click(self.restart)
        self.status = widgets.HTML()
        self.box = widgets.VBox([widgets.HTML(f"<h3>{html.escape(t['title'])}</h3>"), self.history, self.request,
                                 widgets.HBox([self.send_button, self.new_button]), self.status],
                                layout={"max_width": "60em"})
        self.box.add_class("sandlab-chat")

    def _intro(self) -> str:
        return f"<p><i>{html.escape(self.text['intro'])}</i></p>"

    def render(self, answering: str | None = None, notes: list[str] | None = None) -> None:
        t = self.text
        parts = [self._intro()]
        for message in self.messages:
            who = t["you"] if message["role"] == "user" else t["assistant"]
            css = "sandlab-chat-you" if message["role"] == "user" else "sandlab-chat-answer"
            parts.append(f'<div class="{css}" style="{STYLES[message["role"]]}"><b>{who}</b><br>'
                         f'{_paragraphs(message["content"])}</div>')
        if answering is not None:
            parts.append(f'<div class="sandlab-chat-answer sandlab-chat-writing" style="{STYLES["assistant"]}">'
                         f'<b>{t["assistant"]}</b><br>{_paragraphs(answering) or html.escape(t["thinking"])}</div>')
        parts += [f"<p><small><i>{html.escape(note)}</i></small></p>" for note in notes or []]
        self.history.value = "\n".join(parts)

    def say(self, problem: Problem | str) -> None:
        self.status.value = f'<p style="color: {BAD}">{html.escape(str(problem))}</p>' if str(problem) else ""

    def restart(self, _button: widgets.Button | None = None) -> None:
        self.messages = []
        self.say("")
        self.render()

    def send(self, _button: widgets.Button | None = None) -> None:
        request = self.request.value.strip()
        if not request:
            self.say(self.text["empty"])
            return
        if self.where is None:
            self.say(Problem(texts()["absent"]))
            return
        self.say("")
        self.messages.append({"role": "user", "content": request})
        self.send_button.disabled = True
        try:
            answer, notes = self.stream()
        finally:
            self.send_button.disabled = False
        if answer is None:
            self.messages.pop()  # not answered: the request stays in the box, to send again
            self.render()
            return
        self.messages.append({"role": "assistant", "content": answer})
        self.request.value = ""
        self.render(notes=notes)

    def stream(self) -> tuple[str | None, list[str]]:
        """Post the conversation and show the answer as it comes; (None, []) after saying why not."""
        assert self.where is not None
        self.render(answering="")
        body = {"model": self.where.model, "messages": self.messages, "stream": True,
                "max_tokens": MAX_ANSWER_TOKENS, "temperature": 0.3, "frequency_penalty": REPETITION_PENALTY}
        pieces: list[str] = []
        try:
            with httpx.stream("POST", self.where.completions, json=body, headers=self.where.headers,
                              timeout=TIMEOUT) as reply:
                if reply.status_code != 200:
                    self.say(refusal(reply.status_code, reply.read(), reply.headers.get("Retry-After")))
                    return None, []
                masked = _masked(reply.headers.get("X-Sandlab-Masked"))
                drawn = time.monotonic()
                for line in reply.iter_lines():
                    pieces.append(_delta(line))
                    if time.monotonic() - drawn > REDRAW_SECONDS:
                        self.render(answering="".join(pieces))
                        drawn = time.monotonic()
        except httpx.HTTPError:
            self.say(Problem(texts()["unreachable"]))
            return None, []
        return "".join(pieces).strip(), notes_for(self.where.model, masked)


def _delta(line: str) -> str:
    """The text in one server-sent event of a chat-completions stream ('' for anything else)."""
    if not line.startswith("data:") or line.strip() == "data: [DONE]":
        return ""
    try:
        choices = json.loads(line[5:]).get("choices") or [{}]
    except ValueError:
        return ""
    return (choices[0].get("delta") or {}).get("content") or ""


def chat() -> None:
    """Show a chat with this learner's assistant."""
    display(Chat(connection()).box)
