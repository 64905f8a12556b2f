"""`sandlab library`: IT's view of the platform's lab library, the only way to remove a version, and
IT's way to move a cohort to another version."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from sandlab.console import console, fail
from sandlab.labs.cli import versions_table

app = typer.Typer(help="The platform's lab library (trainers publish from their workspace).", no_args_is_help=True)
InstanceName = Annotated[str, typer.Option("--instance", help="Prefix of the hub's containers and volumes.")]


def _admin(instance: str, *arguments: str):
    from sandlab.engine import NoEngine
    from sandlab.hub.platform import Instance, PlatformError
    from sandlab.labs.library_host import library_admin

    try:
        return library_admin(Instance(instance), *arguments)
    except (NoEngine, PlatformError) as error:
        fail(str(error))


@app.command("list")
def list_versions(instance: InstanceName = "sandlab",
                  as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Every lab of the library and its versions: who published each, when, its digest.

    Example:

        sandlab library list
    """
    versions = _admin(instance, "list")
    if as_json:
        typer.echo(json.dumps(versions, ensure_ascii=False, indent=2))
        return
    console.print(versions_table(versions))


@app.command()
def remove(lab: Annotated[str, typer.Argument(help="The lab id.")],
           version: Annotated[int, typer.Argument(min=1, help="The version to remove.")],
           instance: InstanceName = "sandlab") -> None:
    """Remove one version of a lab from the library (IT only: trainers publish and release).

    Refused while any cohort, closed ones too, was given that version: its learners' work
    is graded against it.

    Example:

        sandlab library remove l01-what-ai-is 3
    """
    _admin(instance, "remove", lab, str(version))
    console.print(f"{lab} version {version} removed from the library", highlight=False)


@app.command()
def release(cohort: Annotated[str, typer.Argument(help="The open cohort's name.")],
            lab: Annotated[str, typer.Argument(help="The lab id.")],
            version: Annotated[int | None, typer.Option(min=1, help="The version [default: the latest].")] = None,
            instance: InstanceName = "sandlab") -> None:
    """Give an open cohort one library version of a lab, as its trainers can from their workspace.

    The lab must be in the plan of some learner of the cohort (its `labs:`). Learners who
    started the version they had keep their work: the new one is fetched beside it.

    Example:

        sandlab library release wave2 l01-what-ai-is --version 2
    """
    done = _admin(instance, "release", cohort, lab, *(["--version", str(version)] if version else []))
    languages = ", ".join(f"{row['language']} (release {row['release']})" for row in done["languages"])
    console.print(f"cohort {done['cohort']} has {done['lab']} version {done['version']}: {languages}", highlight=False)
