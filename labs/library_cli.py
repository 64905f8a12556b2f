"""`sandlab library`: IT's view of the platform's lab library, and the only way to remove a version."""

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
    from sandlab.hub.platform import Instance, run_on_state

    try:
        done = run_on_state(Instance(instance), "python", "-m", "sandlab.labs.library_admin", *arguments)
    except NoEngine as error:
        fail(str(error))
    if done.returncode != 0:
        fail((done.stderr.strip().splitlines() or ["the library could not be read"])[-1].removeprefix("error: "))
    return json.loads(done.stdout)


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
