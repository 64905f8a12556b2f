"""`sandlab labs`: list the catalogue, scaffold a lab, validate labs with real nbgrader."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sandlab.console import console, fail
from sandlab.labs.catalogue import catalogue_markdown, load_catalogue, matrix, select
from sandlab.labs.paths import lab_ids
from sandlab.labs.spec import LEVELS, PERSONAS
from sandlab.labs.workspace import COHORT_ENV, LABS_ROOT_ENV, PACK_ENV
from sandlab.specfile import SpecError

app = typer.Typer(help="The lab catalogue and the trainers' tools.", no_args_is_help=True)
RootOption = Annotated[Path | None, typer.Option(envvar=LABS_ROOT_ENV, help="Catalogue folder (default: the installed "
                                                 "one; in a trainer's workspace, their library ~/labs).")]



@app.command("list")
def list_labs(
    persona: Annotated[str | None, typer.Option(help=f"One of {', '.join(PERSONAS)}.")] = None,
    level: Annotated[int | None, typer.Option(min=1, max=4, help="1 to 4.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_markdown: Annotated[bool, typer.Option("--markdown", help="Print the README's catalogue table.")] = False,
    root: RootOption = None,
) -> None:
    """The catalogue, filtered, and the persona x level matrix (in a trainer's workspace: their ~/labs).

    Example:

        sandlab labs list --persona support --level 3
        sandlab labs list --markdown
    """
    if persona and persona not in PERSONAS:
        fail(f"unknown persona '{persona}': use one of {', '.join(PERSONAS)}")
    try:
        labs = load_catalogue(root)
    except SpecError as error:
        fail(str(error))
    chosen = select(labs, persona, level)
    if as_markdown:
        typer.echo(catalogue_markdown(chosen))
        return
    if as_json:
        typer.echo(json.dumps({"labs": [lab.model_dump() for lab in chosen], "matrix": matrix(labs)},
                              ensure_ascii=False, indent=2))
        return
    table = Table(title="Labs")
    for column in ("id", "level", "personas", "mode", "minutes", "languages", "title"):
        table.add_column(column)
    for lab in chosen:
        table.add_row(lab.id, str(lab.level), ", ".join(lab.personas), lab.mode, str(lab.duration_minutes),
                      ", ".join(lab.languages), lab.title.fr)
    grid = Table(title="Persona x level")
    grid.add_column("level")
    for p in PERSONAS:
        grid.add_column(p)
    for lvl, row in matrix(labs).items():
        grid.add_row(f"{lvl} {LEVELS[lvl]}", *(", ".join(row[p]) or "-" for p in PERSONAS))
    Console().print(table)
    Console().print(grid)


@app.command()
def new(
    lab_id: Annotated[str, typer.Argument(help="l<NN>-<slug>, e.g. l17-hr-chatbot-audit.")],
    persona: Annotated[str, typer.Option(help=f"One of {', '.join(PERSONAS)}.")],
    level: Annotated[int, typer.Option(min=1, max=4, help="1 to 4.")],
    root: RootOption = None,
) -> None:
    """Scaffold a lab: lab.yaml, French and English source notebooks, a wrong answer.

    Example:

        sandlab labs new l17-hr-chatbot-audit --persona support --level 3
    """
    from pydantic import ValidationError

    from sandlab.labs.scaffold import new_lab

    if persona not in PERSONAS:
        fail(f"unknown persona '{persona}': use one of {', '.join(PERSONAS)}")
    try:
        folder = new_lab(lab_id, persona, level, root)
    except (FileExistsError, ValidationError) as error:
        fail(str(error).splitlines()[0] if isinstance(error, FileExistsError) else f"bad lab id '{lab_id}': "
             "use l<NN>-<slug> (lower-case letters, digits, hyphens)")
    console.print(f"lab created in {folder}; write it, then run `sandlab labs validate {lab_id}`")


@app.command()
def validate(
    lab: Annotated[list[str] | None, typer.Argument(help="Lab ids (with --all: every lab).")] = None,
    all_labs: Annotated[bool, typer.Option("--all", help="Validate the whole catalogue.")] = False,
    pack: Annotated[Path | None, typer.Option(envvar=PACK_ENV, help="Dataset pack to run against (default: the "
                                              "reference pack, generated now; no-code labs' solutions are its "
                                              "answers; in a trainer's workspace, the cohort's pack).")] = None,
    root: RootOption = None,
    language: Annotated[list[str] | None, typer.Option(help="Only this language, fr or en (repeatable) "
                                                       "[default: every language of the lab].")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    in_image: Annotated[bool, typer.Option("--in-image", help="Run inside the lab image as the learner, with "
                                           "no network (needs Docker and `sandlab images build`).")] = False,
) -> None:
    """Check labs with real nbgrader: solution scores the maximum, blank and wrong answers less.

    Example:

        sandlab labs validate --all
        sandlab labs validate l14-model-service --in-image
        sandlab labs validate l01-what-ai-is --language fr
    """
    from sandlab.labs.validate import validate_lab

    ids = lab_ids(root) if all_labs else (lab or [])
    if not ids:
        fail("name labs to validate, or pass --all")
    unknown = [i for i in ids if i not in lab_ids(root)]
    if unknown:
        fail(f"unknown lab {', '.join(unknown)}: see `sandlab labs list`")
    if set(language or []) - {"fr", "en"}:
        fail(f"--language {', '.join(sorted(set(language or []) - {'fr', 'en'}))}: use fr or en")
    with tempfile.TemporaryDirectory(prefix="sandlab-pack-") as tmp:
        if pack is None:
            from sandlab.labs.reference import DESCRIPTION, generate_reference_pack
            console.print(f"generating the reference pack ({DESCRIPTION})")
            pack = generate_reference_pack(Path(tmp) / "pack")
        results = []
        if in_image:
            from sandlab.engine import NoEngine, client
            from sandlab.images.names import NotASourceTree
            from sandlab.labs.in_image import InImageError, validate_in_image

            try:
                with console.status(f"validating {len(ids)} lab(s) inside the lab image, offline"):
                    results = validate_in_image(client(), ids, pack, root, languages=language)
            except (NoEngine, InImageError, NotASourceTree) as error:
                fail(str(error))
        for lab_id in [] if in_image else ids:
            console.print(f"validating {lab_id} ...")
            results.append(validate_lab(lab_id, pack.resolve(), root, languages=language))
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        table = Table(title="Validation")
        for column in ("lab", "lang", "task", "max", "solution", "blank", "wrong", "solution s"):
            table.add_column(column)
        for r in results:
            for lang in r.languages:
                for t in lang.tasks:
                    table.add_row(r.lab_id, lang.language, t.task + (" (manual)" if t.manual else ""),
                                  f"{t.max_score:g}", *(("-" if v is None else f"{v:g}") for v in
                                                        (t.solution, t.blank, t.wrong)),
                                  str(lang.solution_seconds))
        Console().print(table)
        for r in results:
            for problem in r.problems + [f"[{lang.language}] {p}" for lang in r.languages for p in lang.problems]:
                console.print(Text(f"{r.lab_id}: {problem}", style="red"), soft_wrap=True)
    if not all(r.passed for r in results):
        raise typer.Exit(1)


def _from_library(call, *arguments):
    """A call to the lab library; its refusal ends the command with the library's words."""
    from sandlab.labs.library_client import LibraryError

    try:
        return call(*arguments)
    except LibraryError as error:
        fail(str(error))


def versions_table(versions: list[dict]) -> Table:
    """The library's versions as the trainers' and IT's commands show them."""
    table = Table("lab", "version", "published", "by", "languages", "digest", title="Lab library")
    for version in versions:
        table.add_row(version["lab"], str(version["version"]), version["published_at"], version["author"],
                      ", ".join(version["languages"]), version["digest"][:12])
    return table


CohortOption = Annotated[str | None, typer.Option("--cohort", envvar=COHORT_ENV, help="The cohort [default: the "
                                                  "one of your workspace].")]


@app.command()
def publish(
    lab: Annotated[str, typer.Argument(help="The lab id, a folder of your library, e.g. l01-what-ai-is.")],
    root: RootOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the new version as JSON.")] = False,
) -> None:
    """Publish a lab of your library to the platform's library, as a new version.

    The platform validates it first, in a sandbox of the cohort's lab image with no network
    (solution scores the maximum, blank and wrong answers less): a lab that fails is refused
    with the validator's words. Publishing changes no cohort: release the version to one.

    Example:

        sandlab labs publish l01-what-ai-is
        sandlab labs release l01-what-ai-is
    """
    from sandlab.labs.library_client import LibraryError
    from sandlab.labs.library_client import publish as publish_lab
    from sandlab.labs.paths import catalogue_root

    folder = (root or catalogue_root()) / lab
    if not (folder / "lab.yaml").is_file():
        fail(f"{folder}: no lab.yaml; see `sandlab labs list` or create one with `sandlab labs new`")
    try:
        with console.status(f"validating {lab} in a sandbox of the cohort's lab image, then publishing"):
            version = publish_lab(folder)
    except LibraryError as error:
        if as_json and error.report is not None:
            typer.echo(json.dumps({"error": str(error), "problems": error.problems}, ensure_ascii=False, indent=2))
            raise typer.Exit(1) from None
        for problem in error.problems:
            console.print(Text(f"{lab}: {problem}", style="red"), soft_wrap=True)
        fail(f"{lab} was not published: {error}" if not error.problems else f"{lab} was not published: fix the "
             "above, check with `sandlab labs validate " + lab + "`, publish again", code=1)
    if as_json:
        typer.echo(json.dumps(version, ensure_ascii=False, indent=2))
        return
    said = "published as version" if version.get("added") else "unchanged since version"
    console.print(f"{lab} {said} {version['version']} (digest {version['digest'][:12]}, {version['author']}); "
                  f"release it with `sandlab labs release {lab}`", highlight=False)


@app.command()
def versions(
    lab: Annotated[str | None, typer.Argument(help="One lab [default: every lab of the library].")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The platform library's labs and their versions: who published each, when, its digest.

    Example:

        sandlab labs versions
        sandlab labs versions l01-what-ai-is --json
    """
    from sandlab.labs.library_client import versions as library_versions

    found = _from_library(library_versions, lab)
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    Console().print(versions_table([version for entry in found for version in entry["versions"]]))


@app.command()
def feedback(
    lab: Annotated[str, typer.Argument(help="The lab id.")],
    root: RootOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What the earlier waves found hard in a lab, next to its source: <lab>/feedback.md.

    Per wave (each of your cohorts that had the lab, closed ones too) and the version it
    was given: each task's failure rate, the median time on the lab and the survey's
    satisfaction. A figure on fewer than 5 learners is not shown.

    Example:

        sandlab labs feedback l01-what-ai-is
    """
    from sandlab.kpis.lab_waves import waves_markdown
    from sandlab.labs.library_client import feedback as lab_feedback
    from sandlab.labs.library_client import save_feedback
    from sandlab.labs.paths import catalogue_root

    waves = _from_library(lab_feedback, lab)
    if as_json:
        typer.echo(json.dumps(waves, ensure_ascii=False, indent=2))
        return
    saved = save_feedback((root or catalogue_root()) / lab, waves)
    if saved:
        console.print(f"written to {saved} (open it beside the lab's notebooks)", highlight=False)
    typer.echo(waves_markdown(lab, waves))


@app.command()
def release(
    lab: Annotated[str, typer.Argument(help="The lab id.")],
    cohort: CohortOption = None,
    version: Annotated[int | None, typer.Option(min=1, help="The library version [default: the latest].")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Release a library version of a lab to your cohort's learners (their Assignments tab).

    Learners who started the lab keep their work: the new version is fetched beside it.
    Other cohorts keep the version they have. Submissions are graded against the version
    released.

    Example:

        sandlab labs release l01-what-ai-is
        sandlab labs release l01-what-ai-is --cohort wave-2 --version 3
    """
    from sandlab.labs.library_client import release as release_lab

    if not cohort:
        fail("name the cohort with --cohort")
    done = _from_library(release_lab, cohort, lab, version)
    if as_json:
        typer.echo(json.dumps(done, ensure_ascii=False, indent=2))
        return
    languages = ", ".join(item["language"] for item in done["languages"])
    console.print(f"{lab} version {done['version']} released to cohort {done['cohort']} ({languages})", highlight=False)


if __name__ == "__main__":  # a trainer's workspace runs `sandlab labs ...` as this (images/trainer)
    app(prog_name="sandlab labs")
