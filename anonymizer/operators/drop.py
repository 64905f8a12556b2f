"""drop: empty the column; it stays in the schema so code that reads it still runs."""

from sandlab.anonymizer.operators.base import Operator


class Drop(Operator):
    name = "drop"

    def apply(self, values: list, first_row: int) -> list:
        return [None] * len(values)
