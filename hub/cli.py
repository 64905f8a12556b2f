"""`sandlab hub`: apply a cohort, start, inspect and stop the hub."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sandlab.cohort import Cohort, load_cohort
from sandlab.console import console, fail
from sandlab.engine import NoEngine, client
from sandlab.grading.plan import plan_learners
from sandlab.hub.platform import Instance, PlatformError, apply_cohort, down, hub_running, learner_containers, up
from sandlab.hub.swarm import server_nodes
from sandlab.images.names import NotASourceTree
from sandlab.labs.catalogue import load_catalogue
from sandlab.labs.library_host import library_labs
from sandlab.specfile import SpecError

app = typer.Typer(help="The JupyterHub platform: cohorts, hub, learner sandboxes.", no_args_is_help=True)
ERRORS = (NoEngine, PlatformError, SpecError, NotASourceTree)

InstanceName = Annotated[str, typer.Option("--instance", help="Prefix of this hub's containers and volumes.")]
Port = Annotated[int, typer.Option(help="Port the hub listens on, on 127.0.0.1.")]


def print_credentials(instance: Instance, cohort: Cohort, issued: dict[str, str]) -> None:
    table = Table("user", "role", "persona", "password", title=f"cohort {cohort.name}")
    for member in cohort.members:
        password = issued.get(member.name, "(unchanged)")
        table.add_row(member.name, member.role, member.persona or "", password)
    console.print(table)
    console.print(f"Passwords are shown once and stored hashed. Hub: {instance.url}/hub/login")


@app.command("apply")
def apply(
    cohort_file: Annotated[Path, typer.Argument(help="The cohort's YAML file.")],
    instance: InstanceName = "sandlab",
    port: Port = 8000,
    reset_passwords: Annotated[bool, typer.Option(help="Issue new passwords to every member.")] = False,
) -> None:
    """Load the cohort's pack into a volume, create its accounts, reload the hub.

    New members get a generated password, printed once.

    Example:

        sandlab hub apply hub/cohorts/demo.yaml
    """
    where = Instance(instance, port)
    try:
        cohort = load_cohort(cohort_file)
        catalogue = load_catalogue()
        library = library_labs(client(), where, cohort, catalogue)
        learners = plan_learners(cohort, catalogue, cohort_file, library)
        with console.status(f"applying cohort {cohort.name}"):
            issued = apply_cohort(client(), where, cohort, learners=learners, catalogue=[*catalogue, *library],
                                  reset_passwords=reset_passwords)
    except ERRORS as error:
        fail(str(error))
    print_credentials(where, cohort, issued)


@app.command("up")
def start(
    instance: InstanceName = "sandlab",
    port: Port = 8000,
    postgres: Annotated[bool, typer.Option(help="Keep the hub's database in PostgreSQL (the compose profile); "
                                           "the password comes from POSTGRES_PASSWORD.")] = False,
) -> None:
    """Start the hub (docker-compose) and wait until it answers.

    Example:

        sandlab hub up --port 8000
        POSTGRES_PASSWORD=... sandlab hub up --postgres
    """
    password = os.environ.get("POSTGRES_PASSWORD", "")
    if postgres and not password:
        fail("--postgres needs POSTGRES_PASSWORD in the environment (the same at every `up`)")
    where = Instance(instance, port, postgres_password=password if postgres else None)
    try:
        with console.status("starting the hub"):
            up(client(), where)
    except ERRORS as error:
        fail(str(error))
    console.print(f"hub: {where.url}/hub/login")


@app.command("status")
def status(instance: InstanceName = "sandlab") -> None:
    """Whether the hub runs, and each learner's server with its state (on Swarm, its node).

    Example:

        sandlab hub status
    """
    try:
        engine = client()
        where = Instance(instance)
        table = Table("server", "state", *(["node"] if where.swarm else []))
        table.add_row(where.hub_container, "running" if hub_running(engine, where) else "stopped",
                      *([""] if where.swarm else []))
        if where.swarm:  # each learner's service, and the node it runs on
            for name, task in sorted(server_nodes(engine, where.name).items()):
                table.add_row(name, task["state"], task["node"])
        else:
            for container in learner_containers(engine, where):
                table.add_row(container.name, container.status)
    except ERRORS as error:
        fail(str(error))
    console.print(table)


@app.command("down")
def stop(
    instance: InstanceName = "sandlab",
    learners: Annotated[bool, typer.Option(help="Stop the learners' containers too (their files stay).")] = False,
) -> None:
    """Stop the hub. Learner servers keep running unless --learners; no file is deleted.

    Example:

        sandlab hub down --learners
    """
    try:
        down(client(), Instance(instance), learners=learners)
    except ERRORS as error:
        fail(str(error))
