"""Benchmark: the dashboard's main page for one cohort (the trainer's page: every KPI computed,
then rendered with its charts), as the KPI service builds it for a request its cache has not
seen, against the naive per-learner loop (bench/kpis.py's `naive_kpis`) rendered the same way.
Target: under 1 s at the 95th percentile for a 500-learner cohort.

    python bench/dashboard.py                 # 500 learners x 16 labs, 20 pages each side
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from kpis import COHORT, generate, naive_kpis  # noqa: E402 - bench/kpis.py
from sandlab.kpis.compute import cohort_kpis  # noqa: E402
from sandlab.kpis.pages import cohort_page  # noqa: E402
from sandlab.kpis.store import KpiStore  # noqa: E402


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, round(0.95 * len(times)) - 1)]


def timed(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sandlab-bench-dashboard-") as work:
        store = KpiStore(Path(work) / "kpis.sqlite")
        generate(store, args.learners, seed=7)
        page = timed(lambda: cohort_page(cohort_kpis(store, COHORT), "en", "trainer", others=[]), args.runs)
        report = cohort_kpis(store, COHORT)
        naive = timed(lambda: (naive_kpis(store, COHORT), cohort_page(report, "en", "trainer", others=[])), args.runs)
    print(f"dashboard page, {args.learners} learners x 16 labs, {args.runs} pages each")
    print(f"  sandlab (cohort_kpis + page): median {statistics.median(page):.3f} s, p95 {p95(page):.3f} s "
          f"(target < 1 s: {'met' if p95(page) < 1 else 'NOT met'})")
    print(f"  naive loop + the same page:   median {statistics.median(naive):.3f} s, p95 {p95(naive):.3f} s")
    print(f"  ratio sandlab / naive (p95): {p95(page) / p95(naive):.2f}x")


if __name__ == "__main__":
    main()
