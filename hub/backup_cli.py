"""`sandlab backup` and `sandlab restore`: the platform's data, all of it, in one verified file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sandlab.console import console, fail


def backup_command(
    out: Annotated[Path, typer.Argument(help="The backup file to write (e.g. sandlab-2026-12-02.tar).")],
    folders: Annotated[list[Path] | None, typer.Option("--with", help="One of IT's folders to add (cohort files, "
                                                       "closed cohorts' archives); repeat for more.")] = None,
    instance: Annotated[str, typer.Option("--instance", help="Prefix of the hub's containers and volumes.")]
    = "sandlab",
) -> None:
    """Back up the whole platform while it runs: the hub's state (accounts, cohorts, exchange, KPIs,
    surveys), its database, every home, every cohort's gradebook and every pack, plus IT's folders
    given with --with. Each volume's writers are paused for the seconds it is read. The file appears
    only once every part has been read back and matched its sha256 list. On Swarm
    (SANDLAB_BACKEND=swarm), every node's volumes, through each node's engine (label sandlab.engine).

    Example:

        sandlab backup /srv/backups/sandlab-$(date +%F).tar --with hub/cohorts
    """
    from docker.errors import DockerException

    from sandlab.engine import NoEngine, client
    from sandlab.hub.archive import ArchiveError
    from sandlab.hub.backup import backup
    from sandlab.hub.nodes import NodeUnreachable
    from sandlab.hub.swarm import backend

    if out.exists():
        fail(f"{out} exists: give a new file name (a backup never replaces another)")
    if not out.parent.is_dir():
        fail(f"{out.parent} is not a folder: create it first")
    try:
        with console.status("backing up") as status:
            report = backup(client(), instance, out, list(folders or []),
                            progress=lambda step: status.update(f"backing up {step}"), backend=backend())
    except (ArchiveError, NodeUnreachable, NoEngine, DockerException, OSError) as error:
        fail(str(error))
    console.print(f"{out}: {len(report.volumes)} volumes and {len(report.folders)} folders, {report.files} files "
                  f"checked, {report.size / 2**20:.1f} MiB. Restore with `sandlab restore {out}`.", markup=False)


def restore_command(
    backup_file: Annotated[Path, typer.Argument(help="A file written by `sandlab backup`.")],
    files_to: Annotated[Path | None, typer.Option("--files-to", help="Bring IT's folders back too, inside this "
                                                  "folder, each under its own name.")] = None,
) -> None:
    """Bring the platform back from a backup on an engine that has none of its volumes (a new machine,
    or after `sandlab hub down --volumes`): the backup is checked first, then each volume is made and
    checked file by file. All or nothing. Then build the images and start the hub as usual. On Swarm,
    each node's volumes go back to the node of the same host name.

    Example:

        sandlab restore sandlab-2026-12-02.tar --files-to /srv/sandlab
        sandlab images build && sandlab hub up --instance sandlab
    """
    from docker.errors import DockerException

    from sandlab.engine import NoEngine, client
    from sandlab.hub.archive import ArchiveError
    from sandlab.hub.backup import restore
    from sandlab.hub.nodes import NodeUnreachable
    from sandlab.hub.swarm import backend

    if not backup_file.is_file():
        fail(f"{backup_file}: no such file")
    try:
        with console.status("restoring") as status:
            report = restore(client(), backup_file, files_to, progress=lambda step: status.update(f"restoring {step}"),
                             backend=backend())
    except (ArchiveError, NodeUnreachable, NoEngine, DockerException, OSError) as error:
        fail(str(error))
    console.print(f"instance {report.instance}: {len(report.volumes)} volumes restored and checked"
                  + (f", folders in {files_to}" if report.folders else "")
                  + f". Next: `sandlab hub up --instance {report.instance}`.", markup=False)
