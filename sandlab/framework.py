"""The training framework every stage speaks: four personas, four levels (see DESIGN.md)."""

from __future__ import annotations

from typing import Literal

Persona = Literal["leaders", "technical", "business", "support"]
PERSONAS: tuple[Persona, ...] = ("leaders", "technical", "business", "support")
LEVELS = {1: "AI literacy", 2: "tool mastery", 3: "business application", 4: "technical expertise"}
