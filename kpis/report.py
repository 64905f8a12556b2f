"""A cohort's KPI report: computed in the hub image on its state volume, formatted on the host.

    python -m sandlab.kpis.report --state DIR COHORT [--compare OTHER] [--learner USER]

prints the report as JSON (with --compare: {"a", "b", "rows"}; with --learner: that learner's
progress) after copying the exchange's releases and submissions into the KPI database. An
unknown cohort exits 2 with a message naming the fix. `as_csv`, `as_text` and `compare_text`
are pure: `sandlab kpis` applies them to the JSON it got back.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from sandlab.kpis.compute import (
    HEADLINES,
    STAGES,
    UnknownCohort,
    check_cohort,
    cohort_kpis,
    compare,
    figure_at,
    learner_progress,
)
from sandlab.kpis.figures import Fig
from sandlab.kpis.ingest import ingest_state
from sandlab.kpis.store import KpiStore, kpi_database

CSV_COLUMNS = ("section", "key", "value", "n")

# -- in the hub image ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandlab.kpis.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", type=Path, required=True, help="The hub's state folder.")
    parser.add_argument("cohort")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--compare", metavar="OTHER", help="A second cohort, set side by side.")
    which.add_argument("--learner", metavar="USER", help="One learner's own progress instead.")
    parser.add_argument("--named", action="store_true",
                        help="Keep the per-learner rows (names): IT's export for the training file, logged.")
    parser.add_argument("--reason", default="", help="Why the named export is made (required with --named).")
    parser.add_argument("--who", default="", help="Who makes the named export (for the log).")
    args = parser.parse_args(argv)
    if args.named and not (args.reason.strip() and args.who.strip()):
        print("error: a named export needs --reason (why, e.g. 'training file') and --who", file=sys.stderr)
        return 2
    database = kpi_database(args.state)
    try:
        if not database.is_file():
            raise UnknownCohort(f"no KPI database in {args.state}: apply the cohort first with "
                                "`sandlab hub apply COHORT_FILE`")
        store = KpiStore(database)
        cohorts = [name for name in (args.cohort, args.compare) if name]
        for name in cohorts:
            check_cohort(store, name)
        ingest_state(store, args.state, cohorts)  # the KPI service may not be running
        if args.learner:
            printed = learner_progress(store, args.cohort, args.learner)
        elif args.compare:
            a, b = cohort_kpis(store, args.cohort), cohort_kpis(store, args.compare)
            printed = {"a": a, "b": b, "rows": compare(a, b)}
        else:
            printed = cohort_kpis(store, args.cohort)
        if args.named:
            store.log_export(args.who.strip()[:100], args.cohort, args.reason.strip()[:500])
        elif not args.learner:
            for report in (printed["a"], printed["b"]) if args.compare else (printed,):
                report["completion"]["by_learner"] = []  # names leave the platform only with --named
    except UnknownCohort as error:
        print(f"error: {error.args[0]}", file=sys.stderr)
        return 2
    print(json.dumps(printed, ensure_ascii=False))
    return 0


# -- CSV --------------------------------------------------------------------------------------------


def _fig_row(section: str, key: str, fig: Fig) -> tuple[str, str, float | None, int]:
    return section, key, fig["value"], fig["n"]


def csv_rows(report: dict, *, free_text: bool = False, named: bool = False) -> Iterator[tuple]:
    """Every KPI of a report as (section, key, value, n); a suppressed figure has no value.
    Comments and ideas only with ``free_text``, per-learner rows only with ``named``."""
    yield "cohort", "learners", report["learners"], report["learners"]
    completion = report["completion"]
    for stage in STAGES:
        yield _fig_row("completion.funnel", stage, completion["funnel"][stage])
    for row in completion["by_lab"]:
        yield f"completion.by_lab.{row['lab']}", "planned", row["planned"], row["planned"]
        for stage in STAGES:
            yield _fig_row(f"completion.by_lab.{row['lab']}", stage, row[stage])
    for row in completion["by_persona"]:
        for stage in STAGES:
            yield _fig_row(f"completion.by_persona.{row['persona']}", stage, row[stage])
    if named:
        for row in completion["by_learner"]:
            for key in ("planned", *STAGES, "active_minutes"):
                yield f"completion.by_learner.{row['user']}", key, row[key], 1
    skills = report["skills"]
    yield _fig_row("skills", "mean_share", skills["mean_share"])
    for row in skills["by_task"]:
        section = f"skills.by_task.{row['lab']}.{row['task']}"
        yield section, "max_score", row["max_score"], row["mean_share"]["n"]
        yield _fig_row(section, "mean_share", row["mean_share"])
        yield _fig_row(section, "failure_rate", row["failure_rate"])
        for index, count in enumerate(row["histogram"] or []):
            yield section, f"histogram_{index / 10:.1f}", count, row["mean_share"]["n"]
    for row in skills["by_objective"]:
        section = f"skills.by_objective.{row['lab']}.{'+'.join(row['tasks'])}"
        yield _fig_row(section, "mean_share", row["mean_share"])
        yield _fig_row(section, "acquired", row["acquired"])
    satisfaction = report["satisfaction"]
    for key in ("clarity", "usefulness"):
        yield _fig_row("satisfaction", key, satisfaction[key])
    yield "satisfaction", "answers", satisfaction["answers"], satisfaction["clarity"]["n"]
    for row in satisfaction["by_lab"]:
        for key in ("clarity", "usefulness"):
            yield _fig_row(f"satisfaction.by_lab.{row['lab']}", key, row[key])
    engagement = report["engagement"]
    for key in ("active_minutes", "sessions", "days_active", "assistant_requests"):
        yield _fig_row("engagement", key, engagement[key])
    for row in engagement["by_lab"]:
        for key in ("active_minutes", "executions"):
            yield _fig_row(f"engagement.by_lab.{row['lab']}", key, row[key])
    for row in engagement["by_day"]:
        yield _fig_row(f"engagement.by_day.{row['day']}", "active_learners", row["active_learners"])
        if not row["active_learners"]["suppressed"]:
            yield f"engagement.by_day.{row['day']}", "minutes", row["minutes"], row["active_learners"]["n"]
    after = report["after_training"]
    for key in ("returning_learners", "labs_rerun", "active_minutes", "assistant_requests"):
        yield _fig_row("after_training", key, after[key])
    use_cases = report["use_cases"]
    for key in ("count", "minutes_saved_per_week"):
        yield _fig_row("use_cases", key, use_cases[key])
    for row in use_cases["by_persona"]:
        for key in ("count", "minutes_saved_per_week"):
            yield _fig_row(f"use_cases.by_persona.{row['persona']}", key, row[key])
    for row in report["feedback_loop"]["labs"]:
        yield "feedback_loop.labs", row["lab"], row["priority"], max(row["failure_rate"]["n"],
                                                                     row["satisfaction"]["n"])
    if free_text:
        for row in satisfaction["comments"]:
            yield f"satisfaction.comments.{row['lab']}", "comment", row["text"], ""
        for row in use_cases["ideas"]:
            yield f"use_cases.ideas.{row['lab']}.{row['persona']}", "idea", row["text"], row["minutes_saved_per_week"]


def as_csv(report: dict, *, free_text: bool = False, named: bool = False) -> str:
    """The report as CSV rows section, key, value, n (see `csv_rows`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for section, key, value, n in csv_rows(report, free_text=free_text, named=named):
        writer.writerow((section, key, "" if value is None else value, n))
    return out.getvalue()


def compare_csv(compared: dict) -> str:
    """Two cohorts' headline figures: kpi, a, b, a_n, b_n, difference (b - a)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, ["kpi", "a", "b", "a_n", "b_n", "difference"], lineterminator="\n")
    writer.writeheader()
    for row in compared["rows"]:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return out.getvalue()


# -- text -------------------------------------------------------------------------------------------

SHARES = {"released", "started", "submitted", "passed", "mean_share", "failure_rate", "acquired",
          "returning_learners"}


def shown_value(fig: Fig, kind: str = "number") -> str:
    """A figure for a person: a share in %, a number, "hidden" (too few learners) or "-" (no data)."""
    if fig["suppressed"]:
        return f"hidden (n={fig['n']})"
    if fig["value"] is None:
        return "-"
    if kind == "share":
        return f"{fig['value'] * 100:.0f} %"
    return f"{fig['value']:,.1f}" if kind == "number" else f"{fig['value']:,.0f}"


COUNTS = {"count", "minutes_saved_per_week"}


def _kind(key: str) -> str:
    return "share" if key in SHARES else "count" if key in COUNTS else "number"


def _label(kpi: str) -> str:
    return kpi.removeprefix("completion.").replace("_", " ")


def _table(title: str, *columns: str, text_columns: int = 1) -> Table:
    """Text in the first ``text_columns`` columns, figures (right-aligned) in the others."""
    table = Table(title=title, title_justify="left")
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index < text_columns else "right")
    return table


def _cells(*values: str) -> list[Text]:
    return [Text(str(value)) for value in values]  # never markup: titles and comments are data


def as_text(report: dict, language: str = "en") -> RenderableType:
    """A concise terminal view: headline figures, then one row per lab, objective and idea."""
    title = report["title"]
    parts: list[RenderableType] = [Text(f"{report['cohort']}: {title}, {report['learners']} learners "
                                        f"({report['opens'] or '?'} to {report['ends'] or '?'}), "
                                        f"computed at {report['computed_at']}", style="bold")]
    head = _table("Headline figures", "KPI", "value", "learners")
    for path in HEADLINES:
        fig = figure_at(report, path)
        head.add_row(*_cells(_label(".".join(path)), shown_value(fig, _kind(path[-1])), fig["n"]))
    parts.append(head)
    labs = _table("By lab", "lab", "planned", *STAGES, "clarity", "usefulness", "active min")
    satisfaction = {row["lab"]: row for row in report["satisfaction"]["by_lab"]}
    engagement = {row["lab"]: row for row in report["engagement"]["by_lab"]}
    for row in report["completion"]["by_lab"]:
        liked, used = satisfaction.get(row["lab"]), engagement.get(row["lab"])
        labs.add_row(*_cells(f"{row['lab']} {row['title'].get(language) or row['title']['fr']}", row["planned"],
                             *(shown_value(row[stage], "share") for stage in STAGES),
                             shown_value(liked["clarity"]) if liked else "-",
                             shown_value(liked["usefulness"]) if liked else "-",
                             shown_value(used["active_minutes"], "count") if used else "-"))
    parts.append(labs)
    objectives = _table("Skills by objective", "objective", "mean score", "acquired")
    for row in report["skills"]["by_objective"]:
        objectives.add_row(*_cells(f"{row['lab']}: {row['objective'].get(language) or row['objective']['fr']}",
                                   shown_value(row["mean_share"], "share"), shown_value(row["acquired"], "share")))
    parts.append(objectives)
    fix = _table("Fix first", "lab", "failure rate", "satisfaction", "priority")
    for row in report["feedback_loop"]["labs"]:
        fix.add_row(*_cells(row["lab"], shown_value(row["failure_rate"], "share"),
                            shown_value(row["satisfaction"]),
                            "-" if row["priority"] is None else f"{row['priority']:.2f}"))
    parts.append(fix)
    if report["satisfaction"]["comments"]:
        comments = _table("Comments (anonymous, newest first)", "lab", "comment", text_columns=2)
        for row in report["satisfaction"]["comments"]:
            comments.add_row(*_cells(row["lab"], row["text"]))
        parts.append(comments)
    if report["use_cases"]["ideas"]:
        ideas = _table("Use cases proposed (anonymous)", "lab", "persona", "idea", "min/week", text_columns=3)
        for row in report["use_cases"]["ideas"]:
            saved = row["minutes_saved_per_week"]
            ideas.add_row(*_cells(row["lab"], row["persona"], row["text"], "-" if saved is None else saved))
        parts.append(ideas)
    return Group(*parts)


def compare_text(compared: dict) -> RenderableType:
    """Two cohorts' headline figures side by side, with the difference b - a."""
    a, b = compared["a"], compared["b"]
    table = _table(f"a = {a['cohort']} ({a['learners']} learners), b = {b['cohort']} ({b['learners']} learners)",
                   "KPI", "a", "b", "b - a")
    for row in compared["rows"]:
        kind = _kind(row["kpi"].rsplit(".", 1)[-1])
        fig_a = {"value": row["a"], "n": row["a_n"], "suppressed": row["a"] is None and row["a_n"] > 0}
        fig_b = {"value": row["b"], "n": row["b_n"], "suppressed": row["b"] is None and row["b_n"] > 0}
        if row["difference"] is None:
            difference = "-"
        elif kind == "share":
            difference = f"{row['difference'] * 100:+.0f} pts"
        else:
            difference = f"{row['difference']:+,.1f}"
        table.add_row(*_cells(_label(row["kpi"]), shown_value(fig_a, kind), shown_value(fig_b, kind),
                              difference))
    return table


if __name__ == "__main__":
    sys.exit(main())
