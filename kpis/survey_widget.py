"""The end-of-lab survey, in the lab's own notebook: ``from sandlab.kpis.survey_widget import survey; survey()``.

A form in the learner's language ($SANDLAB_LANGUAGE, French by default), checked here with SurveyAnswer
(the learner sees what to fix) and saved by the hub's KPI service with the server's own token; answering
again replaces the answer. Outside a learner's server (the autograder runs every cell) it says so in one
line and does nothing else.
"""

from __future__ import annotations

import html
import json
import os
import re

import ipywidgets as widgets
from IPython.display import display
from pydantic import ValidationError

from sandlab.framework import LAB_ID, Language, learner_language
from sandlab.kpis.kernel_activity import Service, call, lab_of, service
from sandlab.kpis.survey import MAX_COMMENT, MAX_IDEA, MAX_MINUTES_SAVED, SurveyAnswer

TEXTS: dict[Language, dict[str, str]] = {
    "fr": {
        "title": "Votre avis sur ce lab",
        "intro": "Quelques questions, deux minutes. Vos réponses aident à améliorer la formation.",
        "already": "Vous avez déjà répondu : vos réponses sont ci-dessous. Vous pouvez les modifier et les envoyer "
                   "à nouveau.",
        "clarity": "Ce lab était-il clair ?",
        "usefulness": "Est-il utile pour votre métier ?",
        "scale": "1 = pas du tout, 5 = tout à fait",
        "comment": f"Un commentaire ? (facultatif, {MAX_COMMENT} caractères au plus)",
        "idea": f"Une idée d'utilisation de l'IA dans votre métier ? (facultatif, {MAX_IDEA} caractères au plus)",
        "minutes": "Combien de minutes par semaine cette idée vous ferait-elle gagner ? (facultatif : laissez 0 "
                   "si vous ne savez pas)",
        "send": "Envoyer",
        "saved": "Merci, votre réponse est enregistrée. Vous pouvez la modifier à tout moment.",
        "fix": "Votre réponse n'est pas encore envoyée. À corriger :",
        "fix_clarity": "choisissez une note de 1 à 5 pour « Ce lab était-il clair ? »",
        "fix_usefulness": "choisissez une note de 1 à 5 pour « Est-il utile pour votre métier ? »",
        "fix_comment": f"raccourcissez votre commentaire ({MAX_COMMENT} caractères au plus)",
        "fix_idea": f"raccourcissez votre idée ({MAX_IDEA} caractères au plus)",
        "fix_minutes_saved_per_week": f"indiquez un nombre de minutes entre 0 et {MAX_MINUTES_SAVED}",
        "refused": "Votre réponse n'a pas été enregistrée : le service l'a refusée ({error}). Vérifiez vos réponses "
                   "ou prévenez votre formateur.",
        "failed": "Votre réponse n'a pas été enregistrée (erreur {status} du service). Réessayez dans une minute ; "
                  "si cela continue, prévenez votre formateur.",
        "unreachable": "Le service des enquêtes ne répond pas pour le moment. Vos réponses restent dans le "
                       "formulaire : réessayez dans une minute avec « Envoyer ».",
        "outside": "L'enquête de fin de lab n'est disponible que dans l'environnement de formation.",
        "no_lab": "Cette enquête se remplit depuis le notebook d'un lab (dans le dossier labs).",
    },
    "en": {
        "title": "Your feedback on this lab",
        "intro": "A few questions, two minutes. Your answers help improve the training.",
        "already": "You have already answered: your answers are below. You can change them and send them again.",
        "clarity": "Was this lab clear?",
        "usefulness": "Is it useful for your job?",
        "scale": "1 = not at all, 5 = very much",
        "comment": f"Any comment? (optional, at most {MAX_COMMENT} characters)",
        "idea": f"An idea for using AI in your job? (optional, at most {MAX_IDEA} characters)",
        "minutes": "How many minutes a week would this idea save you? (optional: leave 0 if you don't know)",
        "send": "Send",
        "saved": "Thank you, your answer is saved. You can change it at any time.",
        "fix": "Your answer is not sent yet. Please fix:",
        "fix_clarity": "choose a rating from 1 to 5 for “Was this lab clear?”",
        "fix_usefulness": "choose a rating from 1 to 5 for “Is it useful for your job?”",
        "fix_comment": f"shorten your comment (at most {MAX_COMMENT} characters)",
        "fix_idea": f"shorten your idea (at most {MAX_IDEA} characters)",
        "fix_minutes_saved_per_week": f"enter a number of minutes between 0 and {MAX_MINUTES_SAVED}",
        "refused": "Your answer was not saved: the service refused it ({error}). Check your answers or tell your "
                   "trainer.",
        "failed": "Your answer was not saved (error {status} from the service). Try again in a minute; if it keeps "
                  "happening, tell your trainer.",
        "unreachable": "The survey service is not answering right now. Your answers are still in the form: try "
                       "again in a minute with “Send”.",
        "outside": "The end-of-lab survey is only available in the training sandbox.",
        "no_lab": "This survey is filled in from a lab's notebook (in the labs folder).",
    },
}
GOOD, BAD = "#1a7f37", "#b42318"


