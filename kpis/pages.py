"""The dashboard's pages, rendered on the server from the KPI reports (sandlab.kpis.compute).

Everything shown is escaped by Jinja's autoescape (survey comments and ideas are untrusted
text), except the charts, which escape their own labels (sandlab.kpis.charts).
"""

from __future__ import annotations

from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from sandlab.kpis import charts
from sandlab.kpis.compute import STAGES
from sandlab.kpis.figures import MIN_CELL
from sandlab.kpis.i18n import words
from sandlab.kpis.lab_waves import CATALOGUE

_templates = Environment(loader=PackageLoader("sandlab.kpis", "templates"), autoescape=select_autoescape(["html"]))


def figure_text(figure: dict | None, kind: str, language: str, min_cell: int = MIN_CELL) -> str:
    """A figure as read: '62 %', '4.2 / 5', '37', 'fewer than 5' or '–'."""
    if not figure:
        return "–"
    if figure.get("suppressed"):
        return words(language)["fewer_than"].format(n=min_cell)
    value = figure.get("value")
    if value is None:
        return "–"
    if kind == "pct":
        return f"{round(100 * value)} %"
    if kind == "of5":
        return f"{value:.1f} / 5"
    return f"{value:.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:.1f}"


def _bar(label: str, figure: dict | None, kind: str, language: str) -> charts.Bar:
    value = None if not figure or figure.get("suppressed") else figure.get("value")
    return charts.Bar(label, value, figure_text(figure, kind, language))


def _render(template: str, language: str, user: str, query: dict[str, str], **values) -> str:
    def query_lang(code: str) -> str:
        return urlencode({**{k: v for k, v in query.items() if v}, "lang": code})

    w = words(language)
    return _templates.get_template(template).render(
        lang=language, w=w, user=user, query_lang=query_lang,
        fig=lambda figure, kind: figure_text(figure, kind, language),
        histogram=lambda counts, task: charts.histogram(counts, title=f"{w['distribution']} {task}"), **values)


def message_page(language: str, user: str, title: str, message: str) -> str:
    return _render("message.html", language, user, {}, title=title, message=message)


def home_page(reports: list[dict], language: str, user: str) -> str:
    return _render("home.html", language, user, {}, title=words(language)["cohorts"], cohorts=reports)


def cohort_page(report: dict, language: str, user: str, *, others: list[str], level: int | None = None,
                compare_name: str | None = None, comparison: list[dict] | None = None,
                other_report: dict | None = None) -> str:
    w = words(language)
    funnel = report["completion"]["funnel"]
    by_lab = [row for row in report["completion"]["by_lab"] if level is None or row["level"] == level]
    objective_bars = [_bar(f"{row['lab'][:3]} · {row['objective'][language]}", row["acquired"], "pct", language)
                      for row in report["skills"]["by_objective"]]
    satisfaction_bars = [_bar(f"{row['lab']}", row["usefulness"], "of5", language)
                         for row in report["satisfaction"]["by_lab"]]
    drawn = {
        "funnel": charts.hbars([_bar(w[stage], funnel[stage], "pct", language)
                                for stage in STAGES], title=w["funnel"]),
        "objectives": charts.hbars(objective_bars, title=w["acquired"]) if objective_bars else Markup(""),
        "satisfaction": charts.hbars(satisfaction_bars, maximum=5, title=w["usefulness"])
        if satisfaction_bars else Markup(""),
        "activity": charts.columns([(day["day"], day["minutes"]) for day in report["engagement"]["by_day"]],
                                   title=w["activity_over_time"]),
    }
    compared = None
    if comparison is not None and other_report is not None:
        other_funnel = other_report["completion"]["funnel"]
        bars = []
        for stage in STAGES:
            bar = _bar(w[stage], funnel[stage], "pct", language)
            second = other_funnel[stage]
            bars.append(charts.Bar(bar.label, bar.value, f"{bar.note} / {figure_text(second, 'pct', language)}",
                                   None if second.get("suppressed") else second.get("value")))
        rows = [{"kpi": row["kpi"], "a": _plain(row["a"], row["a_n"], language),
                 "b": _plain(row["b"], row["b_n"], language)} for row in comparison]
        compared = {"chart": charts.hbars(bars, title=w["compare"], legend=(report["cohort"], compare_name or "")),
                    "rows": rows}
    query = {"level": str(level or ""), "compare": compare_name or ""}
    return _render("cohort.html", language, user, query, title=report["title"], r=report, charts=drawn, by_lab=by_lab,
                   level=level, others=others, compare_name=compare_name, comparison=compared,
                   privacy=w["privacy"].format(n=MIN_CELL))


def _plain(value, n: int, language: str) -> str:
    if value is None:
        return "–" if not n else words(language)["fewer_than"].format(n=MIN_CELL)
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def learner_page(progress: dict, language: str, user: str) -> str:
    titles = {lab["lab"]: lab["title"][language] for lab in progress["labs"]}
    bars = [charts.Bar(f"{skill['objective'][language]}", skill["share"],
                       "–" if skill["share"] is None else f"{round(100 * skill['share'])} %")
            for skill in progress["skills"]]
    view = {**progress, "next_title": titles.get(progress.get("next") or "", "")}
    return _render("me.html", language, user, {}, title=words(language)["my_progress"], p=view,
                   skills_chart=charts.hbars(bars, title=words(language)["my_skills"]) if bars else None)


def lab_page(lab: str, title: dict[str, str] | None, waves: list[dict], language: str, user: str) -> str:
    """One lab across the waves the viewer may see: the last two compared on a chart, all in a table."""
    w = words(language)
    tasks = sorted({task["task"] for wave in waves for task in wave["tasks"]})

    def failure(wave: dict, task: str) -> dict | None:
        return next((found["failure_rate"] for found in wave["tasks"] if found["task"] == task), None)

    chart = Markup("")
    if waves and tasks:
        newest, previous = waves[-1], (waves[-2] if len(waves) > 1 else None)
        bars = []
        for task in tasks:
            bar = _bar(task, failure(newest, task), "pct", language)
            if previous is not None:
                second = failure(previous, task)
                bar = charts.Bar(task, bar.value, f"{bar.note} / {figure_text(second, 'pct', language)}",
                                 None if not second or second.get("suppressed") else second.get("value"))
            bars.append(bar)
        chart = charts.hbars(bars, title=w["failure_by_task"],
                             legend=(newest["cohort"], previous["cohort"]) if previous else None)
    rows = [{"name": w["failed_task"].format(task=task), "kind": "pct",
             "cells": [failure(wave, task) for wave in waves]} for task in tasks]
    rows += [{"name": w["median_minutes"], "kind": "num", "cells": [wave["median_minutes"] for wave in waves]},
             {"name": w["satisfaction"], "kind": "of5", "cells": [wave["satisfaction"] for wave in waves]}]
    versions = [w["catalogue_version"] if wave["version"] == CATALOGUE else wave["version"] for wave in waves]
    return _render("lab.html", language, user, {}, title=(title or {}).get(language) or lab, lab=lab, waves=waves,
                   versions=versions, rows=rows, chart=chart, privacy=w["privacy"].format(n=MIN_CELL))
