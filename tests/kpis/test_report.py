"""The report's entry in the hub image, its CSV and text forms, and `sandlab kpis` without a hub."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import subprocess

import pytest
from rich.console import Console
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.grading.exchange.store import ExchangeStore
from sandlab.kpis.compute import cohort_kpis, compare, learner_progress
from sandlab.kpis.report import as_csv, as_text, compare_csv, compare_text, main
from sandlab.kpis.store import CohortFacts, PlannedLab
from tests.kpis.conftest import COHORT


def state_of(store):
    return store.path.parent.parent  # STATE/kpis/kpis.sqlite


def run_main(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rendered(renderable) -> str:
    console = Console(record=True, width=200, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def test_main_prints_the_cohort_report(store, capsys):
    code, out, _ = run_main(capsys, "--state", str(state_of(store)), COHORT)
    printed = json.loads(out)
    assert code == 0 and printed["cohort"] == COHORT and printed["learners"] == 7
    expected = cohort_kpis(store, COHORT)["completion"]
    assert printed["completion"] == {**expected, "by_learner": []}  # no names without --named


def test_main_an_unknown_cohort_exits_2_naming_the_fix(store, capsys):
    code, out, err = run_main(capsys, "--state", str(state_of(store)), "nope")
    assert code == 2 and out == ""
    assert "cohort 'nope' is not in the KPI database (known: c1)" in err and "sandlab hub apply" in err


def test_main_without_a_kpi_database_exits_2_and_creates_nothing(tmp_path, capsys):
    code, _, err = run_main(capsys, "--state", str(tmp_path), COHORT)
    assert code == 2 and "no KPI database" in err and "sandlab hub apply" in err
    assert list(tmp_path.iterdir()) == []


def test_main_compare_and_learner(store, capsys):
    store.put_cohort(CohortFacts("c2", "Two", None, None), [], [PlannedLab("c2", "ana", "business", "l01-a")])
    code, out, _ = run_main(capsys, "--state", str(state_of(store)), COHORT, "--compare", "c2")
    printed = json.loads(out)
    assert code == 0 and printed["a"]["cohort"] == COHORT and printed["b"]["cohort"] == "c2"
    assert printed["rows"] == compare(printed["a"], printed["b"])
    code, out, _ = run_main(capsys, "--state", str(state_of(store)), COHORT, "--learner", "b5")
    assert code == 0 and json.loads(out)["next"] == "l01-a"
    with pytest.raises(SystemExit):
        main(["--state", str(state_of(store)), COHORT, "--learner", "b5", "--compare", "c2"])


def test_main_copies_releases_and_submissions_from_the_exchange_first(store, capsys):
    exchange = ExchangeStore(state_of(store) / "exchange")
    notebook = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    exchange.put_release(COHORT, "l03-c", "fr", {"l03-c.fr.ipynb": notebook})
    exchange.put_submission(COHORT, "b5", "l02-b", {"l02-b.fr.ipynb": notebook})
    code, out, _ = run_main(capsys, "--state", str(state_of(store)), COHORT, "--learner", "b5")
    assert code == 0 and [(lab["lab"], lab["state"]) for lab in json.loads(out)["labs"]] == [
        ("l01-a", "started"), ("l02-b", "submitted")]
    assert learner_progress(store, COHORT, "b1")["labs"][2]["state"] == "passed"
    assert len(cohort_kpis(store, COHORT, min_cell=1)["completion"]["by_lab"]) == 3
    code, _, err = run_main(capsys, "--state", str(state_of(store)), "../nope")
    assert code == 2 and "not in the KPI database" in err  # refused before the exchange is read


def csv_table(text: str) -> dict[tuple[str, str], tuple[str, str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "key", "value", "n"]
    return {(section, key): (value, n) for section, key, value, n in rows[1:]}


def test_csv_has_every_kpi_flat_and_no_free_text(store):
    report = cohort_kpis(store, COHORT)
    text = as_csv(report)
    table = csv_table(text)
    assert float(table[("completion.funnel", "released")][0]) == pytest.approx(14 / 18)
    assert table[("completion.funnel", "released")][1] == "7"
    assert table[("completion.by_lab.l03-c", "passed")] == ("", "4")  # suppressed: no value, n stays
    assert table[("completion.by_persona.business", "started")][1] == "5"
    assert float(table[("skills.by_task.l01-a.t1", "failure_rate")][0]) == pytest.approx(0.2)
    assert table[("skills.by_task.l01-a.t1", "histogram_0.9")] == ("3", "5")
    assert ("skills.by_task.l01-a.m1", "histogram_0.0") not in table  # suppressed histogram
    assert float(table[("skills.by_objective.l01-a.t1+t2", "acquired")][0]) == pytest.approx(0.8)
    assert float(table[("satisfaction.by_lab.l01-a", "usefulness")][0]) == pytest.approx(3.6)
    assert float(table[("engagement", "sessions")][0]) == pytest.approx(14 / 7)
    assert float(table[("engagement.by_lab.l02-b", "executions")][0]) == pytest.approx(10 / 7)
    assert float(table[("after_training", "labs_rerun")][0]) == pytest.approx(1 / 7)
    assert float(table[("use_cases", "minutes_saved_per_week")][0]) == 225
    assert float(table[("feedback_loop.labs", "l01-a")][0]) == pytest.approx(0.7)
    for private in ("Confus", "Traduire", "b1", "s2"):
        assert private not in text
    assert not any(section.startswith("completion.by_learner") for section, _ in table)


def test_csv_free_text_and_named_rows_only_when_asked(store):
    text = as_csv(cohort_kpis(store, COHORT), free_text=True, named=True)
    table = csv_table(text)
    assert "Confus" in text and "Traduire" in text
    assert table[("completion.by_learner.b1", "active_minutes")] == ("25", "1")


def test_text_view_shows_headlines_labs_and_hidden_figures(store):
    text = rendered(as_text(cohort_kpis(store, COHORT), "fr"))
    assert "c1: Cohort one, 7 learners" in text
    assert "funnel.released" in text and "78 %" in text  # 14 / 18
    assert "l01-a Un" in text and "hidden (n=4)" in text
    assert "Parfait" in text and "Répondre aux clients" in text
    assert "l03-c Three" in rendered(as_text(cohort_kpis(store, COHORT), "en"))


def test_text_view_shows_markup_as_text(store):
    from sandlab.kpis.survey import SurveyAnswer

    store.put_survey(COHORT, "b5", SurveyAnswer(lab="l01-a", clarity=3, usefulness=3, comment="[red]boom[/red]"))
    assert "[red]boom[/red]" in rendered(as_text(cohort_kpis(store, COHORT)))


def test_compare_text_and_csv(store):
    store.put_cohort(CohortFacts("c2", "Two", None, None), [], [PlannedLab("c2", f"u{i}", "business", "l01-a")
                                                                 for i in range(5)])
    a, b = cohort_kpis(store, COHORT), cohort_kpis(store, "c2")
    compared = {"a": a, "b": b, "rows": compare(a, b)}
    text = rendered(compare_text(compared))
    assert "a = c1 (7 learners), b = c2 (5 learners)" in text and "-78 pts" in text
    table = {row["kpi"]: row for row in csv.DictReader(io.StringIO(compare_csv(compared)))}
    assert float(table["completion.funnel.released"]["difference"]) == pytest.approx(-14 / 18)
    assert table["satisfaction.clarity"]["b"] == "" and table["satisfaction.clarity"]["b_n"] == "0"


# -- `sandlab kpis` from the host, with the hub image's run replaced by the real entry ----------------


@pytest.fixture
def host(store, tmp_path, monkeypatch):
    """`sandlab kpis` whose run on the state volume is `report.main` on the fixture's store."""
    calls = []

    def run_on_state(instance, *command, stdin=""):
        calls.append(command)
        assert command[:5] == ("python", "-m", "sandlab.kpis.report", "--state", "/srv/sandlab/state")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([command[3], str(state_of(store)), *command[5:]])
        return subprocess.CompletedProcess(command, code, out.getvalue(), err.getvalue())

    monkeypatch.setattr("sandlab.hub.platform.run_on_state", run_on_state)
    monkeypatch.setattr("sandlab.kpis.cli.check_instance", lambda instance: None)
    for name in ("c1", "c2", "nope"):
        (tmp_path / f"{name}.yaml").write_text(f"name: {name}\ntitle: t\npack: p\nlanguage: en\n"
                                               "members:\n  - {name: ana, persona: business}\n")
    store.put_cohort(CohortFacts("c2", "Two", None, None), [], [PlannedLab("c2", "ana", "business", "l01-a")])
    return tmp_path, calls


