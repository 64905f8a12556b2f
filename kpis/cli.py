"""`sandlab kpis`: a cohort's training KPIs from the host, computed in the hub image on its state volume."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from sandlab.console import console, fail
from sandlab.engine import NoEngine, client

app = typer.Typer(help="The training's KPIs of a cohort.", no_args_is_help=True)


@app.command()
def kpis(
    cohort_file: Annotated[Path, typer.Argument(help="The cohort's YAML file (as applied).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole report as JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print every figure as CSV rows: section, key, value, n "
                                         "(no comments, ideas or named rows).")] = False,
    compare: Annotated[Path | None, typer.Option("--compare", help="Another cohort's file: both cohorts' headline "
                                                 "figures side by side.")] = None,
    instance: Annotated[str, typer.Option("--instance", help="Prefix of the hub's containers and "
                                          "volumes.")] = "sandlab",
    named: Annotated[bool, typer.Option("--named", help="Include each learner's row, by name (IT's export for the "
                                        "training file; needs --reason; logged in the KPI database).")] = False,
    reason: Annotated[str, typer.Option("--reason", help="Why the named export is made.")] = "",
) -> None:
    """A cohort's training KPIs: completion, skills, satisfaction, engagement, use after the training.

    Also the use cases proposed and which labs to fix first. Figures on fewer than
    5 learners are hidden; comments and ideas are anonymous. Releases and
    submissions are brought up to date from the exchange first.

    Example:

        sandlab kpis hub/cohorts/demo.yaml
        sandlab kpis hub/cohorts/demo.yaml --csv > kpis.csv
        sandlab kpis hub/cohorts/spring.yaml --compare hub/cohorts/autumn.yaml
        sandlab kpis hub/cohorts/demo.yaml --json --named --reason "training file"
    """
    from sandlab.cohort import load_cohort
    from sandlab.hub.platform import STATE_MOUNT, Instance, PlatformError, run_on_state
    from sandlab.kpis.report import as_csv as report_csv
    from sandlab.kpis.report import as_text, compare_csv, compare_text
    from sandlab.specfile import SpecError

    if as_json and as_csv:
        fail("--json and --csv: choose one")
    if named and not reason.strip():
        fail('--named needs --reason: say why names are exported, e.g. --reason "training file"')
    try:
        cohort = load_cohort(cohort_file)
        other = load_cohort(compare) if compare is not None else None
        where = Instance(instance)
        check_instance(where)
        names = [cohort.name, *(["--compare", other.name] if other else [])]
        if named:
            names += ["--named", "--reason", reason, "--who", getpass.getuser()]
        with console.status(f"computing the KPIs of cohort {cohort.name}"):
            done = run_on_state(where, "python", "-m", "sandlab.kpis.report", "--state", STATE_MOUNT, *names)
    except (SpecError, PlatformError, NoEngine) as error:
        fail(str(error))
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1].removeprefix("error: ")
        fail(last if done.returncode == 2 else f"computing the KPIs of cohort {cohort.name}: {last}")
    report = json.loads(done.stdout)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    elif as_csv:
        sys.stdout.write(compare_csv(report) if other else report_csv(report, named=named))
    else:
        console.print(compare_text(report) if other else as_text(report, cohort.language))


def check_instance(instance) -> None:
    """The hub image and its state volume must exist: `docker run -v` would make an empty volume."""
    import docker

    from sandlab.engine import image_exists
    from sandlab.hub.platform import PlatformError
    from sandlab.images.names import HUB_IMAGE

    engine = client()
    if not image_exists(engine, HUB_IMAGE):
        raise PlatformError(f"image '{HUB_IMAGE}' is not on this engine: run `sandlab images build`")
    try:
        engine.volumes.get(instance.state_volume)
    except docker.errors.NotFound:
        raise PlatformError(f"no hub state for instance '{instance.name}' (volume {instance.state_volume}): apply "
                            "the cohort with `sandlab hub apply COHORT_FILE`, or name the instance with "
                            "--instance") from None
