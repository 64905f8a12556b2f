"""Image names and the source files they build from: the one place that knows them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PUBLIC_BASE = "python:3.11-slim-bookworm"
LOCAL_BASE = "sandlab-base:bookworm"
LAB_IMAGE = "sandlab-lab:latest"
HUB_IMAGE = "sandlab-hub:latest"
TRAINER_IMAGE = "sandlab-trainer:latest"  # the lab image plus the labs' sources: trainers' servers only
POSTGRES_IMAGE = "sandlab-postgres:latest"
LAB_IMAGE_LABEL = "sandlab.image=lab"  # on every lab image (labs/Dockerfile), also one built FROM it

# The images' interpreter: Debian bookworm's Python (the public slim image is also 3.11).
PYTHON_VERSION = "3.11.2"


@dataclass(frozen=True)
class ImageSource:
    """What `docker build` needs for one image, relative to the project root."""

    tag: str
    dockerfile: str
    requirements: str


LAB = ImageSource(LAB_IMAGE, "labs/Dockerfile", "images/lab.in")
TRAINER = ImageSource(TRAINER_IMAGE, "images/trainer/Dockerfile", "")  # FROM the lab image: built after it
HUB = ImageSource(HUB_IMAGE, "hub/Dockerfile", "images/hub.in")
POSTGRES = ImageSource(POSTGRES_IMAGE, "images/postgres/Dockerfile", "")
LOCK = "images/lock.txt"
HUB_NODEPS = "images/hub-nodeps.txt"  # pinned here, kept in the lock as they are
WHEELHOUSE = "build/wheelhouse"
OWN_WHEEL = "build/sandlab-wheel"


class NotASourceTree(RuntimeError):
    pass


def project_root() -> Path:
    """The source tree the images build from (images need Dockerfiles and the lock)."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / LOCK).is_file() and (folder / "pyproject.toml").is_file():
            return folder
    raise NotASourceTree("images build from a Sandlab source tree (Dockerfiles, images/lock.txt); "
                         "run this command from an editable install of a checkout")
