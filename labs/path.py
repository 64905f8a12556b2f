"""A learner's path: their labs in order, with durations and where each stands, in their language.

The exchange knows the plan and the status of each lab (``api/path``); the lab image keeps
every lab's lab.yaml (never its notebooks) for titles, levels and durations.
"""

from __future__ import annotations

import json
import os
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from sandlab import framework
from sandlab.labs.paths import spec_file
from sandlab.labs.spec import LabSpec
from sandlab.specfile import SpecError, load_spec

DONE = ("submitted", "graded")  # of the exchange's statuses: waiting, available, submitted, graded
LABELS = {
    "fr": {"waiting": "pas encore ouvert", "available": "à faire", "submitted": "remis ✔",
           "graded": "corrigé ✔", "next": "**→ suivant**", "lab": "Lab", "level": "Niveau", "minutes": "Durée",
           "status": "Où vous en êtes", "title": "Votre parcours",
           "summary": "{done} lab(s) sur {total} remis ; environ {left} min de travail restant.",
           "next_line": "**Ensuite** : {title} ({minutes} min). Ouvrez le menu *Nbgrader* > *Assignment List*, "
                        "puis *Fetch*.",
           "all_done": "**Tout est remis.** Bravo ! Les corrections arrivent dans *Fetch Feedback*.",
           "unknown": "Votre parcours n'est pas disponible pour le moment ; réessayez en exécutant la cellule "
                      "ci-dessous."},
    "en": {"waiting": "not open yet", "available": "to do", "submitted": "handed in ✔",
           "graded": "graded ✔", "next": "**→ next**", "lab": "Lab", "level": "Level", "minutes": "Time",
           "status": "Where you are", "title": "Your path",
           "summary": "{done} of {total} lab(s) handed in; about {left} min of work left.",
           "next_line": "**Next**: {title} ({minutes} min). Open the menu *Nbgrader* > *Assignment List*, "
                        "then *Fetch*.",
           "all_done": "**Everything is handed in.** Well done! Grades arrive in *Fetch Feedback*.",
           "unknown": "Your path is not available right now; try again by running the cell below."},
}


@dataclass(frozen=True)
class Step:
    lab: str
    status: str
    title: str
    level: int | None
    minutes: int | None


def steps_of(statuses: list[dict], language: str, root: Path | None = None) -> list[Step]:
    """The exchange's ``steps`` with each lab's title (in ``language``), level and duration."""
    steps = []
    for item in statuses:
        lab, status = str(item["lab"]), str(item["status"])
        try:
            spec = load_spec(spec_file(lab, root), LabSpec)
        except (SpecError, OSError):
            steps.append(Step(lab, status, lab, None, None))
            continue
        title = (spec.title.en if language == "en" else None) or spec.title.fr
        steps.append(Step(lab, status, title, spec.level, spec.duration_minutes))
    return steps


def render(steps: list[Step] | None, language: str) -> str:
    """The path as Markdown: a table, what is done, what is next."""
    words = LABELS.get(language, LABELS["en"])
    if steps is None:
        return f"## {words['title']}\n\n{words['unknown']}"
    upcoming = next((s for s in steps if s.status == "available"), None)
    rows = [f"| {words['lab']} | {words['level']} | {words['minutes']} | {words['status']} |", "|---|---|---|---|"]
    for step in steps:
        status = words["next"] if step is upcoming else words.get(step.status, step.status)
        rows.append(f"| {step.title} (`{step.lab}`) | {step.level or '-'} | {step.minutes or '-'} min | {status} |")
    done = sum(1 for s in steps if s.status in DONE)
    left = sum(s.minutes or 0 for s in steps if s.status not in DONE)
    lines = [f"## {words['title']}", "", words["summary"].format(done=done, total=len(steps), left=left), "",
             *rows, ""]
    if upcoming:
        lines.append(words["next_line"].format(title=upcoming.title, minutes=upcoming.minutes or "-"))
    elif steps and done == len(steps):
        lines.append(words["all_done"])
    return "\n".join(lines)


def fetch_path(url: str | None = None, token: str | None = None, timeout: float = 3.0) -> list[dict] | None:
    """The learner's steps from the exchange (their own token), or None if it cannot answer now."""
    url = url or os.environ.get("SANDLAB_EXCHANGE_URL")
    token = token or os.environ.get("JUPYTERHUB_API_TOKEN")
    if not url or not token:
        return None
    request = urllib.request.Request(url.rstrip("/") + "/api/path", headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - the exchange's own URL
            steps = json.loads(answer.read())["steps"]
    except (OSError, ValueError, KeyError):
        return None
    return steps if isinstance(steps, list) else None


def learner_language() -> str:
    """The learner's language (English where the environment says nothing we know)."""
    return framework.learner_language("en")


def path_markdown(language: str | None = None) -> str:
    """The learner's path now, as Markdown in their language."""
    language = language or learner_language()
    statuses = fetch_path()
    return render(None if statuses is None else steps_of(statuses, language), language)


def show_path() -> None:
    """Display the path in a notebook (the welcome notebook's cell)."""
    from IPython.display import Markdown, display

    display(Markdown(path_markdown()))
