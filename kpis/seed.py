"""A small recorded history for a cohort, so that a newcomer who opens the demo's dashboard
sees every chart filled: synthetic learners (named demo-NN, in no cohort, unable to log in)
with activity, submissions, scores, survey answers, ideas and assistant requests, drawn from a seeded random
generator. Run in the hub image on the state volume:

    python -m sandlab.kpis.seed COHORT [--learners 24] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sandlab.framework import PERSONAS
from sandlab.hub.state import STATE_DIR
from sandlab.kpis.store import ActivityMinute, KpiStore, PlannedLab, ScoreRow, kpi_database
from sandlab.kpis.survey import SurveyAnswer

COMMENTS = {
    "fr": ["Très concret, avec nos propres données.", "Un peu rapide sur la partie évaluation.",
           "J'aurais aimé plus d'exemples de mon métier.", "Clair et utile, merci !"],
    "en": ["Very hands-on, with data like ours.", "A bit fast on the evaluation part.",
           "I would have liked more examples from my job.", "Clear and useful, thanks!"],
}
IDEAS = {
    "fr": ["Trier automatiquement les tickets entrants par priorité.", "Pré-remplir les réponses aux questions RH.",
           "Repérer les factures en double avant paiement.", "Résumer les contrats avant relecture."],
    "en": ["Sort incoming tickets by priority automatically.", "Draft answers to common HR questions.",
           "Spot duplicate invoices before payment.", "Summarise contracts before review."],
}


def seed_cohort(store: KpiStore, cohort: str, *, learners: int = 24, seed: int = 7, now: float | None = None) -> int:
    """Add ``learners`` synthetic learners' history to ``cohort``; returns how many rows were written."""
    rng = random.Random(seed)
    asking = random.Random(seed + 1)  # the assistant's use, drawn apart: the other draws stay as they were
    requests: list[tuple[str, float]] = []
    now = now or time.time()
    with store.connect() as db:
        labs = [row[0] for row in db.execute("SELECT DISTINCT lab FROM plans WHERE cohort = ? ORDER BY lab",
                                             (cohort,))]
        tasks = {lab: sorted({row[0] for row in db.execute("SELECT task FROM objectives WHERE lab = ?", (lab,))})
                 for lab in labs}
        ends = db.execute("SELECT ends FROM cohorts WHERE cohort = ?", (cohort,)).fetchone()
    if not labs:
        raise ValueError(f"cohort {cohort} has no planned labs in the KPI database: apply it first")
    users = [(f"demo-{index + 1:02d}", PERSONAS[index % len(PERSONAS)]) for index in range(learners)]
    planned = [PlannedLab(cohort, user, persona, lab) for user, persona in users for lab in labs]
    with store.connect() as db:
        if db.execute("SELECT 1 FROM activity WHERE cohort = ? AND user LIKE 'demo-%' LIMIT 1", (cohort,)).fetchone():
            store.add_plans(planned)  # recorded once; applying the cohort again replaced the plans only
            return 0
    minutes, submissions, scores, written = [], [], [], 0
    start_day = datetime.fromtimestamp(now, UTC) - timedelta(days=13)
    for index, (user, _) in enumerate(users):
        language = "en" if index % 3 == 2 else "fr"
        diligence = rng.random()
        for position, lab in enumerate(labs):
            if rng.random() > 0.35 + 0.6 * diligence:
                continue  # never started
            spread = position * 12 // len(labs) + rng.randint(0, 1)  # the labs in order over the two weeks
            day = start_day + timedelta(days=min(12, spread), hours=9 + rng.randint(0, 7))
            first = int(day.timestamp() // 60)
            for minute in range(first, first + rng.randint(15, 70), rng.randint(1, 3)):
                minutes.append(ActivityMinute(cohort, user, lab, minute, "kernel", rng.randint(1, 4)))
                minutes.append(ActivityMinute(cohort, user, "", minute, "hub"))
            requests += [(user, first * 60 + 120 * n) for n in range(asking.choice([0, 0, 1, 2, 4]))]
            if rng.random() > 0.2 + 0.5 * (1 - diligence):
                at = (day + timedelta(hours=1)).isoformat(timespec="seconds")
                submissions.append((cohort, user, lab, f"{at.replace(':', '').replace('-', '')[:15]}-{index:04x}", at))
                for task in tasks[lab]:
                    max_score = 2.0
                    score = max_score if rng.random() < 0.45 + 0.5 * diligence else rng.choice([0.0, 1.0])
                    scores.append(ScoreRow(cohort, user, lab, task, score, max_score, False))
                if rng.random() < 0.8:
                    answer = SurveyAnswer(lab=lab, clarity=rng.choice([3, 4, 4, 5, 5]),
                                          usefulness=rng.choice([2, 3, 4, 4, 5]), language=language,
                                          comment=rng.choice(COMMENTS[language]) if rng.random() < 0.4 else "",
                                          idea=rng.choice(IDEAS[language]) if rng.random() < 0.3 else "",
                                          minutes_saved_per_week=rng.choice([30, 60, 120]))
                    store.put_survey(cohort, user, answer, answered_at=at)
                    written += 1
        if ends and ends[0] and rng.random() < 0.4:  # some come back after the training
            back = datetime.fromisoformat(ends[0]).replace(tzinfo=UTC) + timedelta(days=rng.randint(1, 5), hours=10)
            if back.timestamp() < now:
                first = int(back.timestamp() // 60)
                lab = rng.choice(labs)
                minutes += [ActivityMinute(cohort, user, lab, m, "kernel", 1) for m in range(first, first + 20)]
                requests += [(user, first * 60 + 300 * n) for n in range(asking.randint(0, 3))]
    store.add_plans(planned)
    store.add_activity(minutes)
    store.put_submissions(submissions)
    store.add_scores(scores)
    for user, at in requests:
        store.add_assistant_use(cohort, user, at, tokens=asking.randint(150, 900))
    for lab in labs:
        store.put_release(cohort, lab, "fr", start_day.isoformat(timespec="seconds"))
    return written + len(planned) + len(minutes) + len(submissions) + len(scores) + len(requests)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandlab.kpis.seed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cohort")
    parser.add_argument("--learners", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--state", type=Path, default=STATE_DIR)
    args = parser.parse_args(argv)
    try:
        rows = seed_cohort(KpiStore(kpi_database(args.state)), args.cohort, learners=args.learners, seed=args.seed)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{rows} rows of recorded history added to cohort {args.cohort}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
