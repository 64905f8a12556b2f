"""Column operators: one per file, one base class, found by name.

An operator turns a chunk of a column into its published form. The pipeline gives
each the run's context (surrogates, key, the text scanner, reference date).
"""

from __future__ import annotations

from sandlab.anonymizer.operators.base import Operator, OperatorContext
from sandlab.anonymizer.operators.drop import Drop
from sandlab.anonymizer.operators.generalize import Generalize
from sandlab.anonymizer.operators.hash import Hash
from sandlab.anonymizer.operators.keep import Keep
from sandlab.anonymizer.operators.mask import Mask
from sandlab.anonymizer.operators.pseudonymize import Pseudonymize
from sandlab.anonymizer.operators.scan import Scan

OPERATORS: dict[str, type[Operator]] = {op.name: op for op in (Keep, Drop, Pseudonymize, Hash, Generalize, Mask,
                                                                 Scan)}


def operator_for(action: str) -> type[Operator]:
    if action not in OPERATORS:
        raise ValueError(f"unknown action '{action}': use one of {', '.join(OPERATORS)}")
    return OPERATORS[action]


__all__ = ["OPERATORS", "Operator", "OperatorContext", "operator_for"]
