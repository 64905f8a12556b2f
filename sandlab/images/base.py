"""The base every image starts from: a public slim Python image when the engine already
has it (pulled where a registry answers, or loaded on an air-gapped network), otherwise a
Debian bookworm made here with debootstrap and `docker import`.

Nothing here contacts a registry: `auto` only looks at what the engine holds.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import docker

from sandlab.engine import cli, image_exists
from sandlab.images.names import LOCAL_BASE, PUBLIC_BASE

DEBIAN_MIRROR = "http://deb.debian.org/debian"
PACKAGES = "python3,python3-venv,ca-certificates"


class BaseImageError(RuntimeError):
    pass


def choose_base(engine: docker.DockerClient, wanted: str) -> str | None:
    """The base tag to use, or None when a local Debian base must be built first.

    ``wanted`` is ``auto``, ``debootstrap`` or an image reference the engine must hold.
    """
    if wanted == "debootstrap":
        return LOCAL_BASE if image_exists(engine, LOCAL_BASE) else None
    if wanted == "auto":
        for tag in (LOCAL_BASE, PUBLIC_BASE):
            if image_exists(engine, tag):
                return tag
        return None
    if not image_exists(engine, wanted):
        raise BaseImageError(f"base image '{wanted}' is not in the engine: `docker pull {wanted}` where a "
                             "registry answers (or `docker load` it), or use --base debootstrap")
    return wanted


def build_debian_base(mirror: str = DEBIAN_MIRROR, tag: str = LOCAL_BASE) -> str:
    """debootstrap a minimal bookworm with Python, then import it as an image (about a minute)."""
    if shutil.which("debootstrap") is None:
        raise BaseImageError("debootstrap is not installed: `apt-get install debootstrap` (Debian/Ubuntu)")
    with tempfile.TemporaryDirectory(prefix="sandlab-base-") as scratch:
        root = Path(scratch) / "root"
        done = subprocess.run(["debootstrap", "--variant=minbase", f"--include={PACKAGES}", "bookworm",
                               str(root), mirror], capture_output=True, text=True)
        if done.returncode != 0:
            tail = "\n".join(done.stdout.strip().splitlines()[-5:])
            raise BaseImageError(f"debootstrap failed (root is required; mirror {mirror}):\n{tail}")
        shutil.rmtree(root / "var/cache/apt/archives", ignore_errors=True)
        (root / "var/cache/apt/archives/partial").mkdir(parents=True, exist_ok=True)
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        imported = subprocess.run([cli(), "import", "--change", 'CMD ["/bin/bash"]', "-", tag],
                                  stdin=tar.stdout, capture_output=True, text=True)
        tar.wait()
        if imported.returncode != 0 or tar.returncode != 0:
            raise BaseImageError(f"docker import failed: {imported.stderr.strip()}")
    return tag
