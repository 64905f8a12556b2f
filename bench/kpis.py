"""Benchmark: a cohort's KPI report, Sandlab's SQL aggregates (`cohort_kpis`) against a naive
per-learner loop (`naive_kpis` below: for each learner, select their rows and compute in
Python, the way one writes it first), same database, same run.

The database: LEARNERS learners x 16 labs (4 personas), about 300 active minutes each over
two weeks of training and two after it (a hub row per minute, a kernel row for most), a
submission, 5 task scores and often a survey per lab handed in. Each side runs in a fresh
process (memory: that process's peak resident set during the run); both must agree on every
figure the baseline computes (270: funnel, completion per lab, engagement, after the training,
each task's mean score and failure rate, satisfaction, use cases).

    python bench/kpis.py                      # 2,000 learners x 16 labs
    python bench/kpis.py --learners 200 --runs 1
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import random
import resource
import statistics
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sandlab.kpis.compute import STAGES, cohort_kpis, learner_progress
from sandlab.kpis.store import CohortFacts, KpiStore, LabFacts, Objective, PlannedLab, ScoreRow

COHORT = "bench"
LABS = [f"l{index:02d}-bench" for index in range(1, 17)]
PERSONAS = ("leaders", "technical", "business", "support")
TASKS = (("t1", 2.0, False), ("t2", 2.0, False), ("t3", 1.0, False), ("t4", 3.0, False), ("m1", 5.0, True))
DAY0 = int(datetime(2026, 3, 2, tzinfo=UTC).timestamp()) // 60
TRAINING_DAYS, AFTER_DAYS = 14, 14
BATCH = 250  # learners per write transaction


def lab_facts() -> list[LabFacts]:
    return [LabFacts(lab, 1 + index // 4, f"Lab {lab}", f"Lab {lab}", 0.5,
                     (Objective("Comprendre", "Understand", ("t1", "t2")), Objective("Appliquer", "Apply",
                                                                                     ("t3", "t4", "m1"))))
            for index, lab in enumerate(LABS)]


def learner_rows(rng: random.Random, user: str) -> tuple[list, list, list, list]:
    """One learner's activity, submissions, scores and surveys."""
    reach = rng.randint(4, len(LABS))  # how far through the plan the learner gets
    seen: set[tuple[str, int, str]] = set()
    activity = []
    for _ in range(rng.randint(6, 16)):
        day = rng.randrange(TRAINING_DAYS) if rng.random() < 0.9 else TRAINING_DAYS + rng.randrange(AFTER_DAYS)
        start = DAY0 + day * 1440 + rng.randint(8 * 60, 18 * 60)
        lab = LABS[min(reach - 1, int(rng.random() * reach))]
        for minute in range(start, start + rng.randint(10, 45)):
            for key in ((("", minute, "hub"),) + (((lab, minute, "kernel"),) if rng.random() < 0.85 else ())):
                if key not in seen:
                    seen.add(key)
                    activity.append((COHORT, user, key[0], minute, key[2],
                                     0 if key[2] == "hub" else rng.choice((0, 1, 1, 2, 3))))
    started = {lab for lab, _, source in seen if source == "kernel"}
    submissions, scores, surveys = [], [], []
    for lab in sorted(started):
        if rng.random() > 0.8:
            continue
        for attempt in range(rng.randint(1, 2)):
            submissions.append((COHORT, user, lab, f"{user}-{lab}-{attempt}", "2026-03-10T10:00:00+00:00"))
        skill = rng.random()
        for task, maximum, manual in TASKS:
            score = None if manual and rng.random() < 0.3 else round(maximum * min(1.0, skill + rng.random() / 2), 1)
            scores.append(ScoreRow(COHORT, user, lab, task, score, maximum, manual))
        if rng.random() < 0.5:
            idea = f"idea {rng.randrange(1000)}" if rng.random() < 0.2 else ""
            surveys.append((COHORT, user, lab, rng.randint(2, 5), rng.randint(1, 5),
                            f"comment {rng.randrange(1000)}" if rng.random() < 0.3 else "", idea,
                            rng.randint(0, 240) if idea else None, "fr", "2026-03-11T10:00:00+00:00"))
    return activity, submissions, scores, surveys


