"""Column operators: input -> output tables, and bad parameters refused by name."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from sandlab.anonymizer.operators import OperatorContext, operator_for
from sandlab.anonymizer.policy import ColumnPolicy
from sandlab.anonymizer.sources import InputError
from sandlab.anonymizer.surrogates import Surrogates
from tests.anonymizer.conftest import KEY


def apply(values, **policy):
    spec = ColumnPolicy(**policy)
    context = OperatorContext(Surrogates(KEY, "fr", set()), scanner=None, reference_date=dt.date(2025, 12, 31),
                              source="people.csv", column="col")
    return operator_for(spec.action)(spec, context).apply(values, 1)


@pytest.mark.parametrize(("policy", "values", "expected"), [
    ({"action": "keep"}, ["a", None], ["a", None]),
    ({"action": "drop"}, ["a", "b"], [None, None]),
    ({"action": "mask", "keep_last": 4}, ["06 12 34 56 78"], ["** ** ** 56 78"]),
    ({"action": "mask", "keep_last": 0}, ["abc"], ["***"]),
    ({"action": "generalize", "to": "month"}, ["2024-03-17", dt.date(2023, 1, 2)], ["2024-03", "2023-01"]),
    ({"action": "generalize", "to": "year"}, ["17/03/2024"], ["2024"]),
    ({"action": "generalize", "to": "age_band"}, ["1990-06-01", "1990-12-31"], ["30-39", "30-39"]),
    ({"action": "generalize", "to": "age_band", "width": 10, "bottom": 30, "top": 50},
     ["2000-01-01", "1960-01-01", "1985-01-01"], ["<30", "50+", "40-49"]),
    ({"action": "generalize", "to": "department"}, ["69003", "1000", "75 011"], ["69", "01", "75"]),
    ({"action": "generalize", "to": "band", "width": 5000}, [31200, "44999.5"], ["30000-35000", "40000-45000"]),
    ({"action": "hash"}, ["x", "x", "y"], None),
])
def test_table(policy, values, expected):
    out = apply(values, **policy)
    if expected is None:  # hash: consistent, keyed, not the value
        assert out[0] == out[1] != out[2] and len(out[0]) == 16 and out[0] != "x"
    else:
        assert out == expected


def test_bad_values_name_their_row_and_column():
    with pytest.raises(InputError, match=r"people.csv: row 2, column 'col': not a date"):
        apply(["2024-01-01", "soon"], action="generalize", to="year")
    with pytest.raises(InputError, match=r"row 1, column 'col': not a number"):
        apply(["lots"], action="generalize", to="band", width=10)


@pytest.mark.parametrize(("policy", "message"), [
    ({"action": "pseudonymize"}, "pseudonymize needs 'entity'"),
    ({"action": "pseudonymize", "entity": "SHOE_SIZE"}, "pseudonymize needs 'entity'"),
    ({"action": "generalize"}, "generalize needs 'to'"),
    ({"action": "generalize", "to": "band"}, "needs 'width'"),
    ({"action": "shred"}, "Input should be 'keep'"),
    ({"action": "mask", "keep_last": -1}, "greater than or equal to 0"),
])
def test_bad_parameters(policy, message):
    with pytest.raises(ValidationError, match=message):
        ColumnPolicy(**policy)
