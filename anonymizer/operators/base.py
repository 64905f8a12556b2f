"""What every column operator is, and what the run gives it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from sandlab.anonymizer.policy import ColumnPolicy
from sandlab.anonymizer.surrogates import Surrogates

if TYPE_CHECKING:
    from sandlab.anonymizer.scanner import TextScanner


@dataclass
class OperatorContext:
    surrogates: Surrogates
    scanner: TextScanner
    reference_date: dt.date  # ages are computed on this day
    source: str  # table key, for error messages
    column: str


class Operator:
    """Transforms the values of one column; ``None`` (a missing value) stays ``None``."""

    name: ClassVar[str]

    def __init__(self, policy: ColumnPolicy, context: OperatorContext):
        self.policy, self.context = policy, context

    def apply(self, values: list, first_row: int) -> list:
        return [None if v is None else self.one(v, first_row + i) for i, v in enumerate(values)]

    def one(self, value, row: int):
        raise NotImplementedError

    def where(self, row: int) -> str:
        return f"{self.context.source}: row {row}, column '{self.context.column}'"
