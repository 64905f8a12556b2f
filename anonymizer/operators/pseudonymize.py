"""pseudonymize: a consistent, realistic surrogate of the declared entity type."""

from sandlab.anonymizer.operators.base import Operator


class Pseudonymize(Operator):
    name = "pseudonymize"

    def one(self, value, row: int):
        text = str(value)
        return self.context.surrogates.replace(self.policy.entity, text) if text.strip() else text
