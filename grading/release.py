"""Release a cohort's labs: nbgrader's student version of each lab, in each language its
learners need, stored in the exchange (on the hub's state) where learners fetch it.

The student version is made on IT's machine from the catalogue (nothing is executed); the
store is written by the hub image on its state volume, as everything of the hub's state
is. Solutions and hidden tests never leave IT's machine.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sandlab.cohort import LearnerPlan
from sandlab.grading.course import Course
from sandlab.grading.exchange import wire
from sandlab.hub.platform import Instance, PlatformError, run_on_state
from sandlab.kpis.survey import with_survey
from sandlab.labs.notebook import collapse_prepared_code
from sandlab.labs.paths import notebook_name, source_notebook, spec_file
from sandlab.labs.spec import LabSpec
from sandlab.specfile import load_spec


@dataclass(frozen=True)
class Released:
    lab: str
    language: str
    version: str
    learners: int


def needed(plans: dict[str, LearnerPlan], labs: Iterable[str] | None = None) -> dict[tuple[str, str], int]:
    """(lab, language) -> how many learners get it."""
    chosen = set(labs) if labs else None
    counts: dict[tuple[str, str], int] = {}
    for plan in plans.values():
        for lab in plan.labs:
            if chosen is None or lab in chosen:
                counts[(lab, plan.language)] = counts.get((lab, plan.language), 0) + 1
    return counts


def student_version(lab: str, language: str, root: Path | None = None) -> dict[str, bytes]:
    """nbgrader's generated release of one lab in one language (a no-code lab's prepared code collapsed),
    ending with the survey."""
    with tempfile.TemporaryDirectory(prefix="sandlab-release-") as work:
        course = Course(Path(work))
        name = notebook_name(lab, language)
        course.add_source(lab, {name: source_notebook(lab, language, root)})
        mode = load_spec(spec_file(lab, root), LabSpec).mode
        problem = course.generate(lab, mode, language)
        if problem:
            raise PlatformError(f"lab {lab} ({language}): {problem}")
        released = (course.release_dir(lab) / name).read_bytes()
        if mode == "no-code":
            released = collapse_prepared_code(released)
        return {name: with_survey(released, lab, language)}


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
        version = store_release(instance, cohort, lab, language, student_version(lab, language))
        released.append(Released(lab, language, version, learners))
    return released
