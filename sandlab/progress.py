"""A rich progress display that any stage's long work can report to."""

from __future__ import annotations

from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bars


class Progress(Protocol):
    """What long work reports; the CLI draws it with rich, library callers may pass nothing."""

    def start(self, name: str, total: int | None) -> None: ...
    def advance(self, rows: int) -> None: ...


class NoProgress:
    def start(self, name: str, total: int | None) -> None:
        pass

    def advance(self, rows: int) -> None:
        pass


class RichProgress:
    """One bar per step; `start` ends the previous step and opens the next."""

    def __init__(self, console: Console, *, disable: bool = False):
        self._progress = Bars(TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), console=console, disable=disable, transient=False)
        self._task = None

    def __enter__(self) -> RichProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._close_current()
        self._progress.__exit__(*exc)

    def _close_current(self) -> None:
        if self._task is not None:
            task = self._progress.tasks[-1]
            self._progress.update(self._task, total=task.completed or 1, completed=task.completed or 1)

    def start(self, name: str, total: int | None) -> None:
        self._close_current()
        self._task = self._progress.add_task(name, total=total)

    def advance(self, rows: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, rows)
