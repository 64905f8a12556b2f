"""generalize: a date to its month or year, a birth date to an age band, a postcode to
its department (or ZIP3), a number to a band."""

from __future__ import annotations

import datetime as dt
import math
import re

from sandlab.anonymizer.operators.base import Operator
from sandlab.anonymizer.sources import InputError


def as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text[:19], pattern).date()
        except ValueError:
            continue
    return None


class Generalize(Operator):
    name = "generalize"

    def one(self, value, row: int):
        target = self.policy.to
        if target in ("month", "year", "age_band"):
            day = as_date(value)
            if day is None:
                raise InputError(f"{self.where(row)}: not a date (expected YYYY-MM-DD or DD/MM/YYYY); "
                                 f"fix the value or change the action")
            if target == "month":
                return f"{day.year:04d}-{day.month:02d}"
            if target == "year":
                return f"{day.year:04d}"
            ref = self.context.reference_date
            age = ref.year - day.year - ((ref.month, ref.day) < (day.month, day.day))
            return self._band(age, self.policy.width or 10, integer=True)
        if target == "department":
            code = re.sub(r"\s", "", str(value))
            if not re.fullmatch(r"\d{4,5}(-\d{4})?", code):
                raise InputError(f"{self.where(row)}: not a postcode; fix the value or change the action")
            if len(code) == 4:  # a French postcode that lost its leading zero
                code = "0" + code
            return code[:2] if len(code) == 5 and self.context.surrogates.language == "fr" else code[:3]
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InputError(f"{self.where(row)}: not a number; fix the value or change the action") from None
        return self._band(number, self.policy.width, integer=False)

    def _band(self, number: float, width: float, *, integer: bool) -> str:
        """'30-39' (ages) or '30000-35000' (amounts); open-ended beyond bottom and top."""
        bottom, top = self.policy.bottom, self.policy.top
        if bottom is not None and number < bottom:
            return f"<{bottom:g}"
        if top is not None and number >= top:
            return f"{top:g}+"
        low = math.floor(number / width) * width
        return f"{low:g}-{low + width - 1:g}" if integer else f"{low:g}-{low + width:g}"
