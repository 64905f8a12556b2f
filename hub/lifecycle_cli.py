"""`sandlab cohort warm|close|restore`: a running cohort's session days and its end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sandlab.console import console, fail
from sandlab.hub.cohort_cli import app
from sandlab.specfile import SpecError

InstanceOption = Annotated[str, typer.Option("--instance", help="Prefix of the hub's containers and volumes.")]


@app.command("warm")
def warm_command(
    cohort_file: Annotated[Path, typer.Argument(help="The cohort's YAML file (as applied).")],
    instance: InstanceOption = "sandlab",
    concurrency: Annotated[int | None, typer.Option(min=1, max=32, help="Servers starting at once (default: one "
                                                    "per core of the hub's machine).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per line, as they come.")] = False,
) -> None:
    """Start every learner's server now, a few at a time, so that a room logging in at once finds them
    ready. A warmed server nobody uses is kept until the next session (within a day) has started plus
    the cohort's warm.hold_minutes; then idle culling applies as usual. Servers already running are
    left as they are. Exit 1 if a server could not be started (each says why).

    To warm before every session automatically, set `warm: {minutes_before: 20}` in the cohort file
    (with dates.sessions) and apply it: the hub's warmer service does it.

    Example:

        sandlab cohort warm hub/cohorts/vague-2.yaml
        sandlab cohort warm hub/cohorts/vague-2.yaml --concurrency 1 --json
    """
    from sandlab.cohort import load_cohort
    from sandlab.engine import NoEngine, client
    from sandlab.hub.platform import Instance, PlatformError, warm

    try:
        cohort = load_cohort(cohort_file)
        lines = warm(client(), Instance(instance), cohort.name, concurrency)
        plan = next(lines)
        if as_json:
            typer.echo(json.dumps(plan))
        results = []
        columns = (TextColumn("warming {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, disable=as_json) as progress:
            task = progress.add_task(cohort.name, total=plan["learners"])
            for result in lines:
                results.append(result)
                progress.advance(task)
                if as_json:
                    typer.echo(json.dumps(result))
    except (SpecError, PlatformError, NoEngine) as error:
        fail(str(error))
    failed = [result for result in results if result["outcome"] == "failed"]
    if not as_json:
        table = Table(title=f"cohort {cohort.name}: {len(results) - len(failed)} of {len(results)} servers ready, "
                      f"kept until {plan['hold_until'][:16]}")
        for header in ("learner", "server", "seconds", "why not"):
            table.add_column(header, overflow="fold")
        for result in sorted(results, key=lambda found: found["user"]):
            table.add_row(result["user"], result["outcome"], f"{result['seconds']:.1f}", result["reason"] or "")
        console.print(table)
    if failed:
        raise typer.Exit(1)


def default_archives(cohort_file: Path, cohort: str) -> Path:
    """Where a cohort's homes are archived unless told: beside its file, `archives/<cohort>/`."""
    return cohort_file.parent / "archives" / cohort


