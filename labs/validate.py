"""`sandlab labs validate`: prove that a lab grades what it claims, with real nbgrader.

For each language of a lab, in a throw-away nbgrader course: generate the student
version; autograde three submissions, the solution (must score the maximum on every
autograded task), the blank student version (must score less than the maximum on
every autograded task: a test that always passes is caught), and the plausible wrong
answer kept beside the lab (must score less than the maximum). The solution's run is
timed against the limit. Results per lab and per task.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import yaml

from sandlab.grading.course import TIME_LIMIT_S, Course
from sandlab.labs.answers import no_code_problems
from sandlab.labs.notebook import graded_cells
from sandlab.labs.paths import (
    ANSWERS_ENV,
    DATA_ENV,
    WORK_ENV,
    notebook_name,
    source_notebook,
    spec_file,
    wrong_notebook,
)
from sandlab.labs.spec import LabSpec
from sandlab.specfile import SpecError, line_of, load_spec

SUBMISSIONS = ("solution", "blank", "wrong")


@dataclass
class TaskResult:
    task: str
    max_score: float
    solution: float | None
    blank: float | None
    wrong: float | None
    manual: bool

    @property
    def problems(self) -> list[str]:
        if self.manual:
            return []
        found = []
        if self.solution is None or self.solution < self.max_score:
            found.append(f"{self.task}: the solution scores {self.solution} of {self.max_score}")
        if self.blank is not None and self.blank >= self.max_score:
            found.append(f"{self.task}: the blank notebook already scores full marks (a test that always passes)")
        return found


@dataclass
class LanguageResult:
    language: str
    tasks: list[TaskResult] = field(default_factory=list)
    solution_seconds: float | None = None
    totals: dict[str, float | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass
class LabResult:
    lab_id: str
    languages: list[LanguageResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems and all(not lang.problems for lang in self.languages)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["passed"] = self.passed
        return data


def objective_problems(spec: LabSpec, root: Path | None = None) -> list[str]:
    """The objectives of lab.yaml against the source notebooks, as ``lab.yaml:line: field: what (fix)``:
    each task an objective names is a graded cell (grade id) of every language's notebook, and each
    graded cell is named by at least one objective, so the per-objective scores account for every point.
    A missing or unreadable notebook is left to the per-language checks."""
    path = spec_file(spec.id, root)
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        node = None
    graded: dict[str, dict[str, int]] = {}  # notebook name -> grade id -> cell number
    for language in spec.languages:
        source = source_notebook(spec.id, language, root)
        try:
            graded[source.name] = graded_cells(nbformat.read(source, as_version=4))
        except Exception:  # noqa: BLE001 - missing or invalid: _validate_language reports it
            continue
    problems = []

    def refuse(loc: tuple, message: str) -> None:
        problems.append(f"{path}:{line_of(node, loc)}: {'.'.join(map(str, loc))}: {message}")

    for index, objective in enumerate(spec.objectives):
        for position, task in enumerate(objective.tasks):
            lacking = [name for name, cells in graded.items() if task not in cells]
            if lacking:
                known = sorted({grade for name in lacking for grade in graded[name]})
                refuse(("objectives", index, "tasks", position),
                       f"no graded cell '{task}' in {', '.join(lacking)} (graded cells there: "
                       f"{', '.join(known) or 'none'}); name one of those, or give that cell this grade id in "
                       "every language")
    named = {task for objective in spec.objectives for task in objective.tasks}
    seen = set()
    for name, cells in graded.items():
        for task, number in cells.items():
            if task not in named and task not in seen:
                seen.add(task)
                refuse(("objectives",), f"graded cell '{task}' (cell {number} of {name}) is named by no "
                                        "objective, so its points are missing from the skill scores; add it to "
                                        "the tasks of the objective it assesses")
    return problems


def _validate_language(spec: LabSpec, language: str, root: Path | None, work: Path) -> LanguageResult:
    result = LanguageResult(language)
    name = notebook_name(spec.id, language)
    source = source_notebook(spec.id, language, root)
    if not source.is_file():
        result.problems.append(f"missing source notebook {source.name}")
        return result
    try:
        nbformat.validate(nbformat.read(source, as_version=4))
    except Exception as error:  # noqa: BLE001 - nbformat raises several kinds
        result.problems.append(f"{source.name}: not a valid notebook ({error})")
        return result
    if spec.mode == "no-code":
        for kept in (source, wrong_notebook(spec.id, language, root)):
            if kept.is_file():
                result.problems += no_code_problems(nbformat.read(kept, as_version=4), kept.name if kept == source
                                                    else f"wrong/{kept.name}")
    course = Course(work / language, course_id="sandlab-validate")
    course.add_source(spec.id, {name: source})
    problem = course.generate(spec.id, spec.mode, language)
    if problem:
        result.problems.append(problem)
        return result
    files = {"solution": source, "blank": course.release_dir(spec.id) / name,
             "wrong": wrong_notebook(spec.id, language, root)}
    if not files["wrong"].is_file():
        result.problems.append(f"no plausible wrong answer kept as wrong/{name}")
    scores: dict[str, dict[str, float | None]] = {}
    max_scores, manual = {}, set()
    for who in SUBMISSIONS:
        if not files[who].is_file():
            continue
        course.submit(spec.id, who, {name: files[who].read_bytes()})
        start = time.perf_counter()
        problem = course.autograde(spec.id, who)
        if who == "solution":
            result.solution_seconds = round(time.perf_counter() - start, 1)
        if problem:
            result.problems.append(problem)
        graded = course.scores(spec.id, who)
        if graded is None:
            continue
        result.totals[who] = sum(task.score or 0 for task in graded)
        for task in graded:
            scores.setdefault(task.task, {})[who] = task.score
            max_scores[task.task] = task.max_score
            if task.manual:
                manual.add(task.task)
    for task, by in scores.items():
        result.tasks.append(TaskResult(task, max_scores[task], by.get("solution"), by.get("blank"), by.get("wrong"),
                                       task in manual))
    autograded = [t for t in result.tasks if not t.manual]
    if not autograded:
        result.problems.append("no autograded task")
    for task in result.tasks:
        result.problems += task.problems
    maximum = sum(t.max_score for t in autograded)
    wrong_auto = sum(t.wrong or 0 for t in autograded)
    if files["wrong"].is_file() and autograded and wrong_auto >= maximum:
        result.problems.append("the plausible wrong answer scores full marks on the autograded tasks")
    if result.solution_seconds is not None and result.solution_seconds > TIME_LIMIT_S:
        result.problems.append(f"the solution takes {result.solution_seconds} s (limit {TIME_LIMIT_S} s)")
    return result


def validate_lab(lab_id: str, pack: Path, root: Path | None = None, *, languages: list[str] | None = None,
                 first_failure: bool = False) -> LabResult:
    """Validate one lab against a dataset pack (its public/ and answers/): in ``languages`` only (default:
    the lab's), and stopping at the first language that fails when ``first_failure`` (a refusal needs one)."""
    result = LabResult(lab_id)
    try:
        spec = load_spec(spec_file(lab_id, root), LabSpec)
    except SpecError as error:
        result.problems.append(f"lab.yaml: {error}")
        return result
    if spec.id != lab_id:
        result.problems.append(f"lab.yaml: id '{spec.id}' differs from the folder name '{lab_id}'")
    result.problems += objective_problems(spec, root)
    with tempfile.TemporaryDirectory(prefix="sandlab-validate-") as tmp, warnings.catch_warnings():
        environment = {DATA_ENV: str(Path(pack) / "public"), ANSWERS_ENV: str(Path(pack) / "answers"),
                       WORK_ENV: str(Path(tmp) / "work")}
        saved = {k: os.environ.get(k) for k in environment}
        os.environ.update(environment)
        logging.getLogger("traitlets").setLevel(logging.ERROR)
        warnings.simplefilter("ignore")
        try:
            for language in [lang for lang in spec.languages if not languages or lang in languages]:
                result.languages.append(_validate_language(spec, language, root, Path(tmp)))
                if first_failure and not result.passed:
                    break
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    return result


def result_from_dict(data: dict) -> LabResult:
    """A LabResult back from its ``as_dict()`` form (validation run inside the lab image)."""
    languages = [LanguageResult(lang["language"], [TaskResult(**task) for task in lang["tasks"]],
                                lang["solution_seconds"], lang["totals"], lang["problems"])
                 for lang in data["languages"]]
    return LabResult(data["lab_id"], languages, data["problems"])


def main(argv: list[str] | None = None) -> int:
    """`python -m sandlab.labs.validate --pack PACK LAB...`: JSON results on stdout (used inside the lab image)."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m sandlab.labs.validate")
    parser.add_argument("--pack", type=Path, required=True)
    parser.add_argument("--root", type=Path, default=None, help="Catalogue folder [default: the installed one].")
    parser.add_argument("--language", action="append", help="Only this language (repeatable).")
    parser.add_argument("labs", nargs="+")
    args = parser.parse_args(argv)
    results = [validate_lab(lab_id, args.pack, args.root, languages=args.language) for lab_id in args.labs]
    print(json.dumps([result.as_dict() for result in results], ensure_ascii=False))
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
