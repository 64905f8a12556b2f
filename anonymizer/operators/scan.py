"""scan: free text; every detected piece of personal data replaced by its surrogate."""

from sandlab.anonymizer.operators.base import Operator


class Scan(Operator):
    name = "scan"

    def apply(self, values: list, first_row: int) -> list:
        scanner, source, column = self.context.scanner, self.context.source, self.context.column
        return [None if v is None else scanner.rewrite((source, column, first_row + i), str(v))
                for i, v in enumerate(values)]
