"""A lab's spec (lab.yaml): who it is for, at which level, what it teaches and reads."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sandlab.framework import DEFAULT_PASS_MARK, LAB_ID, LEVELS, PERSONAS, Language, Persona

__all__ = ["LEVELS", "PERSONAS", "LabSpec", "Language", "Objective", "Persona"]


CODE_PERSONAS = ["technical"]  # the only learners a lab may ask to write code (mode: code)


def mode_for(personas: list[str]) -> str:
    """The mode a lab for ``personas`` may have: code for programmers only, no-code for everyone else."""
    return "code" if personas == CODE_PERSONAS else "no-code"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Spec):
    """The same words in French and, where the lab exists in English, in English."""

    fr: str = Field(min_length=1)
    en: str | None = None


class Objective(Text):
    """What the lab teaches, and the graded tasks whose points measure it (a skill score per objective)."""

    tasks: list[str] = Field(default_factory=list, description=(
        "nbgrader grade ids (cell metadata nbgrader.grade_id) of the graded cells that assess it: autograder "
        "tests and manually graded answers. Every graded cell of the lab is named by at least one objective."))


class Reads(_Spec):
    tables: list[str] = Field(default_factory=list, description="Tables of the pack's public/ it reads.")
    texts: list[str] = Field(default_factory=list, description="Corpora of the pack's public/texts it reads.")
    answers: list[str] = Field(default_factory=list, description="answers/ tables its hidden tests read.")


class LabSpec(_Spec):
    id: str = Field(pattern=LAB_ID, description="l<NN>-<slug>, the folder's name.")
    title: Text
    summary: Text
    personas: list[Persona] = Field(min_length=1)
    level: int = Field(ge=1, le=4)
    duration_minutes: int = Field(ge=10, le=480)
    objectives: list[Objective] = Field(min_length=1)
    reads: Reads = Reads()
    prerequisites: list[str] = Field(default_factory=list)
    languages: list[Language] = Field(min_length=1)
    mode: Literal["no-code", "code"] = Field(description=(
        "no-code: the learner runs prepared cells and answers in answer cells of literals (`sandlab labs "
        "validate` enforces it); code: the learner writes code, for the technical persona only."))
    pass_mark: float = Field(DEFAULT_PASS_MARK, gt=0, le=1,
                             description="Share of the autograded points a learner needs to pass the lab.")

    @model_validator(mode="after")
    def _english_text_where_english(self) -> LabSpec:
        if "en" in self.languages:
            missing = [name for name in ("title", "summary") if getattr(self, name).en is None]
            missing += ["objectives"] if any(o.en is None for o in self.objectives) else []
            if missing:
                raise ValueError(f"the lab is offered in English but has no English {', '.join(missing)}")
        if self.mode == "code" and mode_for(self.personas) != "code":
            raise ValueError("mode: code asks learners to program, which only the technical persona does; "
                             "make the lab no-code (prepared cells, answer cells of literals) or give it "
                             "personas: [technical]")
        if not all(re.fullmatch(LAB_ID, p) for p in self.prerequisites):
            raise ValueError("prerequisites are lab ids such as l01-what-ai-is")
        return self