def language() -> Language:
    return learner_language("fr")


def _rating() -> widgets.ToggleButtons:
    return widgets.ToggleButtons(options=[(str(n), n) for n in range(1, 6)], value=None,
                                 style={"button_width": "3em"})


class SurveyForm:
    """The survey's widgets for one lab; ``box`` is what the notebook shows."""

    def __init__(self, lab: str, where: Service, lang: Language) -> None:
        self.lab, self.where, self.lang, self.text = lab, where, lang, TEXTS[lang]
        t = self.text
        self.note = widgets.HTML(self._paragraph(t["intro"]))
        self.clarity, self.usefulness = _rating(), _rating()
        self.comment = widgets.Textarea(rows=3, layout={"width": "100%"})
        self.idea = widgets.Textarea(rows=3, layout={"width": "100%"})
        self.minutes = widgets.BoundedIntText(value=0, min=0, max=MAX_MINUTES_SAVED, step=5, layout={"width": "8em"})
        self.button = widgets.Button(description=t["send"], button_style="primary", icon="paper-plane")
        self.button.on_click(self.send)
        self.status = widgets.HTML()
        scale = f"<small>{html.escape(t['scale'])}</small>"
        self.box = widgets.VBox([
            widgets.HTML(f"<h3>{html.escape(t['title'])} <small>({html.escape(lab)})</small></h3>"), self.note,
            self._label(t["clarity"], scale), self.clarity,
            self._label(t["usefulness"], scale), self.usefulness,
            self._label(t["comment"]), self.comment,
            self._label(t["idea"]), self.idea,
            self._label(t["minutes"]), self.minutes,
            self.button, self.status,
        ])

    @staticmethod
    def _paragraph(text: str, color: str = "") -> str:
        style = f' style="color: {color}"' if color else ""
        return f"<p{style}>{html.escape(text, quote=False)}</p>"

    @staticmethod
    def _label(text: str, extra: str = "") -> widgets.HTML:
        return widgets.HTML(f"<b>{html.escape(text, quote=False)}</b> {extra}".strip())

    def _say(self, text: str, color: str) -> None:
        self.status.value = self._paragraph(text, color)

    def prefill(self) -> bool:
        """Show the learner's saved answer, if any (True); a service out of reach leaves the form empty."""
        try:
            status, body = call(self.where, "GET", f"api/surveys/{self.lab}")
            if status != 200:
                return False
            data = json.loads(body)
            answer = SurveyAnswer.model_validate({k: v for k, v in data.items() if k in SurveyAnswer.model_fields})
        except Exception:
            return False
        self.clarity.value, self.usefulness.value = answer.clarity, answer.usefulness
        self.comment.value, self.idea.value = answer.comment, answer.idea
        self.minutes.value = answer.minutes_saved_per_week or 0
        self.note.value = self._paragraph(self.text["already"])
        return True

    def answer(self) -> SurveyAnswer:
        """The form as a SurveyAnswer; 0 minutes saved means "not given". Raises ValidationError."""
        return SurveyAnswer(lab=self.lab, clarity=self.clarity.value, usefulness=self.usefulness.value,
                            comment=self.comment.value, idea=self.idea.value,
                            minutes_saved_per_week=self.minutes.value or None, language=self.lang)

    def _fixes(self, error: ValidationError) -> str:
        fixes = []
        for problem in error.errors():
            field = str(problem["loc"][0]) if problem["loc"] else ""
            fix = self.text.get(f"fix_{field}", f"{field}: {problem['msg']}")
            if fix not in fixes:
                fixes.append(fix)
        return " ".join([self.text["fix"], "; ".join(fixes) + "."])

    def send(self, _button: widgets.Button | None = None) -> None:
        """Check the answer, then save it; every outcome is one message under the button."""
        t = self.text
        try:
            answer = self.answer()
        except ValidationError as error:
            self._say(self._fixes(error), BAD)
            return
        self.button.disabled = True
        try:
            status, body = call(self.where, "PUT", f"api/surveys/{self.lab}", answer.model_dump())
        except Exception:
            self._say(t["unreachable"], BAD)
            return
        finally:
            self.button.disabled = False
        if status == 200:
            self._say(t["saved"], GOOD)
        elif 400 <= status < 500 and status not in (408, 429):  # malformed, or a lab not in the learner's plan
            self._say(t["refused"].format(error=_error_of(body)), BAD)
        else:
            self._say(t["failed"].format(status=status), BAD)


def _error_of(body: bytes) -> str:
    try:
        return str(json.loads(body)["error"])[:300]
    except Exception:
        return body.decode("utf-8", "replace")[:300] or "?"


def survey(lab: str | None = None) -> None:
    """Show the end-of-lab survey of ``lab`` (by default, the lab of this notebook)."""
    lang = language()
    where = service()
    if where is None:
        print(TEXTS[lang]["outside"])
        return
    lab = lab or lab_of(os.environ.get("JPY_SESSION_NAME"))
    if lab is None or not re.match(LAB_ID, lab):
        print(TEXTS[lang]["no_lab"])
        return
    form = SurveyForm(lab, where, lang)
    form.prefill()
    display(form.box)
