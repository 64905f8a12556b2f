"""The Docker engine, reached the same way by every command and test."""

from __future__ import annotations

import os
import shutil

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


def cli() -> str:
    """The docker client used for BuildKit builds (SANDLAB_DOCKER overrides the PATH's)."""
    found = os.environ.get("SANDLAB_DOCKER") or shutil.which("docker")
    if not found:
        raise NoEngine("no docker command on PATH; install Docker's client or set SANDLAB_DOCKER")
    return found


def image_exists(engine: docker.DockerClient, tag: str) -> bool:
    try:
        engine.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True
