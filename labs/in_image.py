"""Validate labs where learners run them: inside the lab image, with no network at all.

The validator runs in a container of the lab image as the learner's uid, with every
capability dropped and no network, so a solution that needs the internet, a package the
image lacks, or more than the learner's limits fails here, not in front of a cohort.
Sandlab's own wheel (built from this tree, the catalogue inside) is mounted read-only and
installed into the container's scratch space; the pack is copied in, owned by root.
"""

from __future__ import annotations

import json
from pathlib import Path

import docker

from sandlab.images.names import LAB_IMAGE, OWN_WHEEL, project_root
from sandlab.images.wheelhouse import build_own_wheel
from sandlab.labs.validate import LabResult, result_from_dict
from sandlab.pack import readable_tar
from sandlab.sandbox import Hardening

SCRIPT = ("pip install --quiet --disable-pip-version-check --no-index --no-deps --target /tmp/sandlab /own/*.whl "
          "&& PYTHONPATH=/tmp/sandlab python -m sandlab.labs.validate --pack /tmp/pack \"$@\"")


class InImageError(RuntimeError):
    pass


def validate_in_image(engine: docker.DockerClient, lab_ids: list[str], pack: Path, root: Path | None = None,
                      image: str = LAB_IMAGE, languages: list[str] | None = None) -> list[LabResult]:
    """Validate ``lab_ids`` (from ``root``, default the catalogue of this tree) inside ``image``."""
    tree = project_root()
    wheel_dir = tree / OWN_WHEEL
    build_own_wheel(tree, wheel_dir)
    catalogue = ["--root", "/tmp/catalogue"] if root else []
    catalogue += [f"--language={language}" for language in languages or []]
    container = engine.containers.create(
        image, ["sh", "-c", SCRIPT, "validate", *catalogue, *lab_ids], **Hardening(cpus=2.0).create_kwargs(),
        volumes={str(wheel_dir): {"bind": "/own", "mode": "ro"}})
    try:
        container.put_archive("/tmp", readable_tar(Path(pack), prefix="pack/"))
        if root:
            container.put_archive("/tmp", readable_tar(Path(root), prefix="catalogue/"))
        container.start()
        status = container.wait(timeout=len(lab_ids) * 600)
        output = container.logs(stdout=True, stderr=False).decode()
        errors = container.logs(stdout=False, stderr=True).decode()
    finally:
        container.remove(force=True)
    lines = [line for line in output.splitlines() if line.startswith("[")]
    if not lines:
        tail = "\n".join(errors.strip().splitlines()[-8:])
        raise InImageError(f"validation inside {image} produced no result (exit {status['StatusCode']}):\n{tail}")
    return [result_from_dict(item) for item in json.loads(lines[-1])]
