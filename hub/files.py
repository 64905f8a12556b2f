"""Writing IT's and the hub's files: whole files or nothing, private from the start."""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE = 0o600


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with ``text``, mode 0600 from creation (no window where it is readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace(path, text, PRIVATE)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` in one rename: a reader sees the old file or the new one. An existing file
    keeps its mode; a new one is private (a cohort file lists people's e-mails)."""
    _replace(path, text, stat.S_IMODE(path.stat().st_mode) if path.exists() else PRIVATE)


def _replace(path: Path, text: str, mode: int) -> None:
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(partial, mode)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
