"""nbgrader's student version of one lab in one language, as learners get it.

Made from a lab's source folder without executing anything: on IT's machine at release
(the catalogue), and in the publication sandbox (a trainer's lab), so it needs nbgrader
and nothing of the hub.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sandlab.grading.course import Course
from sandlab.kpis.survey import with_survey
from sandlab.labs.notebook import collapse_prepared_code
from sandlab.labs.paths import notebook_name, source_notebook, spec_file
from sandlab.labs.spec import LabSpec
from sandlab.specfile import load_spec


class NotGenerated(RuntimeError):
    """nbgrader could not make the student version; the message names the lab, language and cause."""


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
            raise NotGenerated(f"lab {lab} ({language}): {problem}")
        released = (course.release_dir(lab) / name).read_bytes()
        if mode == "no-code":
            released = collapse_prepared_code(released)
        return {name: with_survey(released, lab, language)}
