"""The end-of-lab survey a learner answers in JupyterLab: untrusted input, validated here once."""

from __future__ import annotations

import unicodedata

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sandlab.framework import LAB_ID, Language

MAX_COMMENT = 1000
MAX_IDEA = 500
MAX_MINUTES_SAVED = 2400  # a 40-hour week


def clean_text(text: str) -> str:
    """Keep what a person types (letters, punctuation, newlines, tabs); drop control and
    format characters that could hide text or break a terminal or a CSV reader."""
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return kept.strip()


class SurveyAnswer(BaseModel):
    """One learner's answer for one lab. Rating 1 (not at all) to 5 (very)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lab: str = Field(pattern=LAB_ID)
    clarity: int = Field(ge=1, le=5, description="How clear the lab was.")
    usefulness: int = Field(ge=1, le=5, description="How useful it is for my job.")
    comment: str = Field("", max_length=MAX_COMMENT)
    idea: str = Field("", max_length=MAX_IDEA, description="An AI use case for my job.")
    minutes_saved_per_week: int | None = Field(None, ge=0, le=MAX_MINUTES_SAVED,
                                               description="Time the idea would save, per week.")
    language: Language = "fr"

    @field_validator("comment", "idea")
    @classmethod
    def _clean(cls, text: str) -> str:
        return clean_text(text)


SURVEY_INTRO = {
    "fr": "## Votre avis\n\nQuelques secondes : ce lab était-il clair, utile pour votre métier ? Avez-vous une idée "
          "d'usage de l'IA dans votre travail ? Exécutez la cellule ci-dessous ; vous pourrez changer votre réponse.",
    "en": "## Your opinion\n\nA few seconds: was this lab clear, useful for your job? Do you have an idea for using AI "
          "in your work? Run the cell below; you can change your answer later.",
}


def with_survey(notebook: bytes, lab: str, language: str) -> bytes:
    """A lab's student version with the end-of-lab survey as its last cells (added at release,
    so no lab source carries it and grading, which rebuilds from the source, never runs it)."""
    import nbformat

    document = nbformat.reads(notebook.decode("utf-8"), as_version=4)
    if any(cell.get("metadata", {}).get("sandlab", {}).get("survey") for cell in document.cells):
        return notebook
    marker = {"sandlab": {"survey": True}}
    document.cells += [nbformat.v4.new_markdown_cell(SURVEY_INTRO[language], metadata=marker),
                       nbformat.v4.new_code_cell(f'from sandlab.kpis.survey_widget import survey\nsurvey("{lab}")',
                                                 metadata=marker)]
    return nbformat.writes(document).encode("utf-8")
