"""Which labs each learner of a cohort gets, in which language: resolved against the catalogue
(and the lab library's labs the cohort file names, trainers' own: sandlab.labs.library_host).

Resolved when IT applies the cohort, so a lab the catalogue lacks, or lacks in a learner's
language, is refused then (file, line, fix) and the hub only ever reads a checked plan.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from sandlab.cohort import Cohort, LearnerPlan
from sandlab.labs.spec import LabSpec
from sandlab.specfile import SpecError, line_of


def plan_learners(cohort: Cohort, catalogue: list[LabSpec], source: Path | None = None,
                  library: list[LabSpec] = ()) -> dict[str, LearnerPlan]:
    """Every learner's plan; SpecError naming the cohort file's line for each lab that cannot be given.
    ``library`` labs (trainers' own) are given only where the cohort file names them."""
    labs = {lab.id: lab for lab in [*catalogue, *library]}
    node = yaml.compose(Path(source).read_text(encoding="utf-8")) if source and Path(source).is_file() else None
    where = str(source or f"cohort {cohort.name}")
    problems = []

    def refuse(loc: tuple, message: str) -> None:
        problems.append(f"{where}:{line_of(node, loc)}: {'.'.join(map(str, loc))}: {message}")

    for persona, chosen in cohort.labs.by_persona.items():
        for index, lab_id in enumerate(chosen):
            if lab_id not in labs:
                refuse(("labs", "by_persona", persona, index),
                       f"no lab '{lab_id}' in the catalogue nor the lab library (see `sandlab labs list --persona "
                       f"{persona}` and `sandlab library list`)")
    for lab_id in cohort.labs.due:
        if lab_id not in labs:
            refuse(("labs", "due", lab_id), f"no lab '{lab_id}' in the catalogue nor the lab library; remove its "
                                            "due date")
    plans: dict[str, LearnerPlan] = {}
    for index, member in enumerate(cohort.members):
        if member.role != "learner":
            continue
        language = cohort.language_of(member)
        if member.persona in cohort.labs.by_persona:
            chosen = [lab_id for lab_id in cohort.labs.by_persona[member.persona] if lab_id in labs]
        else:
            chosen = [lab.id for lab in catalogue
                      if member.persona in lab.personas and lab.level <= cohort.labs.up_to_level]
        missing = [lab_id for lab_id in chosen if language not in labs[lab_id].languages]
        if missing:
            loc = ("members", index, "language") if member.language else ("language",)
            refuse(loc, f"{member.name} ({member.persona}) would get {', '.join(missing)}, which exist only in "
                        f"{', '.join(labs[missing[0]].languages)}: choose another language for {member.name} or "
                        "name the labs under labs.by_persona")
        plans[member.name] = LearnerPlan(language=language, labs=chosen)
    if problems:
        raise SpecError("\n".join(problems))
    return plans
