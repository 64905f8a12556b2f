"""A cohort's KPIs, computed inside SQLite with aggregates, as the JSON the dashboard, the CLI and the CSV read.

A cohort of thousands of learners has millions of activity minutes: every figure is a GROUP
BY over a few temporary tables built once per report (the cohort's learners, their planned
labs with how far each got, their distinct active minutes, their scores), never a query per
learner. Every figure goes through `figures.figure`, which applies the smallest-cell rule.

Definitions:
    released     a release of the lab exists for the cohort, in any language
    started      at least one kernel minute with executions on the lab
    submitted    at least one submission of the lab
    passed       autograded points / autograded maximum >= the lab's pass mark
    failed task  score < half the task's points; manual tasks not graded yet are left out
    active       a minute with any activity row (kernel or hub, any lab); per lab, kernel rows only
    assistant    requests the AI assistant answered (the gateway counts them per learner and day)
    session      a run of active minutes with no silence of more than SESSION_GAP minutes
    means per learner divide by every learner of the cohort (those who did nothing count as 0)
    priority     failure rate + (5 - satisfaction) / 4: both parts on a 0..1 scale, equal weight;
                 a missing (or suppressed) part counts 0, None when both are missing
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from sandlab.framework import DEFAULT_PASS_MARK
from sandlab.kpis.figures import MIN_CELL, Fig, empty, figure, shown
from sandlab.kpis.store import KpiStore

MINUTES_PER_DAY = 24 * 60
SESSION_GAP = 30  # minutes of silence after which activity is a new session
FAILED_BELOW = 0.5  # a task scored below this share of its points is failed
ACQUIRED_FROM = 0.5  # an objective counts as acquired from this share of its tasks' points
STAGES = ("released", "started", "submitted", "passed")
HEADLINES = (  # the figures `compare` sets side by side
    ("completion", "funnel", "released"), ("completion", "funnel", "started"),
    ("completion", "funnel", "submitted"), ("completion", "funnel", "passed"),
    ("skills", "mean_share"),
    ("satisfaction", "clarity"), ("satisfaction", "usefulness"),
    ("engagement", "active_minutes"), ("engagement", "sessions"), ("engagement", "days_active"),
    ("engagement", "assistant_requests"),
    ("after_training", "returning_learners"), ("after_training", "labs_rerun"), ("after_training", "active_minutes"),
    ("after_training", "assistant_requests"),
    ("use_cases", "count"), ("use_cases", "minutes_saved_per_week"),
)


class UnknownCohort(LookupError):
    """The cohort is not in the KPI database (never applied, or misspelt)."""


# The temporary tables every figure reads, built once per report from the cohort's rows only. The
# activity table is read twice, each time in its primary key's order (cohort, user, ...): once
# per learner and lab (kernel rows), once for the distinct minutes of each learner, keyed by day
# so that the per-day totals need no sort.
PREPARE = f"""
CREATE TEMP TABLE k_learners (user TEXT PRIMARY KEY, persona TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO k_learners SELECT user, MIN(persona) FROM plans WHERE cohort = :cohort GROUP BY user;

CREATE TEMP TABLE k_scores (lab TEXT, task TEXT, user TEXT, score REAL, max_score REAL, manual INTEGER,
                            PRIMARY KEY (lab, task, user)) WITHOUT ROWID;
INSERT INTO k_scores SELECT s.lab, s.task, s.user, s.score, s.max_score, s.manual
    FROM scores s JOIN k_learners USING (user) WHERE s.cohort = :cohort AND s.max_score > 0;

CREATE TEMP TABLE k_graded (user TEXT, lab TEXT, passed INTEGER, PRIMARY KEY (user, lab)) WITHOUT ROWID;
INSERT INTO k_graded
    SELECT s.user, s.lab,
           TOTAL(s.score) / SUM(s.max_score) >= COALESCE(MAX(l.pass_mark), {DEFAULT_PASS_MARK})
    FROM k_scores s LEFT JOIN labs l ON l.lab = s.lab WHERE s.manual = 0 GROUP BY s.user, s.lab;

CREATE TEMP TABLE k_labwork (user TEXT, lab TEXT, minutes INTEGER, executions REAL, started INTEGER,
                             rerun INTEGER, PRIMARY KEY (user, lab)) WITHOUT ROWID;
INSERT INTO k_labwork
    SELECT a.user, a.lab, COUNT(*), TOTAL(a.executions), MAX(a.executions > 0),
           COALESCE(MAX(a.executions > 0 AND a.minute >= :after), 0)
    FROM activity a WHERE a.cohort = :cohort AND a.lab > '' AND a.source = 'kernel'  -- lab > '': skip hub rows by key
          AND a.user IN (SELECT user FROM k_learners)
    GROUP BY a.user, a.lab;

CREATE TEMP TABLE k_pairs (user TEXT, lab TEXT, persona TEXT, released INTEGER, started INTEGER,
                           submitted INTEGER, passed INTEGER, PRIMARY KEY (user, lab)) WITHOUT ROWID;
INSERT INTO k_pairs
    SELECT p.user, p.lab, k.persona,
           p.lab IN (SELECT lab FROM releases WHERE cohort = :cohort),
           COALESCE(w.started, 0),
           EXISTS (SELECT 1 FROM submissions s WHERE s.cohort = :cohort AND s.user = p.user AND s.lab = p.lab),
           COALESCE(g.passed, 0)
    FROM plans p JOIN k_learners k USING (user)
    LEFT JOIN k_labwork w ON w.user = p.user AND w.lab = p.lab
    LEFT JOIN k_graded g ON g.user = p.user AND g.lab = p.lab
    WHERE p.cohort = :cohort;

CREATE TEMP TABLE k_minutes (user TEXT, day INTEGER, minute INTEGER, PRIMARY KEY (user, day, minute)) WITHOUT ROWID;
INSERT OR IGNORE INTO k_minutes SELECT a.user, a.minute / {MINUTES_PER_DAY}, a.minute FROM activity a
    WHERE a.cohort = :cohort AND a.user IN (SELECT user FROM k_learners);

CREATE TEMP TABLE k_days (user TEXT, day INTEGER, minutes INTEGER, PRIMARY KEY (user, day)) WITHOUT ROWID;
INSERT INTO k_days SELECT user, day, COUNT(*) FROM k_minutes GROUP BY user, day;
"""


def cohort_kpis(store: KpiStore, cohort: str, *, now: datetime | None = None, min_cell: int = MIN_CELL) -> dict:
    """Every KPI of ``cohort``; figures on fewer than ``min_cell`` learners are suppressed."""
    if min_cell < 1:
        raise ValueError(f"min_cell must be at least 1, not {min_cell}")
    with store.connect() as db:
        facts = _cohort_row(db, cohort)
        db.execute("BEGIN")  # one snapshot: writers may append while the report is computed
        try:
            return _Report(db, cohort, min_cell, facts[3]).build(facts, now or datetime.now(UTC))
        finally:
            db.execute("ROLLBACK")


def check_cohort(store: KpiStore, cohort: str) -> None:
    """Raise UnknownCohort, naming the fix, unless ``cohort`` is in the KPI database."""
    with store.connect() as db:
        _cohort_row(db, cohort)


def _cohort_row(db: sqlite3.Connection, cohort: str) -> tuple[str, str, str | None, str | None]:
    row = db.execute("SELECT title, opens, ends FROM cohorts WHERE cohort = ?", (cohort,)).fetchone()
    if row is None:
        known = [name for (name,) in db.execute("SELECT cohort FROM cohorts ORDER BY cohort")]
        raise UnknownCohort(f"cohort '{cohort}' is not in the KPI database (known: {', '.join(known) or 'none'}): "
                            "apply it first with `sandlab hub apply COHORT_FILE`, or check its name")
    return cohort, *row


def after_minute(ends: str) -> int:
    """The first minute (Unix time // 60) of the UTC day after ``ends`` (an ISO date or date-time)."""
    when = datetime.fromisoformat(ends)
    day = (when.astimezone(UTC) if when.tzinfo else when).date() + timedelta(days=1)
    return int(datetime.combine(day, time(), UTC).timestamp()) // 60


def _ratio(total: float | None, count: int) -> float | None:
    return None if not count or total is None else total / count


class _Report:
    """One report's queries: one connection, one read transaction, the temporary tables built first."""

    def __init__(self, db: sqlite3.Connection, cohort: str, min_cell: int, ends: str | None) -> None:
        self.db, self.cohort, self.min_cell, self.ends = db, cohort, min_cell, ends
        after = after_minute(ends) if ends else None
        for statement in PREPARE.split(";"):
            if statement.strip():
                db.execute(statement, {"cohort": cohort, "after": after})
        self.learners = db.execute("SELECT COUNT(*) FROM k_learners").fetchone()[0]
        self.labs = self._labs()

    def fig(self, value: float | None, n: int) -> Fig:
        return figure(value, n, self.min_cell)

    def rows(self, sql: str, **params) -> list[tuple]:
        return self.db.execute(sql, {"cohort": self.cohort, **params}).fetchall()

    def _labs(self) -> dict[str, dict]:
        """The cohort's planned labs, in catalogue order (level, then id)."""
        rows = self.rows("SELECT p.lab, l.level, l.title_fr, l.title_en, COUNT(*) FROM k_pairs p "
                         "LEFT JOIN labs l ON l.lab = p.lab GROUP BY p.lab ORDER BY COALESCE(l.level, 99), p.lab")
        return {lab: {"lab": lab, "title": {"fr": fr or lab, "en": en or fr or lab}, "level": level or 0,
                      "planned": planned} for lab, level, fr, en, planned in rows}

    def lab_rank(self, lab: str) -> tuple[int, int, str]:
        order = list(self.labs)
        return (0, order.index(lab), lab) if lab in self.labs else (1, 0, lab)

    def build(self, facts: tuple[str, str, str | None, str | None], now: datetime) -> dict:
        cohort, title, opens, ends = facts
        skills = self.skills()
        return {"cohort": cohort, "title": title, "computed_at": now.astimezone(UTC).isoformat(timespec="seconds"),
                "opens": opens, "ends": ends, "learners": self.learners,
                "completion": self.completion(),
                "skills": skills,
                "satisfaction": self.satisfaction(),
                "engagement": self.engagement(),
                "after_training": self.after_training(),
                "use_cases": self.use_cases(),
                "feedback_loop": self.feedback_loop(skills)}

    # -- completion -------------------------------------------------------------------------

    def completion(self) -> dict:
        stages = ", ".join(f"AVG({stage})" for stage in STAGES)
        n, *shares = self.rows(f"SELECT COUNT(DISTINCT user), {stages} FROM k_pairs")[0]
        funnel = {stage: self.fig(share, n) for stage, share in zip(STAGES, shares, strict=True)}
        by_lab = []
        for lab, planned, *shares in self.rows(f"SELECT lab, COUNT(*), {stages} FROM k_pairs GROUP BY lab"):
            info = self.labs[lab]
            by_lab.append({"lab": lab, "title": info["title"], "level": info["level"], "planned": planned,
                           **{stage: self.fig(share, planned) for stage, share in zip(STAGES, shares, strict=True)}})
        by_lab.sort(key=lambda row: self.lab_rank(row["lab"]))
        by_persona = [{"persona": persona, "learners": n,
                       **{stage: self.fig(share, n) for stage, share in zip(STAGES, shares, strict=True)}}
                      for persona, n, *shares in self.rows(f"SELECT persona, COUNT(DISTINCT user), {stages} "
                                                           "FROM k_pairs GROUP BY persona ORDER BY persona")]
        sums = ", ".join(f"SUM({stage})" for stage in STAGES)
        by_learner = [{"user": user, "persona": persona, "planned": planned,
                       **dict(zip(STAGES, counts, strict=True)), "active_minutes": minutes}
                      for user, persona, planned, minutes, *counts in self.rows(
                          f"SELECT p.user, p.persona, COUNT(*), COALESCE(m.minutes, 0), {sums} FROM k_pairs p "
                          "LEFT JOIN (SELECT user, SUM(minutes) AS minutes FROM k_days GROUP BY user) m "
                          "ON m.user = p.user GROUP BY p.user ORDER BY p.user")]
        return {"funnel": funnel, "by_lab": by_lab, "by_persona": by_persona, "by_learner": by_learner}

    # -- skills -----------------------------------------------------------------------------

    def skills(self) -> dict:
        n, mean = self.rows("SELECT COUNT(*), AVG(share) FROM (SELECT TOTAL(score) / SUM(max_score) AS share "
                            "FROM k_scores WHERE score IS NOT NULL GROUP BY user)")[0]
        bins: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 10)
        for lab, task, bin_, count in self.rows(
                "SELECT lab, task, MIN(9, MAX(0, CAST(score * 10.0 / max_score AS INTEGER))) AS bin, COUNT(*) "
                "FROM k_scores WHERE score IS NOT NULL GROUP BY lab, task, bin"):
            bins[(lab, task)][bin_] = count
        objectives = self.objectives()
        position = {(o["lab"], task): index for index, o in enumerate(objectives) for task in o["tasks"]}
        by_task = []
        for lab, task, max_score, manual, graded, share, failed in self.rows(
                f"SELECT lab, task, MAX(max_score), MAX(manual), COUNT(score), AVG(score / max_score), "
                f"AVG(CASE WHEN score IS NOT NULL THEN score < {FAILED_BELOW} * max_score END) "
                "FROM k_scores GROUP BY lab, task"):
            mean_share = self.fig(share, graded)
            by_task.append({"lab": lab, "task": task, "max_score": max_score, "manual": bool(manual),
                            "mean_share": mean_share, "failure_rate": self.fig(failed, graded),
                            "histogram": None if mean_share["suppressed"] else bins[(lab, task)]})
        by_task.sort(key=lambda row: (self.lab_rank(row["lab"]), position.get((row["lab"], row["task"]), 1 << 30),
                                      row["task"]))
        graded = {(lab, index): (n, share, acquired) for lab, index, n, share, acquired in self.rows(
            f"SELECT lab, position, COUNT(*), AVG(share), AVG(share >= {ACQUIRED_FROM}) FROM ("
            "  SELECT s.lab, o.position, s.user, TOTAL(s.score) / SUM(s.max_score) AS share"
            "  FROM k_scores s JOIN objectives o ON o.lab = s.lab AND o.task = s.task"
            "  WHERE s.score IS NOT NULL GROUP BY s.lab, o.position, s.user) GROUP BY lab, position")}
        by_objective = []
        for o in objectives:
            n_o, share, acquired = graded.get((o["lab"], o["position"]), (0, None, None))
            by_objective.append({"lab": o["lab"], "objective": o["objective"], "tasks": o["tasks"],
                                 "mean_share": self.fig(share, n_o), "acquired": self.fig(acquired, n_o)})
        return {"mean_share": self.fig(mean, n), "by_task": by_task, "by_objective": by_objective}

    def objectives(self) -> list[dict]:
        """The objectives of the cohort's labs, each with the tasks that assess it, in the lab's order."""
        found: dict[tuple[str, int], dict] = {}
        for lab, position, fr, en, task in self.rows(
                "SELECT lab, position, text_fr, text_en, task FROM objectives "
                "WHERE lab IN (SELECT DISTINCT lab FROM k_pairs) ORDER BY lab, position, task"):
            found.setdefault((lab, position), {"lab": lab, "position": position,
                                               "objective": {"fr": fr, "en": en}, "tasks": []})["tasks"].append(task)
        return sorted(found.values(), key=lambda o: (self.lab_rank(o["lab"]), o["position"]))

    # -- satisfaction -----------------------------------------------------------------------

    def satisfaction(self) -> dict:
        survey = "FROM surveys s JOIN k_learners USING (user) WHERE s.cohort = :cohort"
        clarity, usefulness, answers, n = self.rows(
            f"SELECT AVG(clarity), AVG(usefulness), COUNT(*), COUNT(DISTINCT user) {survey}")[0]
        per_lab = {lab: row for lab, *row in self.rows(
            f"SELECT lab, AVG(clarity), AVG(usefulness), COUNT(*), COUNT(DISTINCT user) {survey} GROUP BY lab")}
        by_lab = []
        for lab in sorted(set(self.labs) | set(per_lab), key=self.lab_rank):
            lab_clarity, lab_usefulness, lab_answers, lab_n = per_lab.get(lab, (None, None, 0, 0))
            by_lab.append({"lab": lab, "clarity": self.fig(lab_clarity, lab_n),
                           "usefulness": self.fig(lab_usefulness, lab_n), "answers": lab_answers})
        comments = [{"lab": lab, "text": text} for lab, text in self.rows(
            f"SELECT lab, comment {survey} AND comment != '' ORDER BY answered_at DESC, lab, comment")]
        return {"clarity": self.fig(clarity, n), "usefulness": self.fig(usefulness, n), "answers": answers,
                "by_lab": by_lab, "comments": comments if shown(n, self.min_cell) else []}

    # -- engagement -------------------------------------------------------------------------

    def engagement(self) -> dict:
        minutes, days = self.rows("SELECT TOTAL(minutes), COUNT(*) FROM k_days")[0]
        # A session starts at each active minute with no other in the SESSION_GAP minutes before it
        # (looked up within the same day, and in the day before for a minute just after midnight).
        sessions = self.rows(
            "SELECT COUNT(*) FROM k_minutes k WHERE NOT EXISTS (SELECT 1 FROM k_minutes j WHERE j.user = k.user "
            f"AND j.day = k.day AND j.minute >= k.minute - {SESSION_GAP} AND j.minute < k.minute) "
            f"AND NOT (k.minute % {MINUTES_PER_DAY} < {SESSION_GAP} AND EXISTS (SELECT 1 FROM k_minutes j "
            f"WHERE j.user = k.user AND j.day = k.day - 1 AND j.minute >= k.minute - {SESSION_GAP}))")[0][0]
        per_lab = {lab: (kernel_minutes, executions) for lab, kernel_minutes, executions in self.rows(
            "SELECT w.lab, TOTAL(w.minutes), TOTAL(w.executions) FROM k_labwork w "
            "JOIN k_pairs p ON p.user = w.user AND p.lab = w.lab GROUP BY w.lab")}
        by_lab = []
        for lab, info in self.labs.items():
            lab_minutes, executions = per_lab.get(lab, (0, 0))
            planned = info["planned"]
            by_lab.append({"lab": lab, "active_minutes": self.fig(_ratio(lab_minutes, planned), planned),
                           "executions": self.fig(_ratio(executions, planned), planned)})
        by_day = []
        for day, active, total in self.rows("SELECT day, COUNT(*), SUM(minutes) FROM k_days GROUP BY day ORDER BY day"):
            learners = self.fig(active, active)
            by_day.append({"day": datetime.fromtimestamp(day * 86400, UTC).date().isoformat(),
                           "active_learners": learners,
                           "minutes": None if learners["suppressed"] else total})  # a day of 1-4 people: hidden
        n = self.learners
        return {"active_minutes": self.fig(_ratio(minutes, n), n), "sessions": self.fig(_ratio(sessions, n), n),
                "days_active": self.fig(_ratio(days, n), n),
                "assistant_requests": self.fig(_ratio(self.assistant_requests(), n), n),
                "by_lab": by_lab, "by_day": by_day}

    def assistant_requests(self, from_day: int = 0) -> float:
        return self.rows("SELECT TOTAL(a.requests) FROM assistant a JOIN k_learners USING (user) "
                         "WHERE a.cohort = :cohort AND a.day >= :day", day=from_day)[0][0]

    def after_training(self) -> dict:
        result = {"ends": self.ends, "returning_learners": empty(), "labs_rerun": empty(),
                  "active_minutes": empty(), "assistant_requests": empty()}
        if self.ends is None:
            return result
        first_day = after_minute(self.ends) // MINUTES_PER_DAY  # the threshold is midnight UTC
        returning, minutes = self.rows("SELECT COUNT(DISTINCT user), TOTAL(minutes) FROM k_days WHERE day >= :day",
                                       day=first_day)[0]
        rerun = self.rows("SELECT TOTAL(rerun) FROM k_labwork")[0][0]
        n = self.learners
        result.update(returning_learners=self.fig(_ratio(returning, n), n), labs_rerun=self.fig(_ratio(rerun, n), n),
                      active_minutes=self.fig(_ratio(minutes, n), n),
                      assistant_requests=self.fig(_ratio(self.assistant_requests(first_day), n), n))
        return result

    # -- use cases --------------------------------------------------------------------------

    def use_cases(self) -> dict:
        ideas = "FROM surveys s JOIN k_learners k USING (user) WHERE s.cohort = :cohort AND s.idea != ''"
        count, minutes, n = self.rows(
            f"SELECT COUNT(*), TOTAL(minutes_saved_per_week), COUNT(DISTINCT user) {ideas}")[0]
        per_persona = {persona: row for persona, *row in self.rows(
            f"SELECT k.persona, COUNT(*), TOTAL(minutes_saved_per_week), COUNT(DISTINCT user) {ideas} "
            "GROUP BY k.persona")}
        personas = [persona for (persona,) in self.rows("SELECT DISTINCT persona FROM k_learners ORDER BY persona")]
        by_persona = []
        for persona in personas:
            p_count, p_minutes, p_n = per_persona.get(persona, (0, 0.0, 0))
            by_persona.append({"persona": persona, "count": self.fig(p_count, p_n),
                               "minutes_saved_per_week": self.fig(p_minutes, p_n)})
        # an idea's persona is named only when that persona's ideas come from enough people to hide the author
        enough = {persona for persona, (_, _, p_n) in per_persona.items() if shown(p_n, self.min_cell)}
        listed = [{"lab": lab, "persona": persona if persona in enough else "", "text": text,
                   "minutes_saved_per_week": saved}
                  for lab, persona, text, saved in self.rows(
                      f"SELECT s.lab, k.persona, s.idea, s.minutes_saved_per_week {ideas} "
                      "ORDER BY s.answered_at DESC, s.lab, s.idea")]
        return {"count": self.fig(count, n), "minutes_saved_per_week": self.fig(minutes, n),
                "by_persona": by_persona, "ideas": listed if shown(n, self.min_cell) else []}

    # -- feedback loop ----------------------------------------------------------------------

    def feedback_loop(self, skills: dict) -> dict:
        failing = {lab: (failed, n) for lab, failed, n in self.rows(
            "SELECT lab, AVG(NOT passed), COUNT(*) FROM k_graded GROUP BY lab")}
        liking = {lab: (liked, n) for lab, liked, n in self.rows(
            "SELECT lab, AVG((clarity + usefulness) / 2.0), COUNT(DISTINCT user) FROM surveys "
            "JOIN k_learners USING (user) WHERE cohort = :cohort GROUP BY lab")}
        labs = []
        for lab in sorted(set(self.labs) | set(failing) | set(liking), key=self.lab_rank):
            failure, liked = self.fig(*failing.get(lab, (None, 0))), self.fig(*liking.get(lab, (None, 0)))
            labs.append({"lab": lab, "title": self.labs.get(lab, {"title": {"fr": lab, "en": lab}})["title"],
                         "failure_rate": failure, "satisfaction": liked,
                         "priority": priority(failure["value"], liked["value"])})
        labs.sort(key=lambda row: (row["priority"] is None, -(row["priority"] or 0), self.lab_rank(row["lab"])))
        tasks = [{"lab": row["lab"], "task": row["task"], "failure_rate": row["failure_rate"]}
                 for row in skills["by_task"]]
        tasks.sort(key=lambda row: (row["failure_rate"]["value"] is None, -(row["failure_rate"]["value"] or 0)))
        return {"labs": labs, "tasks": tasks}


def priority(failure_rate: float | None, satisfaction: float | None) -> float | None:
    """Which lab to fix first: failure rate (0..1) plus dissatisfaction ((5 - rating) / 4, 0..1),
    equal weights; a missing part counts 0; None when both are missing."""
    if failure_rate is None and satisfaction is None:
        return None
    return (failure_rate or 0.0) + ((5 - satisfaction) / 4 if satisfaction is not None else 0.0)


# -- one learner's own page ---------------------------------------------------------------------


def learner_progress(store: KpiStore, cohort: str, user: str) -> dict:
    """Where one learner stands in each of their labs: their own data, so nothing is suppressed."""
    with store.connect() as db:
        _cohort_row(db, cohort)
        key = {"cohort": cohort, "user": user}
        labs = db.execute("SELECT p.lab, l.level, l.title_fr, l.title_en, COALESCE(l.pass_mark, :mark) FROM plans p "
                          "LEFT JOIN labs l ON l.lab = p.lab WHERE p.cohort = :cohort AND p.user = :user "
                          "ORDER BY COALESCE(l.level, 99), p.lab", {**key, "mark": DEFAULT_PASS_MARK}).fetchall()
        released = {lab for (lab,) in db.execute("SELECT DISTINCT lab FROM releases WHERE cohort = :cohort", key)}
        started = {lab for (lab,) in db.execute(
            "SELECT DISTINCT lab FROM activity WHERE cohort = :cohort AND user = :user AND source = 'kernel' "
            "AND executions > 0", key)}
        submitted = {lab for (lab,) in db.execute(
            "SELECT DISTINCT lab FROM submissions WHERE cohort = :cohort AND user = :user", key)}
        surveyed = {lab for (lab,) in db.execute("SELECT lab FROM surveys WHERE cohort = :cohort AND user = :user",
                                                 key)}
        scores: dict[str, list[tuple]] = defaultdict(list)
        for lab, task, score, max_score, manual in db.execute(
                "SELECT lab, task, score, max_score, manual FROM scores WHERE cohort = :cohort AND user = :user", key):
            scores[lab].append((task, score, max_score, manual))
        objectives = db.execute(
            "SELECT o.lab, o.position, o.text_fr, o.text_en, o.task FROM objectives o JOIN plans p ON p.lab = o.lab "
            "WHERE p.cohort = :cohort AND p.user = :user ORDER BY o.lab, o.position, o.task", key).fetchall()
    rows, states = [], {}
    for lab, level, fr, en, pass_mark in labs:
        graded = scores.get(lab, [])
        auto = [(score or 0.0, max_score) for _, score, max_score, manual in graded if not manual]
        auto_max = sum(max_score for _, max_score in auto)
        state = ("passed" if auto_max > 0 and sum(s for s, _ in auto) / auto_max >= pass_mark else
                 "submitted" if lab in submitted else "started" if lab in started else
                 "released" if lab in released else "planned")
        states[lab] = (state, bool(graded))
        rows.append({"lab": lab, "title": {"fr": fr or lab, "en": en or fr or lab}, "level": level or 0,
                     "state": state,
                     "score": sum(s for _, s, _, _ in graded if s is not None) if graded else None,
                     "max_score": sum(m for _, _, m, _ in graded) if graded else None,
                     "surveyed": lab in surveyed})
    points = {(lab, task): (score, max_score) for lab, graded in scores.items() for task, score, max_score, _ in graded}
    grouped: dict[tuple[str, int], dict] = {}
    for lab, position, fr, en, task in objectives:
        entry = grouped.setdefault((lab, position), {"objective": {"fr": fr, "en": en}, "got": [], "max": []})
        score, max_score = points.get((lab, task), (None, 0))
        if score is not None and max_score:
            entry["got"].append(score)
            entry["max"].append(max_score)
    order = [row["lab"] for row in rows]
    skills = [{"lab": lab, "objective": e["objective"], "share": sum(e["got"]) / sum(e["max"]) if e["max"] else None}
              for (lab, _), e in sorted(grouped.items(), key=lambda item: (order.index(item[0][0]), item[0][1]))]
    return {"user": user, "cohort": cohort, "labs": rows, "skills": skills, "next": next_lab(rows, states)}


def next_lab(rows: list[dict], states: dict[str, tuple[str, bool]]) -> str | None:
    """The first lab to work on: one released but not handed in, else one graded but not passed."""
    for wanted in (lambda state, graded: state in ("released", "started"),
                   lambda state, graded: state == "submitted" and graded):
        for row in rows:
            if wanted(*states[row["lab"]]):
                return row["lab"]
    return None


# -- two cohorts side by side ---------------------------------------------------------------------


def compare(a: dict, b: dict) -> list[dict]:
    """Each headline figure of two reports side by side; difference is b - a (None when either is not shown)."""
    rows = []
    for path in HEADLINES:
        fig_a, fig_b = figure_at(a, path), figure_at(b, path)
        value_a, value_b = fig_a["value"], fig_b["value"]
        rows.append({"kpi": ".".join(path), "a": value_a, "b": value_b, "a_n": fig_a["n"], "b_n": fig_b["n"],
                     "difference": None if value_a is None or value_b is None else value_b - value_a})
    return rows


def figure_at(report: dict, path: tuple[str, ...]) -> Fig:
    node = report
    for key in path:
        node = node[key]
    return node
