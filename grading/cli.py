"""`sandlab grading`: the course loop from the host (release, check; collect and autograde follow)."""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from sandlab.console import console, fail
from sandlab.engine import NoEngine, client
from sandlab.images.names import LAB_IMAGE
from sandlab.labs.paths import lab_ids

app = typer.Typer(help="Release labs, grade submissions in a sandbox, feedback and gradebook.", no_args_is_help=True)


@app.command()
def release(
    cohort_file: Annotated[Path, typer.Argument(help="The cohort's YAML file (as applied).")],
    lab: Annotated[list[str] | None, typer.Option("--lab", help="Only these labs [default: every lab of the "
                                                  "cohort's plan].")] = None,
    instance: Annotated[str, typer.Option(help="Prefix of the hub's containers and volumes.")] = "sandlab",
    as_json: Annotated[bool, typer.Option("--json", help="Print what was released as JSON.")] = False,
) -> None:
    """Release the cohort's labs to each learner, in their language, in the Assignments tab.

    Each learner gets nbgrader's student version of the labs of their persona. Releasing
    again never overwrites a notebook a learner has edited: the new version goes beside it.

    Example:

        sandlab grading release hub/cohorts/demo.yaml
        sandlab grading release hub/cohorts/demo.yaml --lab l08-assistant-requests
    """
    from sandlab.grading.release import needed, release_cohort
    from sandlab.hub.platform import Instance, PlatformError
    from sandlab.specfile import SpecError

    try:
        cohort, plans = _cohort_and_plans(cohort_file, instance)
        planned = {key[0] for key in needed(plans)}
        unknown = sorted(set(lab or []) - planned)
        if unknown:
            fail(f"{', '.join(unknown)}: not in the plan of any learner of cohort {cohort.name}; "
                 "see `labs:` in the cohort file")
        from_library = sorted(planned - set(lab_ids()))  # trainers' own labs: released by version
        asked = sorted(set(lab or []) & set(from_library))
        if asked:
            fail(f"{', '.join(asked)}: a library lab, released by version: "
                 f"`sandlab library release {cohort.name} {asked[0]}`")
        lab = lab or sorted(planned - set(from_library))
        with Progress(console=console) as progress:
            task = progress.add_task("releasing", total=None)

            def on_lab(lab_id: str, language: str, done: int, total: int) -> None:
                progress.update(task, description=f"{lab_id} ({language})", completed=done, total=total)

            done = [asdict(row) for row in release_cohort(Instance(instance), cohort.name, plans, lab, on_lab)]
    except (SpecError, PlatformError, NoEngine) as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(done, indent=2))
        return
    table = Table("lab", "language", "version", "learners", title=f"released to cohort {cohort.name}")
    for row in done:
        table.add_row(row["lab"], row["language"], row["version"], str(row["learners"]))
    console.print(table)
    for found in from_library:
        console.print(f"{found} is a library lab: `sandlab library release {cohort.name} {found}` gives it",
                      highlight=False)


