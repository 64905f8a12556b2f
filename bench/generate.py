"""Benchmark: the synthetic generator against a naive per-row Faker loop, in one run.

Baseline: one Faker call per field per row (what most synthetic-data scripts do), on
the same employee table. Then a whole pack at the issue's reference size, timed in a
child process whose peak memory is read back from the kernel.

    python bench/generate.py                      # 10,000-row comparison + 10,000-employee pack
    python bench/generate.py --pack-employees 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from faker import Faker

from sandlab.datasets import GenerationSpec, load_profile
from sandlab.datasets.context import Context
from sandlab.datasets.providers import hr


def naive_employees(locale: str, rows: int, seed: int) -> list[dict]:
    """The baseline: a dictionary per row, a Faker call per field."""
    fake = Faker(locale)
    fake.seed_instance(seed)
    out = []
    for i in range(rows):
        female = fake.boolean()
        first = fake.first_name_female() if female else fake.first_name_male()
        last = fake.last_name()
        out.append({
            "employee_id": i + 1, "first_name": first, "last_name": last, "gender": "F" if female else "M",
            "birth_date": fake.date_of_birth(minimum_age=19, maximum_age=66), "national_id": fake.ssn(),
            "email": f"{first}.{last}@example.com".lower(), "phone": fake.phone_number(),
            "street": fake.street_address(), "postal_code": fake.postcode(), "city": fake.city(),
            "hire_date": fake.date_between(start_date="-20y", end_date="today"), "job_title": fake.job(),
            "salary": fake.pyint(20_000, 150_000), "contract_type": fake.random_element(("CDI", "CDD")),
            "performance_rating": fake.pyint(1, 5), "absence_days": fake.pyint(0, 30),
        })
    return out


def column_wise_employees(profile: str, rows: int, seed: int) -> int:
    spec = GenerationSpec(profile=load_profile(profile), locale=load_profile(profile).locale, seed=seed,
                          employees=rows)
    return hr.employees(Context(spec)).num_rows


def timed(fn, *args, repeat: int = 3) -> float:
    """Best of ``repeat`` runs (timeit's convention), for the baseline and for ours alike."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - start)
    return best


def whole_pack(profile: str, employees: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pack"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "sandlab.cli", "data", "generate", "--profile", profile,
                               "--employees", str(employees), "--seed", str(seed), "--out", str(out), "--json"],
                              check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        rows = json.loads(done.stdout)["rows"]
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"employees": employees, "seconds": round(seconds, 1), "peak_rss_mib": round(after.ru_maxrss / 1024),
            "cpu_seconds": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
            "order_lines": rows["order_lines"], "total_rows": sum(rows.values()), "pack_mib": round(size / 2**20)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000, help="Employee rows for the comparison.")
    parser.add_argument("--profile", default="fr-mid-size")
    parser.add_argument("--pack-employees", type=int, nargs="*", default=[10_000],
                        help="Whole packs to time (none to skip).")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    locale = load_profile(args.profile).locale

    naive = timed(naive_employees, locale, args.rows, args.seed)
    ours = timed(column_wise_employees, args.profile, args.rows, args.seed)
    result = {
        "date": dt.date.today().isoformat(),
        "employee_table": {
            "rows": args.rows, "locale": locale,
            "naive_faker_loop_rows_per_s": round(args.rows / naive),
            "sandlab_rows_per_s": round(args.rows / ours),
            "speedup": round(naive / ours, 1),
        },
        "packs": [whole_pack(args.profile, n, args.seed) for n in args.pack_employees],
    }
    table = result["employee_table"]
    print(f"employee table, {args.rows} rows ({locale}): naive Faker loop {table['naive_faker_loop_rows_per_s']:,} "
          f"rows/s, sandlab {table['sandlab_rows_per_s']:,} rows/s -> {table['speedup']}x")
    for pack in result["packs"]:
        print(f"pack of {pack['employees']:,} employees: {pack['seconds']} s wall, {pack['cpu_seconds']} CPU-s, "
              f"peak {pack['peak_rss_mib']} MiB, {pack['order_lines']:,} order lines, "
              f"{pack['total_rows']:,} rows, {pack['pack_mib']} MiB on disk")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
