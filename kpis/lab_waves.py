"""One lab across the waves (cohorts) that had it: what a trainer improving the lab needs to see.

Per wave: which version it was given, the failure rate of each task, the median time
learners spent on the lab (their kernel minutes) and the survey's satisfaction. Every figure
goes through the smallest-cell rule (sandlab.kpis.figures), as the dashboard's do: a wave of
three learners shows counts, never values.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable

from sandlab.kpis.compute import FAILED_BELOW
from sandlab.kpis.figures import MIN_CELL, Fig, figure
from sandlab.kpis.store import KpiStore

CATALOGUE = "catalogue"  # the version a wave had when no library version was released to it


def lab_waves(store: KpiStore, cohorts: Iterable[str], lab: str, versions: dict[str, str] | None = None,
              min_cell: int = MIN_CELL) -> list[dict]:
    """The waves among ``cohorts`` whose learners had ``lab`` in their plan, oldest first."""
    versions = versions or {}
    waves = []
    with store.connect() as db:
        for cohort in cohorts:
            learners = db.execute("SELECT COUNT(*) FROM plans WHERE cohort = ? AND lab = ?",
                                  (cohort, lab)).fetchone()[0]
            if not learners:
                continue
            title, opens = db.execute("SELECT title, opens FROM cohorts WHERE cohort = ?",
                                      (cohort,)).fetchone() or (cohort, None)
            tasks = [{"task": task, "failure_rate": figure(failed, graded, min_cell)} for task, failed, graded in
                     db.execute("SELECT task, AVG(CASE WHEN score IS NOT NULL THEN score < "
                                f"{FAILED_BELOW} * max_score END), COUNT(score) FROM scores "
                                "WHERE cohort = ? AND lab = ? GROUP BY task ORDER BY task", (cohort, lab))]
            minutes = [count for (count,) in db.execute(
                "SELECT COUNT(*) FROM activity WHERE cohort = ? AND lab = ? AND source = 'kernel' AND user IN "
                "(SELECT user FROM plans WHERE cohort = ? AND lab = ?) GROUP BY user", (cohort, lab, cohort, lab))]
            liked, answered = db.execute("SELECT AVG((clarity + usefulness) / 2.0), COUNT(DISTINCT user) "
                                         "FROM surveys WHERE cohort = ? AND lab = ?", (cohort, lab)).fetchone()
            waves.append({"cohort": cohort, "title": title, "opens": opens, "learners": learners,
                          "version": versions.get(cohort, CATALOGUE), "tasks": tasks,
                          "median_minutes": figure(statistics.median(minutes) if minutes else None, len(minutes),
                                                   min_cell),
                          "satisfaction": figure(liked, answered, min_cell)})
    return sorted(waves, key=lambda wave: (wave["opens"] or "", wave["cohort"]))


def lab_title(store: KpiStore, lab: str) -> dict[str, str] | None:
    """The lab's title in each language, as the KPIs keep it from the plans; None for a lab no cohort had."""
    with store.connect() as db:
        found = db.execute("SELECT title_fr, title_en FROM labs WHERE lab = ?", (lab,)).fetchone()
    return {"fr": found[0], "en": found[1]} if found else None


def lab_report(store: KpiStore, lab: str, cohorts: tuple[str, ...], versions: tuple[tuple[str, str], ...] = ()
               ) -> dict:
    """The dashboard's page of one lab: its title and its waves (arguments hashable: the page cache's key)."""
    return {"lab": lab, "title": lab_title(store, lab), "waves": lab_waves(store, cohorts, lab, dict(versions))}


def shown_value(fig: Fig, percent: bool = False) -> str:
    if fig["suppressed"]:
        return f"({fig['n']} learners: too few to show)"
    if fig["value"] is None:
        return "-"
    return f"{fig['value']:.0%}" if percent else f"{fig['value']:.1f}"


def waves_markdown(lab: str, waves: list[dict]) -> str:
    """The waves side by side, one column each: the file kept next to the lab's source."""
    if not waves:
        return f"# {lab}: feedback from the waves\n\nNo cohort has had this lab yet.\n"
    header = "| | " + " | ".join(f"{w['cohort']} (version {w['version']}, {w['learners']} learners)"
                                 for w in waves) + " |"
    rule = "|---" * (len(waves) + 1) + "|"
    tasks = sorted({task["task"] for wave in waves for task in wave["tasks"]})
    lines = [f"# {lab}: feedback from the waves", "",
             "Failure rate per task (scored under half its points), median kernel minutes on the lab, "
             "satisfaction (clarity and usefulness, 1 to 5). Figures on fewer than "
             f"{MIN_CELL} learners are not shown.", "", header, rule]
    for task in tasks:
        cells = []
        for wave in waves:
            found = next((t["failure_rate"] for t in wave["tasks"] if t["task"] == task), None)
            cells.append(shown_value(found, percent=True) if found else "-")
        lines.append(f"| {task} failed | " + " | ".join(cells) + " |")
    lines.append("| median minutes | " + " | ".join(shown_value(w["median_minutes"]) for w in waves) + " |")
    lines.append("| satisfaction | " + " | ".join(shown_value(w["satisfaction"]) for w in waves) + " |")
    return "\n".join(lines) + "\n"
