"""Benchmark: memory and time of `sandlab anonymize run` as a structured CSV grows.

Each size runs in a child process whose peak resident memory is read back from the
kernel, so the figures show how memory scales with the rows (streamed) and with the
distinct personal values (kept for the leak search and the surrogates).

    python bench/anonymize_stream.py --rows 100000 1000000
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

FIRST = ["Marie", "Jean", "Camille", "Louis", "Léa", "Hugo", "Chloé", "Lucas", "Manon", "Nathan"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"]


def write_csv(path: Path, rows: int, distinct_people: int) -> None:
    rng = random.Random(1)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "prenom", "nom", "email", "telephone", "date_naissance", "montant", "ville"])
        for i in range(rows):
            person = rng.randrange(distinct_people)
            first, last = FIRST[person % 10], f"{LAST[person // 10 % 10]}{person // 100}"
            writer.writerow([i, first, last, f"{first.lower()}.{last.lower()}@example.fr",
                             f"06 {person // 1000000 % 100:02d} {person // 10000 % 100:02d} {person // 100 % 100:02d} "
                             f"{person % 100:02d}", f"19{50 + person % 50}-0{1 + person % 9}-1{person % 9}",
                             rng.randrange(10, 5000), "Lyon"])


POLICY = {"language": "fr", "k": 1, "tables": {"big.csv": {"columns": {
    "id": "keep", "prenom": {"action": "pseudonymize", "entity": "FIRST_NAME"},
    "nom": {"action": "pseudonymize", "entity": "LAST_NAME"},
    "email": {"action": "pseudonymize", "entity": "EMAIL_ADDRESS"},
    "telephone": {"action": "pseudonymize", "entity": "PHONE_NUMBER"},
    "date_naissance": {"action": "generalize", "to": "year"}, "montant": "keep", "ville": "keep"}}}}


def measure(rows: int, distinct: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "in").mkdir()
        write_csv(folder / "in" / "big.csv", rows, distinct)
        size = (folder / "in" / "big.csv").stat().st_size
        (folder / "policy.yaml").write_text(yaml.safe_dump(POLICY))
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "sandlab.cli", "anonymize", "run", str(folder / "in"),
                               "--policy", str(folder / "policy.yaml"), "--out", str(folder / "out"), "--json"],
                              capture_output=True, text=True,
                              env={"SANDLAB_ANONYMIZE_KEY": "stream-benchmark-key-0123456789", "PATH": "/usr/bin:/bin"})
        if done.returncode:
            rejected = folder / "out.rejected-report.md"
            details = rejected.read_text()[:3000] if rejected.exists() else ""
            raise SystemExit(f"run failed:\n{done.stderr[-3000:]}\n{details}")
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"rows": rows, "distinct_people": distinct, "csv_mib": round(size / 2**20), "seconds": round(seconds, 1),
            "rows_per_s": round(rows / seconds), "peak_rss_mib_so_far": round(peak)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--distinct", type=int, default=20_000, help="Distinct people in the file.")
    args = parser.parse_args()
    for rows in args.rows:
        result = measure(rows, args.distinct)
        print(f"{rows:,} rows ({result['csv_mib']} MiB, {args.distinct:,} distinct people): {result['seconds']} s, "
              f"{result['rows_per_s']:,} rows/s, peak memory of the largest run so far "
              f"{result['peak_rss_mib_so_far']} MiB")
        print(json.dumps(result))


if __name__ == "__main__":
    main()
