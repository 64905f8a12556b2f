"""keep: publish the column as it is (identifiers, categories, amounts)."""

from sandlab.anonymizer.operators.base import Operator


class Keep(Operator):
    name = "keep"

    def apply(self, values: list, first_row: int) -> list:
        return values