def generate(store: KpiStore, learners: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    users = [f"learner{index:05d}" for index in range(learners)]
    ends = datetime.fromtimestamp((DAY0 + (TRAINING_DAYS - 1) * 1440) * 60, UTC).date().isoformat()
    store.put_cohort(CohortFacts(COHORT, "Benchmark cohort", "2026-03-02", ends), lab_facts(),
                     [PlannedLab(COHORT, user, PERSONAS[index % 4], lab)
                      for index, user in enumerate(users) for lab in LABS])
    for lab in LABS[:14]:
        for language in ("fr", "en"):
            store.put_release(COHORT, lab, language, "2026-03-01T08:00:00+00:00")
    counts = defaultdict(int)
    all_scores: list[ScoreRow] = []
    for first in range(0, learners, BATCH):
        activity, submissions, surveys = [], [], []
        for user in users[first:first + BATCH]:
            rows = learner_rows(rng, user)
            activity += rows[0]
            submissions += rows[1]
            all_scores += rows[2]
            surveys += rows[3]
        with store.transaction() as db:
            db.executemany("INSERT INTO activity VALUES (?, ?, ?, ?, ?, ?)", activity)
            db.executemany("INSERT OR REPLACE INTO surveys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", surveys)
        store.put_submissions(submissions)
        counts["activity rows"] += len(activity)
        counts["submissions"] += len(submissions)
        counts["surveys"] += len(surveys)
        print(f"  generated {min(first + BATCH, learners)}/{learners} learners, "
              f"{counts['activity rows']:,} activity rows", flush=True)
    store.replace_scores(COHORT, all_scores)
    counts["scores"] = len(all_scores)
    return dict(counts)


def naive_kpis(store: KpiStore, cohort: str) -> dict[str, float]:
    """The first way one writes it: for each learner, select their rows, compute in Python.

    The same figures as the report's headlines and per-lab rows, so that both sides do the same work."""
    with store.connect() as db:
        (ends,) = db.execute("SELECT ends FROM cohorts WHERE cohort = ?", (cohort,)).fetchone()
        after = int(datetime.combine(date.fromisoformat(ends) + timedelta(days=1), datetime.min.time(),
                                     UTC).timestamp()) // 60
        users = [user for (user,) in db.execute("SELECT DISTINCT user FROM plans WHERE cohort = ? ORDER BY user",
                                                (cohort,))]
        released = {lab for (lab,) in db.execute("SELECT lab FROM releases WHERE cohort = ?", (cohort,))}
        pass_marks = dict(db.execute("SELECT lab, pass_mark FROM labs"))
        pairs, reached = 0, dict.fromkeys(STAGES, 0)
        planned: dict[str, int] = defaultdict(int)
        lab_reached: dict[tuple[str, str], int] = defaultdict(int)
        lab_minutes: dict[str, int] = defaultdict(int)
        lab_executions: dict[str, float] = defaultdict(float)
        minutes = sessions = days = returning = rerun = after_minutes = 0
        shares: dict[tuple[str, str], list[float]] = defaultdict(list)
        ratings: dict[str, list[int]] = {"clarity": [], "usefulness": []}
        ideas, saved = 0, 0.0
        for user in users:
            key = (cohort, user)
            plan = [lab for (lab,) in db.execute("SELECT lab FROM plans WHERE cohort = ? AND user = ?", key)]
            activity = db.execute("SELECT lab, minute, source, executions FROM activity WHERE cohort = ? AND user = ?",
                                  key).fetchall()
            submitted = {lab for (lab,) in db.execute("SELECT lab FROM submissions WHERE cohort = ? AND user = ?",
                                                      key)}
            scores = db.execute("SELECT lab, task, score, max_score, manual FROM scores WHERE cohort = ? AND user = ?",
                                key).fetchall()
            surveys = db.execute("SELECT clarity, usefulness, idea, minutes_saved_per_week FROM surveys "
                                 "WHERE cohort = ? AND user = ?", key).fetchall()
            active = sorted({minute for _, minute, _, _ in activity})
            minutes += len(active)
            sessions += sum(1 for i, minute in enumerate(active) if i == 0 or minute - active[i - 1] > 30)
            days += len({minute // 1440 for minute in active})
            later = [minute for minute in active if minute >= after]
            returning += bool(later)
            after_minutes += len(later)
            started, again = set(), set()
            for lab, minute, source, executions in activity:
                if source != "kernel":
                    continue
                if lab in plan:
                    lab_minutes[lab] += 1
                    lab_executions[lab] += executions
                if executions > 0:
                    started.add(lab)
                    if minute >= after:
                        again.add(lab)
            rerun += len(again)
            points: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
            for lab, task, score, max_score, manual in scores:
                if score is not None and max_score > 0:
                    shares[(lab, task)].append(score / max_score)
                if not manual and max_score > 0:
                    points[lab][0] += score or 0.0
                    points[lab][1] += max_score
            passed = {lab for lab, (got, most) in points.items() if most and got / most >= pass_marks.get(lab, 0.5)}
            for lab in plan:
                pairs += 1
                planned[lab] += 1
                for stage, done in zip(STAGES, (released, started, submitted, passed), strict=True):
                    reached[stage] += lab in done
                    lab_reached[(lab, stage)] += lab in done
            for clarity, usefulness, idea, minutes_saved in surveys:
                ratings["clarity"].append(clarity)
                ratings["usefulness"].append(usefulness)
                if idea:
                    ideas += 1
                    saved += minutes_saved or 0
    n = len(users)
    figures = {f"funnel.{stage}": reached[stage] / pairs for stage in STAGES}
    figures |= {f"by_lab.{lab}.{stage}": lab_reached[(lab, stage)] / planned[lab] for lab in planned
                for stage in STAGES}
    figures |= {"active_minutes": minutes / n, "sessions": sessions / n, "days_active": days / n,
                "returning_learners": returning / n, "labs_rerun": rerun / n, "after_minutes": after_minutes / n,
                "clarity": statistics.fmean(ratings["clarity"]), "usefulness": statistics.fmean(ratings["usefulness"]),
                "ideas": ideas, "minutes_saved": saved}
    figures |= {f"engagement.{lab}.minutes": lab_minutes[lab] / planned[lab] for lab in planned}
    figures |= {f"engagement.{lab}.executions": lab_executions[lab] / planned[lab] for lab in planned}
    figures |= {f"task.{lab}.{task}.mean": statistics.fmean(values) for (lab, task), values in shares.items()}
    figures |= {f"task.{lab}.{task}.failed": sum(v < 0.5 for v in values) / len(values)
                for (lab, task), values in shares.items()}
    return figures


def report_figures(report: dict) -> dict[str, float]:
    """The same figures, read from `cohort_kpis`'s report."""
    completion, engagement, after = report["completion"], report["engagement"], report["after_training"]
    figures = {f"funnel.{stage}": completion["funnel"][stage]["value"] for stage in STAGES}
    figures |= {f"by_lab.{row['lab']}.{stage}": row[stage]["value"] for row in completion["by_lab"] for stage in STAGES}
    figures |= {key: engagement[key]["value"] for key in ("active_minutes", "sessions", "days_active")}
    figures |= {"returning_learners": after["returning_learners"]["value"], "labs_rerun": after["labs_rerun"]["value"],
                "after_minutes": after["active_minutes"]["value"],
                "clarity": report["satisfaction"]["clarity"]["value"],
                "usefulness": report["satisfaction"]["usefulness"]["value"],
                "ideas": report["use_cases"]["count"]["value"],
                "minutes_saved": report["use_cases"]["minutes_saved_per_week"]["value"]}
    figures |= {f"engagement.{row['lab']}.minutes": row["active_minutes"]["value"] for row in engagement["by_lab"]}
    figures |= {f"engagement.{row['lab']}.executions": row["executions"]["value"] for row in engagement["by_lab"]}
    for row in report["skills"]["by_task"]:
        figures[f"task.{row['lab']}.{row['task']}.mean"] = row["mean_share"]["value"]
        figures[f"task.{row['lab']}.{row['task']}.failed"] = row["failure_rate"]["value"]
    return figures


def peak_rss_mib() -> float:
    """This process's peak resident set size (VmHWM) since the last `reset_peak_rss`."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    """Start the peak over from the current size (Linux: writing 5 to clear_refs resets VmHWM)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _measured(kind: str, path: str) -> dict:
    """Run one side in this (fresh) process: wall time, peak RSS during the run, its figures."""
    store = KpiStore(Path(path))
    reset_peak_rss()
    before = peak_rss_mib()
    started = time.perf_counter()
    figures = naive_kpis(store, COHORT) if kind == "naive" else report_figures(cohort_kpis(store, COHORT, min_cell=1))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "before_mib": before, "peak_mib": peak_rss_mib(), "figures": figures}


def _progress_times(path: str, user: str, runs: int) -> list[float]:
    store = KpiStore(Path(path))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        learner_progress(store, COHORT, user)
        times.append(time.perf_counter() - started)
    return times


def in_child(function, *args):
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def agree(naive: dict[str, float], fast: dict[str, float]) -> list[str]:
    problems = [f"{name}: only one side has it" for name in sorted(naive.keys() ^ fast.keys())]
    return problems + [f"{name}: naive {naive[name]} vs {fast[name]}" for name in sorted(naive.keys() & fast.keys())
                       if abs(naive[name] - fast[name]) > 1e-9 * max(1.0, abs(naive[name]))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3, help="Runs of each side (each in a fresh process); best kept.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sandlab-bench-kpis-") as tmp:
        path = Path(tmp) / "kpis.sqlite"
        store = KpiStore(path)
        started = time.perf_counter()
        counts = generate(store, args.learners, args.seed)
        with store.connect() as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print(f"generated in {time.perf_counter() - started:.1f} s: {args.learners:,} learners x {len(LABS)} labs, "
              + ", ".join(f"{count:,} {what}" for what, count in counts.items())
              + f"; database {path.stat().st_size / 2**20:.0f} MiB")
        results = {}
        for kind in ("naive", "sandlab"):
            runs = [in_child(_measured, kind, str(path)) for _ in range(args.runs)]
            best = min(runs, key=lambda run: run["seconds"])
            results[kind] = best
            label = "naive per-learner loop" if kind == "naive" else "Sandlab cohort_kpis (SQL aggregates)"
            each = ", ".join(f"{run['seconds']:.2f}" for run in runs)
            print(f"{label}: {best['seconds']:.2f} s (best of {args.runs}: {each}), "
                  f"peak RSS during the run {best['peak_mib']:.0f} MiB (process at {best['before_mib']:.0f} MiB "
                  "before it)")
        problems = agree(results["naive"]["figures"], results["sandlab"]["figures"])
        print(f"the {len(results['naive']['figures'])} figures agree (funnel and completion per lab, active minutes, "
              "sessions, days, per-lab minutes and executions, after the training, every task's mean score and "
              "failure rate, satisfaction, use cases)" if not problems else
              "FIGURES DIFFER:\n  " + "\n  ".join(problems[:10]))
        times = in_child(_progress_times, str(path), "learner00042", 50)
        print(f"learner_progress (one learner, 16 labs): median {statistics.median(times) * 1000:.1f} ms, "
              f"max {max(times) * 1000:.1f} ms over {len(times)} calls")
        naive, fast = results["naive"], results["sandlab"]
        print(f"ratio Sandlab / naive: {fast['seconds'] / naive['seconds']:.2f}x wall time, "
              f"{(fast['peak_mib'] - fast['before_mib']) / max(0.1, naive['peak_mib'] - naive['before_mib']):.2f}x "
              "memory added during the run")
        if problems:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
