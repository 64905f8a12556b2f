"""An nbgrader course directory and the few nbgrader steps Sandlab uses on it.

The lab validator and grading share this: generate the student version, autograde (by
executing, for trusted notebooks only), record a notebook already executed in a sandbox
(nbgrader scores it from its outputs, without running anything), feedback, and scores
read back from the gradebook.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

COURSE_ID = "sandlab"
TIME_LIMIT_S = 300
NO_CODE_STUB = {"python": ""}  # a no-code answer cell keeps its `name = None` line for the learner to fill
TEXT_STUB = {"fr": "Votre réponse ici.", "en": "Your answer here."}  # a written answer, in the notebook's language


def code_stub(mode: str) -> dict[str, str] | None:
    """What replaces the solution in the student version: nothing in a no-code lab (nbgrader's
    `raise NotImplementedError()` would stop a learner's Run All), nbgrader's own stub in a code lab."""
    return NO_CODE_STUB if mode == "no-code" else None


@dataclass(frozen=True)
class TaskScore:
    task: str
    score: float | None
    max_score: float
    manual: bool  # a written answer: the trainer grades it
    notebook: str = ""  # the notebook's name, without .ipynb


def record_only_config(config) -> None:
    """nbgrader's autograde without executing anything: the outputs came from a grading sandbox,
    nbgrader scores them. Also the trainers' formgrader setting: its Autograde button must never
    run a learner's code in a trainer's server."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        DeduplicateIds,
        IgnorePattern,
        LimitOutput,
        OverwriteCells,
        OverwriteKernelspec,
        SaveAutoGrades,
    )

    config.Autograde.sanitize_preprocessors = [DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata]
    config.Autograde.autograde_preprocessors = [IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
                                                AssignLatePenalties, CheckCellMetadata]


class Course:
    """nbgrader's layout under ``root``: source/, release/, submitted/, autograded/, feedback/, gradebook.db."""

    def __init__(self, root: Path, course_id: str = COURSE_ID, timeout: int = TIME_LIMIT_S):
        self.root, self.course_id, self.timeout = Path(root), course_id, timeout

    def api(self, *, record_only: bool = False, mode: str = "code", language: str | None = None):
        from nbgrader.apps import NbGraderAPI
        from traitlets.config import Config

        config = Config()
        config.CourseDirectory.root = str(self.root)
        config.CourseDirectory.course_id = self.course_id
        config.Exchange.root = str(self.root / "exchange")
        config.ExecutePreprocessor.timeout = self.timeout
        if record_only:
            record_only_config(config)
        if code_stub(mode):
            config.ClearSolutions.code_stub = code_stub(mode)
        if language in TEXT_STUB:
            config.ClearSolutions.text_stub = TEXT_STUB[language]
        return NbGraderAPI(config=config)

    def source_dir(self, lab: str) -> Path:
        return self.root / "source" / lab

    def release_dir(self, lab: str) -> Path:
        return self.root / "release" / lab

    def submitted_dir(self, lab: str, student: str) -> Path:
        return self.root / "submitted" / student / lab

    def feedback_dir(self, lab: str, student: str) -> Path:
        return self.root / "feedback" / student / lab

    def add_source(self, lab: str, notebooks: dict[str, Path]) -> None:
        folder = self.source_dir(lab)
        folder.mkdir(parents=True, exist_ok=True)
        for name, path in notebooks.items():
            shutil.copy(path, folder / name)

    def generate(self, lab: str, mode: str = "code", language: str | None = None) -> str | None:
        """The student version under release/ (stubs for the lab's mode and language); the failure, if any,
        as one line."""
        return run(lambda: self.api(mode=mode, language=language).generate_assignment(lab, force=True, create=True),
                   "generating the student version")

    def submit(self, lab: str, student: str, notebooks: dict[str, str | bytes], timestamp: str | None = None) -> None:
        folder = self.submitted_dir(lab, student)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for name, content in notebooks.items():
            (folder / name).write_bytes(content.encode() if isinstance(content, str) else content)
        if timestamp:
            (folder / "timestamp.txt").write_text(timestamp)

    def autograde(self, lab: str, student: str) -> str | None:
        """Execute and grade on this machine: only for trusted notebooks (a lab's own solution)."""
        return run(lambda: self.api().autograde(lab, student, force=True, create=True), f"autograding {student}")

    def record(self, lab: str, student: str) -> str | None:
        """Grade a submission executed in a sandbox from its outputs; nothing is run here."""
        return run(lambda: self.api(record_only=True).autograde(lab, student, force=True, create=True),
                   f"recording {student}")

    def feedback(self, lab: str, student: str) -> str | None:
        return run(lambda: self.api().generate_feedback(lab, student, force=True), f"feedback for {student}")

    def scores(self, lab: str, student: str) -> list[TaskScore] | None:
        """Per task, from the gradebook; None when the submission is not graded."""
        from nbgrader.api import Gradebook

        with _nbgrader_calls(), Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gradebook:
            try:
                submission = gradebook.find_submission(lab, student)
            except Exception:  # noqa: BLE001 - nbgrader's MissingEntry: not graded
                return None
            return [TaskScore(grade.name, grade.score, grade.max_score,
                              grade.auto_score is None or grade.cell.cell_type == "markdown", notebook.name)
                    for notebook in submission.notebooks for grade in notebook.grades]


@contextlib.contextmanager
def _nbgrader_calls():
    """nbgrader runs `alembic` from PATH: make this interpreter's scripts visible; and keep its
    SQLAlchemy warnings (about its own session handling) out of the user's terminal."""
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), saved])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        os.environ["PATH"] = saved


def run(call, what: str) -> str | None:
    """Run an nbgrader API call; its failure, if any, as one line."""
    with _nbgrader_calls():
        result = call()
    if result.get("success"):
        return None
    log = (result.get("log") or "") + (result.get("error") or "")
    causes = [line.strip() for line in log.splitlines()
              if re.search(r"\w+(Error|Exception):", line) and "NbGraderException" not in line]
    return f"{what} failed: " + (" | ".join(dict.fromkeys(causes[-3:])) or log.strip().splitlines()[-1])
