"""The trainers' publishing desk: the lab library's commands as buttons, in a notebook of their workspace.

Most trainers do not use a terminal. ``~/publish.ipynb`` (made at the workspace's start) runs
``from sandlab.labs.publish_desk import desk; desk()``: choose a lab of ``~/labs``, then publish
it (the platform validates it first), give its latest version to the cohort, or write what the
earlier waves found hard next to its source. The same calls as `sandlab labs publish|release|
feedback`, with the trainer's own token; outside a trainer's workspace it says so and does nothing.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import ipywidgets as widgets
from IPython.display import display

from sandlab.framework import Language, learner_language
from sandlab.labs import library_client
from sandlab.labs.library_client import LibraryError
from sandlab.labs.paths import lab_ids
from sandlab.labs.workspace import COHORT_ENV, LABS_ROOT_ENV

TEXTS: dict[Language, dict[str, str]] = {
    "fr": {
        "title": "Publier mes labs",
        "intro": "Choisissez un lab de votre bibliothèque (dossier labs). « Publier » l'envoie à la bibliothèque de "
                 "la plateforme, qui le valide d'abord (une à deux minutes) ; « Donner à ma cohorte » met sa "
                 "dernière version dans l'onglet Assignments de vos apprenants ; « Retours des vagues » écrit, "
                 "à côté du lab, ce que les cohortes précédentes y ont trouvé difficile.",
        "lab": "Lab",
        "publish": "Publier",
        "release": "Donner à ma cohorte",
        "feedback": "Retours des vagues",
        "working": "Validation de {lab} dans un bac à sable de la plateforme, puis publication…",
        "published": "{lab} est publié : version {version}. Donnez-la à votre cohorte quand vous le souhaitez.",
        "unchanged": "{lab} n'a pas changé depuis la version {version} : rien de nouveau à publier.",
        "refused": "{lab} n'est pas publié. À corriger :",
        "released": "{lab}, version {version}, est donné à la cohorte {cohort} ({languages}). Les apprenants qui "
                    "l'avaient commencé gardent leur travail.",
        "feedback_saved": "Écrit dans {path} : ouvrez-le à côté des notebooks du lab.",
        "no_wave": "Aucune de vos cohortes n'a encore eu {lab}.",
        "failed": "La bibliothèque a refusé : {error}",
        "no_cohort": "Votre espace ne connaît pas votre cohorte : demandez à l'IT.",
        "no_lab": "Votre dossier labs ne contient aucun lab.",
        "outside": "Le bureau de publication n'est disponible que dans l'espace d'un formateur.",
    },
    "en": {
        "title": "Publish my labs",
        "intro": "Choose a lab of your library (the labs folder). “Publish” sends it to the platform's library, "
                 "which validates it first (a minute or two); “Give to my cohort” puts its latest version in "
                 "your learners' Assignments tab; “Feedback from the waves” writes, next to the lab, what the "
                 "earlier cohorts found hard in it.",
        "lab": "Lab",
        "publish": "Publish",
        "release": "Give to my cohort",
        "feedback": "Feedback from the waves",
        "working": "Validating {lab} in a sandbox of the platform, then publishing…",
        "published": "{lab} is published: version {version}. Give it to your cohort whenever you wish.",
        "unchanged": "{lab} has not changed since version {version}: nothing new to publish.",
        "refused": "{lab} is not published. To fix:",
        "released": "{lab} version {version} is given to cohort {cohort} ({languages}). Learners who had started "
                    "it keep their work.",
        "feedback_saved": "Written to {path}: open it beside the lab's notebooks.",
        "no_wave": "None of your cohorts has had {lab} yet.",
        "failed": "The library refused: {error}",
        "no_cohort": "Your workspace does not know your cohort: ask IT.",
        "no_lab": "Your labs folder holds no lab.",
        "outside": "The publishing desk is only available in a trainer's workspace.",
    },
}
GOOD, BAD, BUSY = "#1a7f37", "#b42318", "#616e7c"


def _paragraph(text: str, color: str = "", items: list[str] | None = None) -> str:
    style = f' style="color: {color}"' if color else ""
    listed = "".join(f"<li>{html.escape(item, quote=False)}</li>" for item in items or [])
    return f"<p{style}>{html.escape(text, quote=False)}</p>" + (f"<ul>{listed}</ul>" if listed else "")


class PublishDesk:
    """The desk's widgets over a trainer's library ``root``; ``box`` is what the notebook shows."""

    def __init__(self, root: Path, cohort: str | None, lang: Language) -> None:
        self.root, self.cohort, self.text = root, cohort, TEXTS[lang]
        t = self.text
        self.lab = widgets.Dropdown(options=lab_ids(root), description=t["lab"], layout={"width": "32em"})
        self.buttons = {name: widgets.Button(description=t[name], button_style=style, icon=icon,
                                             layout={"width": "auto"})
                        for name, style, icon in (("publish", "primary", "upload"), ("release", "", "share"),
                                                  ("feedback", "", "table"))}
        for name, action in (("publish", self.publish), ("release", self.release), ("feedback", self.feedback)):
            self.buttons[name].on_click(action)
        self.status = widgets.HTML()
        self.box = widgets.VBox([widgets.HTML(f"<h3>{html.escape(t['title'])}</h3>"),
                                 widgets.HTML(_paragraph(t["intro"])), self.lab,
                                 widgets.HBox(list(self.buttons.values())), self.status])

    def say(self, text: str, color: str, items: list[str] | None = None) -> None:
        self.status.value = _paragraph(text, color, items)

    def _busy(self, busy: bool) -> None:
        for button in self.buttons.values():
            button.disabled = busy

    def publish(self, _button: widgets.Button | None = None) -> None:
        lab, t = self.lab.value, self.text
        if not lab:
            return self.say(t["no_lab"], BAD)
        self.say(t["working"].format(lab=lab), BUSY)
        self._busy(True)
        try:
            version = library_client.publish(self.root / lab)
        except LibraryError as error:
            if error.problems:
                return self.say(t["refused"].format(lab=lab), BAD, error.problems)
            return self.say(t["failed"].format(error=error), BAD)
        finally:
            self._busy(False)
        said = "published" if version.get("added") else "unchanged"
        self.say(t[said].format(lab=lab, version=version["version"]), GOOD)

    def release(self, _button: widgets.Button | None = None) -> None:
        lab, t = self.lab.value, self.text
        if not self.cohort:
            return self.say(t["no_cohort"], BAD)
        try:
            done = library_client.release(self.cohort, lab)
        except LibraryError as error:
            return self.say(t["failed"].format(error=error), BAD)
        languages = ", ".join(item["language"] for item in done["languages"])
        self.say(t["released"].format(lab=lab, version=done["version"], cohort=done["cohort"], languages=languages),
                 GOOD)

    def feedback(self, _button: widgets.Button | None = None) -> None:
        lab, t = self.lab.value, self.text
        try:
            waves = library_client.feedback(lab)
        except LibraryError as error:
            return self.say(t["failed"].format(error=error), BAD)
        if not waves:
            return self.say(t["no_wave"].format(lab=lab), GOOD)
        saved = library_client.save_feedback(self.root / lab, waves)
        self.say(t["feedback_saved"].format(path=f"{self.root.name}/{lab}/{saved.name}" if saved else lab), GOOD)


def desk() -> None:
    """Show the publishing desk over the trainer's library."""
    lang = learner_language("fr")
    root = os.environ.get(LABS_ROOT_ENV)
    if not (root and os.environ.get(library_client.URL_ENV)):
        print(TEXTS[lang]["outside"])
        return
    display(PublishDesk(Path(root), os.environ.get(COHORT_ENV), lang).box)
