"""The learner's path and welcome notebook, in each language, and a learner's edits kept."""

from __future__ import annotations

import nbformat
import pytest

from sandlab.labs.path import render, steps_of
from sandlab.labs.welcome import NAME, welcome_notebook, write_welcome

STATUSES = [{"lab": "l01-what-ai-is", "status": "graded"}, {"lab": "l02-data-quality", "status": "submitted"},
            {"lab": "l03-bias-fairness", "status": "available"}, {"lab": "l06-churn-scores", "status": "waiting"}]


@pytest.mark.parametrize(("language", "next_word", "first_title"), [
    ("fr", "suivant", "Ce qu'est l'IA"), ("en", "next", "What AI is")])
def test_the_path_shows_titles_durations_done_and_next_in_the_learner_s_language(language, next_word, first_title):
    steps = steps_of(STATUSES, language)
    assert [s.level for s in steps] == [1, 1, 1, 2] and all(s.minutes for s in steps)
    text = render(steps, language)
    assert steps[0].title.startswith(first_title) and steps[0].title in text
    [upcoming] = [line for line in text.splitlines() if next_word in line and "|" in line]
    assert "l03-bias-fairness" in upcoming
    left = steps[2].minutes + steps[3].minutes
    assert f"2 {'lab(s) sur' if language == 'fr' else 'of'} 4" in text and f"{left} min" in text


def test_an_unknown_lab_or_no_answer_still_renders():
    assert "l99-gone" in render(steps_of([{"lab": "l99-gone", "status": "available"}], "en"), "en")
    assert "not available right now" in render(None, "en")
    assert "pas disponible" in render(None, "fr")
    everything = render(steps_of([{"lab": "l01-what-ai-is", "status": "submitted"}], "fr"), "fr")
    assert "Tout est remis" in everything


def test_the_welcome_is_rewritten_until_the_learner_edits_it(tmp_path):
    assert write_welcome(tmp_path, "fr", "## Votre parcours\n\nA")
    first = nbformat.read(tmp_path / NAME, as_version=4)
    assert first.cells[0].source.startswith("# Bienvenue") and first.cells[1].source.endswith("A")
    first.cells[2].outputs = [nbformat.v4.new_output("stream", text="ran")]  # running the cell is not editing
    nbformat.write(first, tmp_path / NAME)
    assert write_welcome(tmp_path, "fr", "## Votre parcours\n\nB")
    again = nbformat.read(tmp_path / NAME, as_version=4)
    assert again.cells[1].source.endswith("B")
    again.cells.append(nbformat.v4.new_markdown_cell("mes notes"))
    nbformat.write(again, tmp_path / NAME)
    assert not write_welcome(tmp_path, "fr", "## Votre parcours\n\nC")
    assert nbformat.read(tmp_path / NAME, as_version=4).cells[-1].source == "mes notes"
    (tmp_path / NAME).write_text("not a notebook")
    assert not write_welcome(tmp_path, "fr", "x") and (tmp_path / NAME).read_text() == "not a notebook"
    assert not list(tmp_path.glob(".*partial"))


def test_the_english_welcome_is_english():
    notebook = welcome_notebook("en", "## Your path")
    assert notebook.cells[0].source.startswith("# Welcome to your Sandlab sandbox")
    assert "Run All Cells" in notebook.cells[0].source and "show_path()" in notebook.cells[2].source
    nbformat.validate(notebook)


def test_the_assistant_notebook_says_the_model_is_small_and_opens_the_chat(tmp_path):
    from sandlab.labs.welcome import ASSISTANT_NAME, write_assistant

    assert write_assistant(tmp_path, "fr")
    written = nbformat.read(tmp_path / ASSISTANT_NAME, as_version=4)
    assert "petit modèle" in written.cells[0].source and "chat()" in written.cells[1].source
    written.cells.append(nbformat.v4.new_markdown_cell("mes notes"))
    nbformat.write(written, tmp_path / ASSISTANT_NAME)
    assert not write_assistant(tmp_path, "en")  # the learner's notes are kept
    assert "mes notes" in (tmp_path / ASSISTANT_NAME).read_text()
