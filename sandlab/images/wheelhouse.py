"""One lock for hub and lab, and a wheelhouse for the images' interpreter.

The lock is one resolution of both images' requirements, so the hub's JupyterHub and the
lab's jupyterhub-singleuser can never drift apart. The wheelhouse holds a wheel per pinned
version for CPython 3.11 on manylinux x86_64; images install from it with ``--no-index``,
which is also how an air-gapped network builds: fill the wheelhouse where PyPI answers,
carry the folder, build.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from sandlab.images.names import HUB, HUB_NODEPS, LAB, PYTHON_VERSION

WHEEL_DATE = 315532800  # 1980-01-01, the earliest a zip file can say: Sandlab's wheel has no build date
PLATFORMS = ("manylinux_2_36_x86_64", "manylinux_2_28_x86_64", "manylinux_2_17_x86_64",
             "manylinux2014_x86_64", "linux_x86_64")


class WheelhouseError(RuntimeError):
    pass


def target_args() -> list[str]:
    """pip arguments that select wheels for the images' interpreter, not this one."""
    args = ["--only-binary=:all:", "--python-version", PYTHON_VERSION, "--implementation", "cp",
            "--abi", "cp311"]
    for platform in PLATFORMS:
        args += ["--platform", platform]
    return args


def _pip(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-6:])
        raise WheelhouseError(f"pip {args[0]} failed:\n{tail}")
    return done


def resolve_lock(root: Path) -> list[str]:
    """Resolve hub.in and lab.in together; return ``name==version`` pins, sorted."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        _pip("install", "--dry-run", "--ignore-installed", "--quiet", "--report", str(report),
             "--target", str(Path(scratch) / "never"), *target_args(),
             "-r", str(root / HUB.requirements), "-r", str(root / LAB.requirements))
        installed = json.loads(report.read_text())["install"]
    pins = {item["metadata"]["name"].lower().replace("_", "-"): item["metadata"]["version"] for item in installed}
    pins.update(nodeps_pins(root))
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


def nodeps_pins(root: Path) -> dict[str, str]:
    """The hub's --no-deps wheels: their dependencies would not resolve (nor are they wanted)."""
    pins = {}
    for line in (root / HUB_NODEPS).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            if not version:
                raise WheelhouseError(f"{HUB_NODEPS}: '{line}' must be pinned (name==version)")
            pins[name.lower().replace("_", "-")] = version
    return pins


def write_lock(root: Path, lock: Path) -> int:
    pins = resolve_lock(root)
    header = ("# One lock for the hub and the lab image (JupyterHub majors must match).\n"
              "# Made by `sandlab images lock` from images/hub.in and images/lab.in for CPython "
              f"{PYTHON_VERSION}, manylinux x86_64.\n")
    partial = lock.with_suffix(".partial")
    partial.write_text(header + "\n".join(pins) + "\n")
    partial.replace(lock)
    return len(pins)


def fill_wheelhouse(lock: Path, wheelhouse: Path) -> int:
    """Download every pinned wheel; those already present are kept."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    _pip("download", "--no-deps", "--quiet", *target_args(), "-r", str(lock), "-d", str(wheelhouse))
    return sum(1 for _ in wheelhouse.glob("*.whl"))


def build_own_wheel(root: Path, folder: Path) -> Path:
    """Sandlab's own wheel, alone in its folder: the hub installs it last, and a code
    change must not invalidate the cached layers built from the wheelhouse. The same
    sources give the same bytes (fixed zip dates), so building again without a change
    keeps every image as it is, and running servers on the current image."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.whl"):
        old.unlink()
    _pip("wheel", "--no-deps", "--quiet", "-w", str(folder), str(root),
         env={**os.environ, "SOURCE_DATE_EPOCH": str(WHEEL_DATE)})
    return next(folder.glob("sandlab-*.whl"))
