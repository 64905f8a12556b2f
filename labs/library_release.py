"""Giving a cohort one library version of a lab: the same rule whether a trainer or IT does it."""

from __future__ import annotations

from sandlab.grading.exchange.store import ExchangeStore
from sandlab.hub.state import AppliedCohort
from sandlab.labs.library import LabLibrary, LabRefused, LabVersion


def release_to_cohort(library: LabLibrary, store: ExchangeStore, entry: AppliedCohort, lab: str,
                      version: int | None, by: str) -> tuple[LabVersion, list[dict]]:
    """Give a cohort's learners one version of a lab, in each language they need; learners who
    started the previous one keep their work (the new one is fetched beside it)."""
    chosen = library.version(lab, version)
    languages = sorted({plan.language for plan in entry.learners.values() if lab in plan.labs})
    if not languages:
        raise LabRefused(f"{lab} is in no learner's plan of cohort {entry.cohort.name}: IT adds it to the "
                         "cohort's `labs:` and applies the cohort")
    missing = [language for language in languages if language not in chosen.languages]
    if missing:
        raise LabRefused(f"{lab} version {chosen.version} has no {', '.join(missing)} notebook, which learners "
                         f"of cohort {entry.cohort.name} need")
    released = []
    for language in languages:
        record = store.put_release(entry.cohort.name, lab, language,
                                   library.student_files(lab, chosen.version, language))
        released.append({"language": language, "release": record.version})
    library.record_release(entry.cohort.name, lab, chosen.version, by)
    return chosen, released
