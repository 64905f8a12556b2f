"""Data-quality defects in the public customers table, at the profile's stated rates.

Rates are fractions of the clean row count and are applied exactly (rounded), so the
"role of data" lab can be graded against `answers/quality_defects`: duplicated rows
(re-keyed, lightly altered), missing values, and values written in another format.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from sandlab.datasets.context import Context, table_of

MISSING_COLUMNS = ("email", "phone", "postal_code")


def inject_defects(ctx: Context, columns: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], pa.Table]:
    rng = ctx.rng("data-quality")
    rates = ctx.profile.signals.data_quality
    n = len(columns["customer_id"])
    cols = dict(columns)
    for key in (*MISSING_COLUMNS, "last_name"):
        cols[key] = np.asarray(cols[key], dtype=object).copy()
    n_dup, n_missing, n_format = (round(r * n) for r in (rates.duplicate_rate, rates.missing_rate, rates.format_rate))
    picked = rng.permutation(n)
    missing_rows = np.sort(picked[:n_missing])
    format_rows = np.sort(picked[n_missing:n_missing + n_format])
    dup_sources = np.sort(rng.choice(n, size=n_dup, replace=False))

    defects: list[tuple[int, str, str, int | None]] = []
    missing_col = rng.choice(len(MISSING_COLUMNS), size=n_missing)
    for row, k in zip(missing_rows, missing_col, strict=True):
        cols[MISSING_COLUMNS[k]][row] = None
        defects.append((row + 1, MISSING_COLUMNS[k], "missing", None))
    for row in format_rows:
        number = cols["phone"][row]
        variants = [v for v in ctx.locale.phone_variants(number) if v != number]
        cols["phone"][row] = variants[rng.integers(0, len(variants))]
        defects.append((row + 1, "phone", "inconsistent_format", None))

    # Duplicates: the same customer keyed in again, with its name in capitals.
    new_ids = np.arange(n + 1, n + n_dup + 1)
    for key, values in cols.items():
        if isinstance(values, pa.Array):
            cols[key] = pa.concat_arrays([values, values.take(pa.array(dup_sources))])
        elif key == "customer_id":
            cols[key] = np.concatenate([values, new_ids]).astype(np.int64)
        else:
            extra = values[dup_sources].copy()
            if key == "last_name":
                extra = np.array([v.upper() for v in extra], dtype=object)
            cols[key] = np.concatenate([values, extra])
    defects += [(int(i), "*", "duplicate", int(src) + 1) for i, src in zip(new_ids, dup_sources, strict=True)]
    defects.sort(key=lambda d: (d[0], d[1]))
    answers = table_of({
        "customer_id": np.array([d[0] for d in defects], dtype=np.int64),
        "column": [d[1] for d in defects],
        "defect": [d[2] for d in defects],
        "duplicate_of": pa.array([d[3] for d in defects], type=pa.int64()),
    })
    return cols, answers
