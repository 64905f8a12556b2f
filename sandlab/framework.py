"""The training framework every stage speaks: four personas, four levels (see DESIGN.md)."""

from __future__ import annotations

import os
from typing import Literal

Persona = Literal["leaders", "technical", "business", "support"]
Language = Literal["fr", "en"]  # everything a learner reads exists in both
LANGUAGES: tuple[Language, ...] = ("fr", "en")
LAB_ID = r"^l\d{2}-[a-z0-9-]+$"  # l<NN>-<slug>, a lab's folder name
PERSONAS: tuple[Persona, ...] = ("leaders", "technical", "business", "support")


def learner_language(default: Language) -> Language:
    """The learner's language as the spawner sets it ($SANDLAB_LANGUAGE); ``default`` where it says
    nothing we know (outside a learner's server: validation, grading)."""
    chosen = os.environ.get("SANDLAB_LANGUAGE", "")
    return chosen if chosen in LANGUAGES else default


LEVELS = {1: "AI literacy", 2: "tool mastery", 3: "business application", 4: "technical expertise"}
DEFAULT_PASS_MARK = 0.5  # share of a lab's autograded points a learner needs to pass it, unless the lab says
