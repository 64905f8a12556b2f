"""One KPI figure and the smallest-cell rule, in one place.

Learners are employees and a trainer may be their manager: a figure computed on fewer than
``min_cell`` learners could point at a person, so it is shown as suppressed, never as a value.
Every figure of a report, and every list of free text, goes through ``figure`` or ``shown``.
"""

from __future__ import annotations

from typing import TypedDict

MIN_CELL = 5


class Fig(TypedDict):
    value: float | None
    n: int  # distinct learners behind the figure
    suppressed: bool


def too_small(n: int, min_cell: int = MIN_CELL) -> bool:
    """The smallest-cell rule: some learners, but fewer than ``min_cell``."""
    return 0 < n < min_cell


def figure(value: float | None, n: int, min_cell: int = MIN_CELL) -> Fig:
    """A figure on ``n`` learners: no value when nobody is behind it, suppressed when too few are."""
    n = int(n or 0)
    if n <= 0:
        return {"value": None, "n": 0, "suppressed": False}
    if too_small(n, min_cell):
        return {"value": None, "n": n, "suppressed": True}
    return {"value": None if value is None else float(value), "n": n, "suppressed": False}


def shown(n: int, min_cell: int = MIN_CELL) -> bool:
    """Whether free text written by ``n`` learners may be listed (anonymous, but only in a crowd)."""
    return n >= min_cell


def empty() -> Fig:
    return figure(None, 0)