@app.command()
def check(
    lab: Annotated[str, typer.Argument(help="The lab id, e.g. l01-what-ai-is.")],
    notebook: Annotated[Path, typer.Argument(help="The notebook to grade (a learner's file, or one of yours).")],
    pack: Annotated[Path | None, typer.Option(help="Dataset pack with its answers/ [default: a small one made "
                                              "now].")] = None,
    language: Annotated[str | None, typer.Option(help="fr or en [default: from the file name or notebook].")] = None,
    image: Annotated[str, typer.Option(help="The lab image to grade in.")] = LAB_IMAGE,
    memory: Annotated[str, typer.Option(help="Memory limit of the sandbox (swap included).")] = "2G",
    cell_timeout: Annotated[int, typer.Option(min=1, help="Seconds a cell may run.")] = 60,
    deadline: Annotated[int, typer.Option(min=10, help="Seconds the whole notebook may run.")] = 600,
    feedback: Annotated[Path | None, typer.Option(help="Write nbgrader's HTML feedback here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Grade one notebook exactly as autograde does: same sandbox, same limits, same findings.

    Example:

        sandlab grading check l01-what-ai-is l01-what-ai-is.fr.ipynb --feedback feedback.html
    """
    from sandlab.cohort import Limits
    from sandlab.grading.check import check_notebook
    from sandlab.grading.exchange.names import ExchangeRefused

    if lab not in lab_ids():
        fail(f"unknown lab '{lab}': see `sandlab labs list`")
    if not notebook.is_file():
        fail(f"{notebook}: no such file")
    if language not in (None, "fr", "en"):
        fail(f"--language {language}: use fr or en")
    try:
        limits = Limits(memory=memory)
    except ValueError:
        fail(f"--memory {memory}: write it as 512M or 2G")
    try:
        engine = client()
        with tempfile.TemporaryDirectory(prefix="sandlab-pack-") as tmp:
            if pack is None:
                from sandlab.datasets import GenerationSpec, generate_pack, load_profile

                pack = Path(tmp) / "pack"
                with console.status("generating a small dataset pack (fr-mid-size, 300 employees, seed 7)"):
                    generate_pack(GenerationSpec(load_profile("fr-mid-size"), "fr_FR", 7, 300), pack)
            with console.status(f"grading {notebook.name} in a sandbox"):
                graded = check_notebook(engine, image, lab, notebook, pack.resolve(), limits.hardening(),
                                        language=language, cell_timeout=cell_timeout, deadline=deadline)
    except (NoEngine, FileNotFoundError, ExchangeRefused) as error:
        fail(str(error))
    if feedback is not None and graded.feedback:
        feedback.write_text(next(iter(graded.feedback.values())), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(graded.as_dict(), ensure_ascii=False, indent=2))
        return
    table = Table("task", "score", "max", title=f"{lab}: {graded.score:g} / {graded.max_score:g}")
    for task in graded.tasks:
        shown = "to grade" if task.manual and task.score is None else f"{task.score or 0:g}"
        table.add_row(task.task, shown, f"{task.max_score:g}")
    console.print(table)
    for finding in graded.findings:
        console.print(f"[yellow]finding[/]: {finding}", soft_wrap=True)


CohortFile = Annotated[Path, typer.Argument(help="The cohort's YAML file (as applied).")]
InstanceName = Annotated[str, typer.Option("--instance", help="Prefix of the hub's containers and volumes.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _cohort_and_plans(cohort_file: Path, instance: str):
    """The cohort and its learners' plans, which may name the library's labs (trainers' own)."""
    from sandlab.cohort import load_cohort
    from sandlab.grading.plan import plan_learners
    from sandlab.hub.platform import Instance
    from sandlab.labs.catalogue import load_catalogue
    from sandlab.labs.library_host import library_labs

    cohort, catalogue = load_cohort(cohort_file), load_catalogue()
    return cohort, plan_learners(cohort, catalogue, cohort_file,
                                 library_labs(client(), Instance(instance), cohort, catalogue))


def _errors():
    from sandlab.hub.platform import PlatformError
    from sandlab.specfile import SpecError

    return (SpecError, PlatformError, NoEngine)


@app.command()
def collect(cohort_file: CohortFile, instance: InstanceName = "sandlab", as_json: AsJson = False) -> None:
    """Take each learner's last submission of each lab into the cohort's course.

    The course (nbgrader's, with the gradebook) is kept in the hub's state. Run it again at
    any time: only new submissions are taken.

    Example:

        sandlab grading collect hub/cohorts/demo.yaml
    """
    from sandlab.grading.cohort_grading import collect as collect_cohort
    from sandlab.hub.platform import Instance

    try:
        cohort, plans = _cohort_and_plans(cohort_file, instance)
        with console.status(f"collecting the submissions of cohort {cohort.name}"):
            found = collect_cohort(client(), Instance(instance), cohort, plans)
    except _errors() as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    table = Table("learner", "lab", "submitted at", "attempts", "new", title=f"collected in cohort {cohort.name}")
    for row in found["collected"]:
        table.add_row(row["user"], row["lab"], row["timestamp"], str(row["attempts"]), "yes" if row["new"] else "")
    console.print(table)
    for problem in found["problems"]:
        console.print(f"[red]problem[/]: {problem}", soft_wrap=True)


@app.command()
def autograde(
    cohort_file: CohortFile,
    lab: Annotated[list[str] | None, typer.Option("--lab", help="Only these labs.")] = None,
    jobs: Annotated[int | None, typer.Option(min=1, help="Sandboxes at once [default: the machine's cores].")] = None,
    again: Annotated[bool, typer.Option(help="Grade again what is graded already.")] = False,
    batch: Annotated[int, typer.Option(min=1, help="Record results every this many gradings (a killed run "
                                       "loses at most these).")] = 8,
    cell_timeout: Annotated[int, typer.Option(min=1, help="Seconds a cell may run.")] = 60,
    deadline: Annotated[int, typer.Option(min=10, help="Seconds a notebook may run.")] = 600,
    instance: InstanceName = "sandlab",
    as_json: AsJson = False,
) -> None:
    """Autograde every collected submission, each in its own sandbox, several at once.

    A sandbox has no network, the cohort's limits and the pack's answers read-only.
    Interrupted, a re-run grades the rest.

    Example:

        sandlab grading autograde hub/cohorts/demo.yaml --jobs 2
    """
    from sandlab.grading.cohort_grading import autograde as autograde_cohort
    from sandlab.hub.platform import Instance

    try:
        cohort, plans = _cohort_and_plans(cohort_file, instance)
        with Progress(console=console) as progress:
            task = progress.add_task(f"autograding cohort {cohort.name}", total=None)
            report = autograde_cohort(client(), Instance(instance), cohort, plans, labs=lab, jobs=jobs, again=again,
                                      cell_timeout=cell_timeout, deadline=deadline, batch_size=batch,
                                      on_done=lambda done, total: progress.update(task, completed=done, total=total))
    except _errors() as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(asdict(report), indent=2))
        return
    console.print(f"{len(report.graded)} submission(s) graded")
    for problem in report.problems:
        console.print(f"[red]problem[/]: {problem}", soft_wrap=True)


@app.command()
def feedback(
    cohort_file: CohortFile,
    again: Annotated[bool, typer.Option(help="Make and publish feedback again.")] = False,
    instance: InstanceName = "sandlab",
    as_json: AsJson = False,
) -> None:
    """Publish nbgrader's HTML feedback of each graded submission to its learner.

    Each learner fetches their own from the Assignments tab. A page holding the pack's
    hidden answers is withheld and shown to the trainer as a finding.

    Example:

        sandlab grading feedback hub/cohorts/demo.yaml
    """
    from sandlab.grading.cohort_grading import feedback as feedback_cohort
    from sandlab.hub.platform import Instance

    try:
        cohort, _ = _cohort_and_plans(cohort_file, instance)
        with console.status(f"feedback for cohort {cohort.name}"):
            done = feedback_cohort(client(), Instance(instance), cohort, again=again)
    except _errors() as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(done, indent=2))
        return
    console.print(f"{len(done['published'])} feedback page(s) published, {len(done['withheld'])} withheld")
    for problem in done["problems"]:
        console.print(f"[red]problem[/]: {problem}", soft_wrap=True)


@app.command()
def gradebook(
    cohort_file: CohortFile,
    instance: InstanceName = "sandlab",
    as_json: AsJson = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
) -> None:
    """Per learner, lab and task: score, maximum, submitted at, attempts, late, findings.

    Example:

        sandlab grading gradebook hub/cohorts/demo.yaml --csv > gradebook.csv
    """
    import csv
    import sys

    from sandlab.grading.cohort_grading import gradebook as read_gradebook
    from sandlab.hub.platform import Instance

    try:
        cohort, _ = _cohort_and_plans(cohort_file, instance)
        rows = read_gradebook(Instance(instance), cohort)
    except _errors() as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    columns = ["user", "lab", "task", "score", "max_score", "manual", "submitted_at", "attempts", "late", "feedback",
               "findings"]
    if as_csv:
        writer = csv.DictWriter(sys.stdout, columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "findings": " | ".join(row["findings"])})
        return
    table = Table("learner", "lab", "task", "score", "submitted", "attempts", "late", "feedback",
                  title=f"gradebook of cohort {cohort.name}")
    for row in rows:
        if row["score"] is None:
            score = "to grade" if row["manual"] else "not graded"
        else:
            score = f"{row['score']:g} / {row['max_score']:g}"
        table.add_row(row["user"], row["lab"], row["task"] or "", score, row["submitted_at"][:16].replace("T", " "),
                      str(row["attempts"]), "late" if row["late"] else "", row["feedback"] or "")
    console.print(table)
    for row in {(r["user"], r["lab"]): r for r in rows if r["findings"]}.values():
        for finding in row["findings"]:
            console.print(f"[yellow]{row['user']}/{row['lab']}[/]: {finding}", soft_wrap=True)
