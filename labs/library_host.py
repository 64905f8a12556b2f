"""IT's host reaching the lab library on the hub's state (run in the hub image, never read directly).

Trainers' own labs live only in the library, not in the catalogue shipped with Sandlab. A
cohort file may name them under ``labs.by_persona`` like a catalogue lab (each known by its
latest version's spec); a persona's default plan stays the catalogue's.
"""

from __future__ import annotations

import json

import docker

from sandlab.cohort import Cohort
from sandlab.hub.platform import Instance, PlatformError, run_on_state
from sandlab.labs.spec import LabSpec
from sandlab.specfile import parse_spec


def library_admin(instance: Instance, *arguments: str):
    """One `sandlab.labs.library_admin` command on the hub's state; its JSON answer."""
    done = run_on_state(instance, "python", "-m", "sandlab.labs.library_admin", *arguments)
    if done.returncode != 0:
        raise PlatformError((done.stderr.strip().splitlines() or ["the library could not be read"])[-1]
                            .removeprefix("error: "))
    return json.loads(done.stdout)


def library_labs(engine: docker.DockerClient, instance: Instance, cohort: Cohort,
                 catalogue: list[LabSpec]) -> list[LabSpec]:
    """The labs the cohort file names that only the library has, each as its latest version's spec.
    The library is read only when the file names a lab the catalogue lacks, and never before the
    hub's state exists."""
    known = {lab.id for lab in catalogue}
    named = {lab for chosen in cohort.labs.by_persona.values() for lab in chosen} | set(cohort.labs.due)
    if named <= known:
        return []
    try:
        engine.volumes.get(instance.state_volume)
    except docker.errors.NotFound:
        return []
    return [parse_spec(found["spec"], LabSpec, source=f"library: {found['lab']} version {found['version']}")
            for found in library_admin(instance, "specs") if found["lab"] in named - known]
