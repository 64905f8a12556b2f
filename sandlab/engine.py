"""The Docker engine, reached the same way by every command and test."""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

import docker
from docker.errors import DockerException


class NoEngine(RuntimeError):
    pass


def client() -> docker.DockerClient:
    """A client of the engine DOCKER_HOST names (the local socket by default)."""
    try:
        engine = docker.from_env(timeout=300)
        engine.ping()
    except DockerException as error:
        raise NoEngine("no Docker engine answers (is dockerd running, and may this user use its socket?): "
                       f"{error}") from None
    return engine


@functools.cache
def cli() -> str:
    """The docker client for BuildKit builds: SANDLAB_DOCKER, else the first on PATH that can
    build with DOCKER_BUILDKIT=1 (a client from 23 on needs its buildx plugin for that)."""
    if os.environ.get("SANDLAB_DOCKER"):
        return os.environ["SANDLAB_DOCKER"]
    candidates = [str(Path(folder) / "docker") for folder in os.environ.get("PATH", "").split(os.pathsep)
                  if (Path(folder) / "docker").is_file() and os.access(Path(folder) / "docker", os.X_OK)]
    for candidate in candidates:
        if _builds_with_buildkit(candidate):
            return candidate
    if candidates:
        raise NoEngine(f"no docker client on PATH can build with BuildKit ({', '.join(candidates)}): install the "
                       "buildx plugin, or point SANDLAB_DOCKER at a client that can")
    raise NoEngine("no docker command on PATH; install Docker's client or set SANDLAB_DOCKER")


def _builds_with_buildkit(candidate: str) -> bool:
    version = subprocess.run([candidate, "version", "--format", "{{.Client.Version}}"], capture_output=True,
                             text=True).stdout.strip()
    major = int(version.split(".")[0]) if version[:1].isdigit() else 0
    if 0 < major < 23:  # the classic client runs BuildKit itself
        return True
    return subprocess.run([candidate, "buildx", "version"], capture_output=True).returncode == 0


def image_exists(engine: docker.DockerClient, tag: str) -> bool:
    return _exists(engine.images, tag)


def container_exists(engine: docker.DockerClient, name: str) -> bool:
    return _exists(engine.containers, name)


def _exists(collection, key: str) -> bool:
    try:
        collection.get(key)
    except docker.errors.NotFound:  # ImageNotFound is one
        return False
    return True
