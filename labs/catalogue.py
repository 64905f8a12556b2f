"""The catalogue: every lab's spec, filtered, and the persona x level matrix."""

from __future__ import annotations

from pathlib import Path

from sandlab.labs.paths import lab_ids, spec_file
from sandlab.labs.spec import LEVELS, PERSONAS, LabSpec
from sandlab.specfile import SpecError, load_spec


def load_catalogue(root: Path | None = None) -> list[LabSpec]:
    labs = []
    for lab_id in lab_ids(root):
        spec = load_spec(spec_file(lab_id, root), LabSpec)
        if spec.id != lab_id:
            raise SpecError(f"{spec_file(lab_id, root)}: id '{spec.id}' differs from the folder name '{lab_id}'")
        labs.append(spec)
    known = {lab.id for lab in labs}
    for lab in labs:
        missing = [p for p in lab.prerequisites if p not in known]
        if missing:
            raise SpecError(f"{spec_file(lab.id, root)}: prerequisites not in the catalogue: {', '.join(missing)}")
    return labs


def select(labs: list[LabSpec], persona: str | None = None, level: int | None = None) -> list[LabSpec]:
    return [lab for lab in labs if (persona is None or persona in lab.personas)
            and (level is None or lab.level == level)]


def matrix(labs: list[LabSpec]) -> dict[int, dict[str, list[str]]]:
    """level -> persona -> lab ids."""
    return {level: {p: [lab.id for lab in labs if lab.level == level and p in lab.personas] for p in PERSONAS}
            for level in LEVELS}


def catalogue_markdown(labs: list[LabSpec]) -> str:
    """The catalogue as the README's Markdown table: each lab's level, personas, mode and languages."""
    rows = ["| lab | title | level | personas | mode | languages | minutes |", "|---|---|---|---|---|---|---|"]
    rows += [f"| {lab.id} | {lab.title.en or lab.title.fr} | {lab.level} | {', '.join(lab.personas)} | {lab.mode} "
             f"| {', '.join(lab.languages)} | {lab.duration_minutes} |" for lab in labs]
    return "\n".join(rows)