@app.command("close")
def close_command(
    cohort_file: Annotated[Path, typer.Argument(help="The cohort's YAML file (as applied).")],
    to: Annotated[Path | None, typer.Option("--to", help="Folder of the archives (default: archives/<cohort>/ "
                                            "beside the cohort file).")] = None,
    keep_volumes: Annotated[bool, typer.Option("--keep-volumes", help="Archive the homes but keep their volumes.")]
    = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    instance: InstanceOption = "sandlab",
    as_json: Annotated[bool, typer.Option("--json", help="Print the closure as JSON.")] = False,
) -> None:
    """Close the cohort: its learners can no longer log in, its servers stop, every member's home is
    archived (<login>.tar.gz and <login>.manifest.json with the sha256 of every file), the archive is
    checked against the volume, and only then the volume removed. Its network and the pack volumes no
    open cohort uses go too. The gradebook, surveys and KPIs are kept; trainers and IT keep their
    logins. Interrupted, run it again: it finishes the job, nothing is lost. Exit 1 if a home could
    not be archived (its volume is then kept).

    Example:

        sandlab cohort close hub/cohorts/pilote.yaml
        sandlab cohort close hub/cohorts/pilote.yaml --to /srv/archives/pilote --keep-volumes --yes
    """
    from sandlab.cohort import load_cohort
    from sandlab.engine import NoEngine, client
    from sandlab.hub.close import close_cohort
    from sandlab.hub.platform import Instance, PlatformError

    try:
        cohort = load_cohort(cohort_file)
    except SpecError as error:
        fail(str(error))
    folder = to or default_archives(cohort_file, cohort.name)
    if not yes:
        learners = len(cohort.named("learner"))
        typer.confirm(f"Close cohort {cohort.name}: its {learners} learners can no longer log in; every home is "
                      f"archived to {folder}{'' if keep_volumes else ' then deleted'}. Go on?", abort=True)
    try:
        columns = (TextColumn("archiving homes of {task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())
        with Progress(*columns, console=console, disable=as_json) as progress:
            task = progress.add_task(cohort.name, total=len(cohort.members))
            closure = close_cohort(client(), Instance(instance), cohort.name, folder, keep_volumes=keep_volumes,
                                   emit=lambda home: progress.advance(task))
    except (PlatformError, NoEngine) as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(closure.as_dict(), indent=2))
    else:
        table = Table(title=f"cohort {cohort.name} closed on {closure.closed[:16]}: archives in {folder}")
        for header in ("member", "home", "files", "why not"):
            table.add_column(header, overflow="fold")
        for home in closure.homes:
            table.add_row(home.user, home.outcome, "" if home.files is None else str(home.files), home.reason or "")
        console.print(table)
        console.print(f"{len(closure.servers_stopped)} servers stopped, {len(closure.volumes_removed)} home volumes, "
                      f"{len(closure.networks_removed)} network and {len(closure.packs_removed)} pack volumes removed",
                      markup=False)
        if not closure.complete:
            console.print("not complete: fix what is said above and run the same command again", style="red")
    if not closure.complete:
        raise typer.Exit(1)


@app.command("restore")
def restore_command(
    cohort_file: Annotated[Path, typer.Argument(help="The cohort's YAML file.")],
    login: Annotated[str, typer.Argument(help="The member whose home comes back.")],
    source: Annotated[Path | None, typer.Option("--from", help="Folder of the archives (default: archives/<cohort>/ "
                                                "beside the cohort file).")] = None,
    instance: InstanceOption = "sandlab",
) -> None:
    """Bring a member's home back from the cohort's archive into their home volume (refused if they have
    one), checked file by file against the manifest. They find it at their next server start, in this
    cohort if it is open or in the cohort they have joined since under the same login. On Swarm, it goes
    back to the node it was archived from, where their servers are pinned.

    Example:

        sandlab cohort restore hub/cohorts/pilote.yaml jdupont
    """
    from docker.errors import DockerException

    from sandlab.cohort import load_cohort
    from sandlab.engine import NoEngine, client
    from sandlab.hub.archive import ArchiveError, HomeArchive
    from sandlab.hub.close import restore_closed_home
    from sandlab.hub.nodes import NodeUnreachable
    from sandlab.hub.platform import Instance
    from sandlab.hub.state import home_labels, home_volume

    try:
        cohort = load_cohort(cohort_file)
        if login not in {member.name for member in cohort.members}:
            fail(f"{login} is not a member of cohort {cohort.name} ({cohort_file})")
        folder = source or default_archives(cohort_file, cohort.name)
        volume = home_volume(instance, login)
        node, files = restore_closed_home(client(), Instance(instance), volume, HomeArchive(folder, login),
                                          home_labels(instance, cohort.name, login))
    except (SpecError, ArchiveError, NodeUnreachable, NoEngine, DockerException) as error:
        fail(str(error))
    console.print(f"{login}'s home restored from {folder}: {files} files checked against the manifest, in volume "
                  f"{volume}" + (f" on node {node}" if node else ""), markup=False)
