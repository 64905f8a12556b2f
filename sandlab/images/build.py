"""`docker build` with BuildKit, one image at a time, reported step by step.

BuildKit is what lets an image install from the wheelhouse through a bind mount
(`RUN --mount`), so the wheels never land in a layer. docker-py only speaks the legacy
builder, hence the docker command here.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docker

from sandlab.engine import cli
from sandlab.images.names import ImageSource

STEP = re.compile(r"^#\d+ \[(?:[\w-]+ )?(\d+)/(\d+)\] (.*)$")


class BuildError(RuntimeError):
    pass


@dataclass(frozen=True)
class Built:
    tag: str
    seconds: float
    size_bytes: int


def build_image(root: Path, source: ImageSource, base: str, engine: docker.DockerClient,
                on_step: Callable[[int, int, str], None] = lambda done, total, text: None) -> Built:
    """Build ``source`` on top of ``base``; ``on_step`` hears (step, steps, instruction)."""
    command = [cli(), "build", "--progress=plain", "--build-arg", f"BASE={base}",
               "-f", str(root / source.dockerfile), "-t", source.tag, str(root)]
    previous = _image_id(engine, source.tag)
    started = time.monotonic()
    last_lines: deque[str] = deque(maxlen=15)
    env = {**os.environ, "DOCKER_BUILDKIT": "1"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env) as build:
        for line in build.stdout:
            last_lines.append(line.rstrip())
            if step := STEP.match(line.strip()):
                on_step(int(step.group(1)), int(step.group(2)), step.group(3)[:70])
    if build.returncode != 0:
        raise BuildError(f"building {source.tag} from {source.dockerfile} failed:\n" + "\n".join(last_lines))
    image = engine.images.get(source.tag)
    if previous and previous != image.id:  # the replaced image, untagged now: don't let them pile up
        with contextlib.suppress(docker.errors.APIError):
            engine.images.remove(previous)
    return Built(source.tag, time.monotonic() - started, image.attrs["Size"])


def _image_id(engine: docker.DockerClient, tag: str) -> str | None:
    try:
        return engine.images.get(tag).id
    except docker.errors.ImageNotFound:
        return None
