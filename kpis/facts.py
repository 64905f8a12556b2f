"""What the KPIs need to know of a cohort and its labs, taken when IT applies the cohort.

The plans are resolved against the catalogue at `sandlab hub apply`; the labs' titles,
objectives (with the tasks that assess them) and pass marks are taken from the same
catalogue at the same moment, so the KPIs describe the labs the learners actually got.
"""

from __future__ import annotations

from collections.abc import Iterable

from sandlab.kpis.store import CohortFacts, KpiStore, LabFacts, Objective, PlannedLab
from sandlab.labs.spec import LabSpec


def lab_facts(spec: LabSpec) -> LabFacts:
    return LabFacts(lab=spec.id, level=spec.level, title_fr=spec.title.fr, title_en=spec.title.en or spec.title.fr,
                    pass_mark=spec.pass_mark,
                    objectives=tuple(Objective(o.fr, o.en or o.fr, tuple(o.tasks)) for o in spec.objectives))


def planned_facts(catalogue: Iterable[LabSpec], planned: Iterable[str]) -> list[LabFacts]:
    """The facts of every planned lab the catalogue has (a test's own lab may not be in it)."""
    wanted = set(planned)
    return [lab_facts(spec) for spec in catalogue if spec.id in wanted]


def record_cohort(store: KpiStore, applied) -> None:
    """Store an AppliedCohort's dates, labs and plans in the KPI database."""
    cohort = applied.cohort
    personas = {member.name: member.persona or "" for member in cohort.members}
    facts = CohortFacts(cohort.name, cohort.title, cohort.dates.opens and cohort.dates.opens.isoformat(),
                        cohort.dates.ends and cohort.dates.ends.isoformat())
    planned = [PlannedLab(cohort.name, user, personas.get(user, ""), lab)
               for user, plan in applied.learners.items() for lab in plan.labs]
    store.put_cohort(facts, applied.lab_facts, planned)
