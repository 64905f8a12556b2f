"""`sandlab demo`: from a fresh machine with Docker to a hub with a demo cohort, in one command."""

from __future__ import annotations

from typing import Annotated

import typer

from sandlab.cohort import load_cohort
from sandlab.console import console, fail
from sandlab.datasets.company import generate_pack
from sandlab.datasets.context import GenerationSpec
from sandlab.datasets.profile import load_profile
from sandlab.engine import client
from sandlab.grading.plan import plan_learners
from sandlab.grading.release import release_cohort
from sandlab.hub.cli import ERRORS as HUB_ERRORS
from sandlab.hub.cli import print_credentials
from sandlab.hub.platform import Instance, PlatformError, apply_cohort, run_on_state, up
from sandlab.images.cli import ERRORS as IMAGE_ERRORS
from sandlab.images.cli import build_all
from sandlab.images.names import project_root
from sandlab.labs.catalogue import load_catalogue
from sandlab.pack import MANIFEST
from sandlab.progress import RichProgress

DEMO_COHORT = "hub/cohorts/demo.yaml"


def demo(
    port: Annotated[int, typer.Option(help="Port of the hub on 127.0.0.1.")] = 8000,
    employees: Annotated[int, typer.Option(min=20, help="Size of the demo company.")] = 300,
) -> None:
    """Build the images, make the demo pack, apply the demo cohort, start the hub, print how to log in.

    Running it again rebuilds what changed, keeps learners' work and issues new demo passwords.

    Example:

        sandlab demo --port 8000
    """
    try:
        engine = client()
        root = project_root()
        build_all()
        cohort = load_cohort(root / DEMO_COHORT)
        if not (cohort.pack / MANIFEST).is_file():
            spec = GenerationSpec(profile=load_profile("fr-mid-size"), locale="fr_FR", seed=42, employees=employees)
            with RichProgress(console) as progress:
                generate_pack(spec, cohort.pack, force=True, progress=progress)
        instance = Instance("sandlab", port)
        catalogue = load_catalogue()
        learners = plan_learners(cohort, catalogue, root / DEMO_COHORT)
        with console.status("applying the demo cohort and starting the hub"):
            issued = apply_cohort(engine, instance, cohort, learners=learners, catalogue=catalogue,
                                  reset_passwords=True)
            up(engine, instance)
        with console.status("releasing the demo cohort's labs"):
            released = release_cohort(instance, cohort.name, learners)
        seeded = run_on_state(instance, "python", "-m", "sandlab.kpis.seed", cohort.name)
        if seeded.returncode != 0:
            raise PlatformError(f"recording the demo's history: {seeded.stderr.strip()[-300:]}")
    except (*IMAGE_ERRORS, *HUB_ERRORS) as error:
        fail(str(error))
    print_credentials(instance, cohort, issued)
    console.print(f"{len({r.lab for r in released})} labs released: learners find them in JupyterLab's "
                  "Assignments tab (Nbgrader menu > Assignment List).")
    console.print(f"Training dashboard (KPIs, with a recorded history of 24 synthetic learners): "
                  f"http://kpis--service.localhost:{port}/services/kpis/ (log in as tess or ines).")
    console.print(f"\nSandlab demo is up: open {instance.url}/hub/login (learners' servers are served on "
                  f"<user>.localhost:{port}). Stop it with `sandlab hub down --learners`.")

