"""A trainer's workspace, made at each start of their server (images/lab/jupyter_server_config.py).

The trainer image (images/trainer/Dockerfile) holds the catalogue's sources and sets where they
go, so that `sandlab labs new|validate` in the trainer's terminal need no argument but the lab:

    SANDLAB_LABS_ROOT   their lab library (~/labs): the catalogue's sources (solutions, hidden
                        tests, wrong answers) copied at first sight, then theirs to edit; a lab
                        already there is never overwritten, new catalogue labs are added
    SANDLAB_PACK        the cohort's pack as the validator reads it: public/ -> ~/data and
                        answers/ -> ~/answers, both read-only mounts (answers: trainers only)

Its home also gets ``publish.ipynb``, the publishing desk (sandlab.labs.publish_desk), once.

A learner's image sets none of these: nothing happens there.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from sandlab.labs.paths import ANSWERS_ENV, DATA_ENV

SOURCES_ENV = "SANDLAB_LAB_SOURCES"  # the catalogue's sources, in the trainer image
LABS_ROOT_ENV, PACK_ENV = "SANDLAB_LABS_ROOT", "SANDLAB_PACK"
COHORT_ENV = "SANDLAB_COHORT"  # the server's cohort, as the spawner sets it


def seed_library(library: Path, sources: Path) -> list[str]:
    """Copy each catalogue lab not yet in the trainer's library; the ids copied now."""
    library.mkdir(parents=True, exist_ok=True)
    copied = []
    for spec in sorted(sources.glob("*/lab.yaml")):
        mine = library / spec.parent.name
        if mine.exists():
            continue
        partial = library / f".{spec.parent.name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(spec.parent, partial)
        partial.rename(mine)  # a lab appears whole or not at all
        copied.append(mine.name)
    return copied


def link_pack(root: Path, public: Path, answers: Path) -> Path:
    """The validator's view of the cohort's pack: public/ and answers/ pointing at the mounts."""
    root.mkdir(parents=True, exist_ok=True)
    for name, target in (("public", public), ("answers", answers)):
        link = root / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)
    return root


DESK_NOTEBOOK = "publish.ipynb"
DESK_TITLE = {"fr": "# Publier mes labs\n\nExécutez la cellule ci-dessous (Maj+Entrée).",
              "en": "# Publish my labs\n\nRun the cell below (Shift+Enter)."}


def write_desk(home: Path, language: str) -> Path | None:
    """The publishing desk's notebook, written whole once (a trainer may keep their own changes)."""
    path = home / DESK_NOTEBOOK
    if path.exists():
        return None
    import nbformat  # the lab image's: a trainer's server writes it
    from nbformat.v4 import new_code_cell, new_markdown_cell

    from sandlab.labs.notebook import notebook

    desk = notebook([new_markdown_cell(DESK_TITLE.get(language, DESK_TITLE["fr"])),
                     new_code_cell("from sandlab.labs.publish_desk import desk\ndesk()")], language)
    partial = home / f".{DESK_NOTEBOOK}.partial"
    nbformat.write(desk, partial)
    return partial.replace(path)


def prepare(environ: Mapping[str, str] = os.environ) -> list[str]:
    """Both, in a trainer's server; the labs added to the library now."""
    sources, library, pack = (environ.get(name) for name in (SOURCES_ENV, LABS_ROOT_ENV, PACK_ENV))
    if not (sources and library and pack and Path(sources).is_dir()):
        return []
    home = Path.home()
    link_pack(Path(pack), Path(environ.get(DATA_ENV, home / "data")), Path(environ.get(ANSWERS_ENV, home / "answers")))
    write_desk(home, environ.get("SANDLAB_LANGUAGE", "fr"))
    return seed_library(Path(library), Path(sources))
