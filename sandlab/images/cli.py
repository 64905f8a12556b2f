"""`sandlab images`: the base, the lock, and the hub and lab images, built offline."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sandlab.console import console, fail
from sandlab.engine import NoEngine, client
from sandlab.images.base import BaseImageError, build_debian_base, choose_base
from sandlab.images.build import BuildError, Built, build_image
from sandlab.images.names import (
    HUB,
    LAB,
    LOCK,
    OWN_WHEEL,
    POSTGRES,
    TRAINER,
    WHEELHOUSE,
    NotASourceTree,
    project_root,
)
from sandlab.images.wheelhouse import WheelhouseError, build_own_wheel, fill_wheelhouse, write_lock

app = typer.Typer(help="Build the images offline: Debian base, wheelhouse, lab and hub images.",
                  no_args_is_help=True)

ERRORS = (NoEngine, BaseImageError, BuildError, WheelhouseError, NotASourceTree)


@app.command("base")
def base(
    mirror: Annotated[str, typer.Option(help="Debian mirror debootstrap installs from.")] = "http://deb.debian.org/debian",
) -> None:
    """Make the local Debian bookworm base with debootstrap and `docker import` (root, about a minute).

    Example:

        sandlab images base --mirror http://apt.internal.example/debian
    """
    try:
        client()
        with console.status("debootstrap bookworm, then docker import"):
            tag = build_debian_base(mirror)
    except ERRORS as error:
        fail(str(error))
    console.print(f"base image: {tag}")


@app.command("lock")
def lock() -> None:
    """Resolve images/hub.in and images/lab.in together into images/lock.txt (needs PyPI).

    Example:

        sandlab images lock && git diff images/lock.txt
    """
    try:
        root = project_root()
        with console.status("resolving hub and lab requirements for CPython 3.11"):
            count = write_lock(root, root / LOCK)
    except ERRORS as error:
        fail(str(error))
    console.print(f"{LOCK}: {count} pinned packages")


def build_all(base: str = "auto", *, download: bool = True, postgres: bool = False) -> list[Built]:
    """Base (if needed), wheelhouse, lab image, trainer image, hub image (and PostgreSQL's); one progress line
    per step."""
    root = project_root()
    engine = client()
    chosen = choose_base(engine, base)
    wheels = root / WHEELHOUSE
    built: list[Built] = []
    columns = (TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[step]}"))
    with Progress(*columns, console=console) as progress:
        if chosen is None:
            task = progress.add_task("Debian base (debootstrap)", total=1, step="")
            chosen = build_debian_base()
            progress.update(task, completed=1)
        task = progress.add_task("wheelhouse", total=1, step="pip download (cached)" if download else "given")
        if download:
            fill_wheelhouse(root / LOCK, wheels)
        build_own_wheel(root, root / OWN_WHEEL)
        progress.update(task, completed=1, step=f"{sum(1 for _ in wheels.glob('*.whl'))} wheels")
        for source in (LAB, TRAINER, HUB, *([POSTGRES] if postgres else [])):
            task = progress.add_task(source.tag, total=None, step="")

            def on_step(done: int, total: int, text: str, task=task) -> None:
                progress.update(task, completed=done - 1, total=total, step=text)

            built.append(build_image(root, source, chosen, engine, on_step))
            progress.update(task, completed=progress.tasks[task].total or 1, step="done")
    return built


@app.command("build")
def build(
    base: Annotated[str, typer.Option(help="auto (the local Debian base or a public python:3.11-slim-bookworm "
                                           "already in the engine, else debootstrap), debootstrap, or an image.")
                    ] = "auto",
    offline: Annotated[bool, typer.Option(help="Use the wheelhouse as it is (an air-gapped network).")] = False,
    postgres: Annotated[bool, typer.Option(help="Also build PostgreSQL's image (Debian's package) for "
                                           "`sandlab hub up --postgres`.")] = False,
) -> None:
    """Build the lab and hub images from the lock, installing wheels with --no-index.

    Example (a machine that reaches PyPI fills build/wheelhouse; an air-gapped one
    receives that folder and builds with --offline):

        sandlab images build
        sandlab images build --offline --base debootstrap
    """
    try:
        built = build_all(base, download=not offline, postgres=postgres)
    except ERRORS as error:
        fail(str(error))
    table = Table("image", "build time", "size")
    for image in built:
        table.add_row(image.tag, f"{image.seconds:.0f} s", f"{image.size_bytes / 2**20:.0f} MiB")
    console.print(table)

