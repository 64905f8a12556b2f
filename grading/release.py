"""Release a cohort's labs: nbgrader's student version of each lab, in each language its
learners need, stored in the exchange (on the hub's state) where learners fetch it.

The student version is made on IT's machine from the catalogue (nothing is executed); the
store is written by the hub image on its state volume, as everything of the hub's state
is. Solutions and hidden tests never leave IT's machine.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sandlab.cohort import LearnerPlan
from sandlab.grading.exchange import wire
from sandlab.grading.student import NotGenerated, student_version
from sandlab.hub.platform import Instance, PlatformError, run_on_state


@dataclass(frozen=True)
class Released:
    lab: str
    language: str
    version: str
    learners: int


def needed(plans: dict[str, LearnerPlan], labs: Iterable[str] | None = None) -> dict[tuple[str, str], int]:
    """(lab, language) -> how many learners get it (of ``labs`` only, when given)."""
    chosen = None if labs is None else set(labs)
    counts: dict[tuple[str, str], int] = {}
    for plan in plans.values():
        for lab in plan.labs:
            if chosen is None or lab in chosen:
                counts[(lab, plan.language)] = counts.get((lab, plan.language), 0) + 1
    return counts


def store_release(instance: Instance, cohort: str, lab: str, language: str, files: dict[str, bytes]) -> str:
    """Write one release into the exchange through the hub image; its version."""
    payload = json.dumps(wire.encode(files))
    done = run_on_state(instance, "python", "-m", "sandlab.grading.exchange.admin", "put-release", cohort, lab,
                        language, stdin=payload)
    if done.returncode != 0:
        raise PlatformError(f"storing lab {lab} ({language}) for cohort {cohort}: "
                            f"{(done.stderr.strip().splitlines() or ['no message'])[-1]}")
    return json.loads(done.stdout)["version"]


def release_cohort(instance: Instance, cohort: str, plans: dict[str, LearnerPlan], labs: Iterable[str] | None = None,
                   on_lab: Callable[[str, str, int, int], None] = lambda lab, language, done, total: None
                   ) -> list[Released]:
    """Release every (lab, language) the cohort's learners need (or only ``labs``)."""
    wanted = needed(plans, labs)
    released = []
    for done, ((lab, language), learners) in enumerate(sorted(wanted.items())):
        on_lab(lab, language, done, len(wanted))
        try:
            files = student_version(lab, language)
        except NotGenerated as error:
            raise PlatformError(str(error)) from None
        version = store_release(instance, cohort, lab, language, files)
        released.append(Released(lab, language, version, learners))
    return released