def invoke(*args):
    return CliRunner().invoke(app, ["kpis", *args])


def test_cli_json_csv_and_compare(host):
    folder, calls = host
    done = invoke(str(folder / "c1.yaml"), "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["learners"] == 7
    done = invoke(str(folder / "c1.yaml"), "--csv")
    assert done.exit_code == 0 and done.stdout.startswith("section,key,value,n\ncohort,learners,7,7\n")
    done = invoke(str(folder / "c1.yaml"), "--compare", str(folder / "c2.yaml"), "--csv")
    assert done.exit_code == 0 and done.stdout.startswith("kpi,a,b,a_n,b_n,difference\n")
    assert calls[-1][5:] == ("c1", "--compare", "c2")
    done = invoke(str(folder / "c1.yaml"))
    assert done.exit_code == 0 and "Headline figures" in done.output


def test_cli_errors_name_the_fix(host):
    folder, _ = host
    done = invoke(str(folder / "nope.yaml"))
    assert done.exit_code == 2 and "cohort 'nope' is not in the KPI database" in done.output
    assert "sandlab hub apply" in done.output
    done = invoke(str(folder / "c1.yaml"), "--json", "--csv")
    assert done.exit_code == 2 and "choose one" in done.output
    done = invoke(str(folder / "missing.yaml"))
    assert done.exit_code == 2 and "missing.yaml" in done.output


def test_names_leave_only_with_named_and_a_reason_and_each_named_export_is_logged(store, capsys):
    state = str(state_of(store))
    code, out, _ = run_main(capsys, "--state", state, COHORT)
    assert code == 0 and json.loads(out)["completion"]["by_learner"] == []
    code, _, err = run_main(capsys, "--state", state, COHORT, "--named", "--who", "ines")
    assert code == 2 and "--reason" in err
    code, out, _ = run_main(capsys, "--state", state, COHORT, "--named", "--reason", "training file", "--who", "ines")
    assert code == 0 and json.loads(out)["completion"]["by_learner"]
    with store.connect() as db:
        assert db.execute("SELECT who, cohort, reason FROM exports").fetchall() == [("ines", COHORT, "training file")]
