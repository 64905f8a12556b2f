"""The learner's welcome notebook, written in their language at each server start with their path.

It is rewritten only while the learner has not edited it (a digest of its cells is kept
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


def write_welcome(home: Path, language: str, path: str) -> bool:
    """Write ``home``/Welcome.ipynb unless the learner edited it; whether it was written."""
    target = home / NAME
    if target.exists():
        try:
            current = nbformat.read(target, as_version=4)
            kept = current.metadata.get("sandlab", {}).get("welcome_digest")
        except Exception:  # noqa: BLE001 - an unreadable file is the learner's: leave it
            return False
        if kept != _digest(current.cells):
            return False
    partial = target.with_name(f".{NAME}.partial")
    nbformat.write(welcome_notebook(language, path), partial)
    os.replace(partial, target)
    return True
