"""The notebooks written in the learner's home at each server start, in their language: the welcome
(with their path) and, when their cohort has one, the AI assistant's chat.

Each is rewritten only while the learner has not edited it (a digest of its cells is kept
in its metadata): a learner's own notes in it are never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

from sandlab.labs.notebook import notebook

NAME = "Welcome.ipynb"
ASSISTANT_NAME = "Assistant.ipynb"
INTRO = {
    "fr": "# Bienvenue dans votre bac à sable Sandlab\n\n"
          "- `~/data` : le jeu de données de l'entreprise (lecture seule)\n"
          "- `~` (ce dossier, `~/work` compris) : vos fichiers, conservés d'une session à l'autre\n"
          "- `~/labs` : vos labs\n\n"
          "**Vos labs** : menu *Nbgrader* > *Assignment List*, puis *Fetch* : le lab arrive dans `~/labs/`. "
          "Ouvrez-le et suivez-le cellule par cellule (Maj+Entrée), ou d'un coup avec *Exécution* > "
          "*Exécuter toutes les cellules*. Vous n'avez rien à programmer : vous lisez les résultats et "
          "répondez dans les cellules marquées ✏️. Quand vous avez terminé, *Submit* (vous pouvez remettre "
          "plusieurs fois, la dernière remise compte). Une fois le lab corrigé, *Fetch Feedback* puis "
          "*view feedback* affiche votre note et les commentaires.\n\n"
          "Ce bac à sable n'a pas d'accès à Internet.",
    "en": "# Welcome to your Sandlab sandbox\n\n"
          "- `~/data`: the company's dataset pack (read-only)\n"
          "- `~` (this folder, `~/work` included): your files, kept between sessions\n"
          "- `~/labs`: your labs\n\n"
          "**Your labs**: menu *Nbgrader* > *Assignment List*, then *Fetch*: the lab arrives in `~/labs/`. "
          "Open it and go through it cell by cell (Shift+Enter), or all at once with *Run* > *Run All Cells*. "
          "There is nothing to program: you read the results and answer in the cells marked ✏️. When you "
          "are done, *Submit* (you may hand in several times; the last one counts). Once the lab is graded, "
          "*Fetch Feedback* then *view feedback* shows your score and comments.\n\n"
          "This sandbox has no internet access.",
}
ASSISTANT_INTRO = {
    "fr": "# Assistant IA\n\n"
          "Exécutez la cellule ci-dessous (Maj+Entrée) : une conversation avec l'assistant de votre formation "
          "s'ouvre. Il fonctionne dans le bac à sable : ce que vous lui écrivez ne part pas sur Internet, et les "
          "données personnelles sont masquées avant l'envoi au modèle.\n\n"
          "L'assistant par défaut est un **petit modèle** : il se trompe souvent. Vérifiez chaque chiffre et "
          "chaque fait avant de vous en servir ; c'est l'un des savoir-faire de cette formation.\n\n"
          "Dans un notebook, une ligne suffit aussi : `from sandlab.assistant.ask import ask` puis "
          "`ask(\"votre demande\")`.",
    "en": "# AI assistant\n\n"
          "Run the cell below (Shift+Enter): a conversation with your training's assistant opens. It runs in "
          "the sandbox: what you write does not go to the internet, and personal data are masked before "
          "anything reaches the model.\n\n"
          "The default assistant is a **small model**: it is often wrong. Check every figure and every fact "
          "before you use it; that is one of the skills this training teaches.\n\n"
          "In a notebook, one line also works: `from sandlab.assistant.ask import ask` then "
          "`ask(\"your request\")`.",
}
CHAT = {"fr": "# La conversation : exécutez cette cellule (Maj+Entrée)",
        "en": "# The conversation: run this cell (Shift+Enter)"}
REFRESH = {"fr": "# Votre parcours à jour : exécutez cette cellule (Maj+Entrée)",
           "en": "# Your path, up to date: run this cell (Shift+Enter)"}


def _digest(cells: list) -> str:
    return hashlib.sha256(json.dumps([cell.source for cell in cells]).encode()).hexdigest()


def welcome_notebook(language: str, path: str) -> nbformat.NotebookNode:
    """The welcome notebook: how the sandbox works, the learner's path, a cell that refreshes it."""
    language = language if language in INTRO else "en"
    cells = [new_markdown_cell(INTRO[language]), new_markdown_cell(path),
             new_code_cell(f"{REFRESH[language]}\nfrom sandlab.labs.path import show_path\n\nshow_path()")]
    document = notebook(cells, language)
    document.metadata["sandlab"]["welcome_digest"] = _digest(cells)
    return document


def assistant_notebook(language: str) -> nbformat.NotebookNode:
    """The assistant's notebook: what it is (a small model: check it), and the chat."""
    language = language if language in ASSISTANT_INTRO else "en"
    cells = [new_markdown_cell(ASSISTANT_INTRO[language]),
             new_code_cell(f"{CHAT[language]}\nfrom sandlab.assistant.chat import chat\n\nchat()")]
    document = notebook(cells, language)
    document.metadata["sandlab"]["welcome_digest"] = _digest(cells)
    return document


def write_welcome(home: Path, language: str, path: str) -> bool:
    """Write ``home``/Welcome.ipynb unless the learner edited it; whether it was written."""
    return write_unless_edited(home / NAME, welcome_notebook(language, path))


def write_assistant(home: Path, language: str) -> bool:
    """Write ``home``/Assistant.ipynb unless the learner edited it; whether it was written."""
    return write_unless_edited(home / ASSISTANT_NAME, assistant_notebook(language))


def write_unless_edited(target: Path, document: nbformat.NotebookNode) -> bool:
    if target.exists():
        try:
            current = nbformat.read(target, as_version=4)
            kept = current.metadata.get("sandlab", {}).get("welcome_digest")
        except Exception:  # noqa: BLE001 - an unreadable file is the learner's: leave it
            return False
        if kept != _digest(current.cells):
            return False
    partial = target.with_name(f".{target.name}.partial")
    nbformat.write(document, partial)
    os.replace(partial, target)
    return True
