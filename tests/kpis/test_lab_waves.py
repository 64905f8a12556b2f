"""One lab across waves: per task failure rates, median time, satisfaction, the version each had,
with the smallest-cell rule."""

from __future__ import annotations

from sandlab.kpis.lab_waves import lab_waves, waves_markdown
from sandlab.kpis.store import ActivityMinute, CohortFacts, KpiStore, PlannedLab, ScoreRow
from sandlab.kpis.survey import SurveyAnswer

LAB = "l01-what-ai-is"


def wave(store: KpiStore, cohort: str, opens: str, learners: int, failing: int) -> None:
    users = [f"{cohort}-u{number}" for number in range(learners)]
    store.put_cohort(CohortFacts(cohort, cohort.title(), opens), [],
                     [PlannedLab(cohort, user, "business", LAB) for user in users])
    store.add_scores([ScoreRow(cohort, user, LAB, "q_rule", 0.0 if number < failing else 2.0, 2.0, False)
                      for number, user in enumerate(users)])
    store.add_activity([ActivityMinute(cohort, user, LAB, 1000 + minute, "kernel", 1)
                        for number, user in enumerate(users) for minute in range(10 * (number + 1))])
    for number, user in enumerate(users):
        store.put_survey(cohort, user, SurveyAnswer(lab=LAB, clarity=2 + number % 2, usefulness=4))


def test_each_wave_shows_its_version_failures_time_and_satisfaction(tmp_path):
    store = KpiStore(tmp_path / "kpis.sqlite")
    wave(store, "spring", "2026-03-01", learners=6, failing=3)
    wave(store, "autumn", "2026-09-01", learners=3, failing=0)
    store.put_cohort(CohortFacts("other", "Other"), [], [PlannedLab("other", "x", "business", "l02-data-quality")])
    waves = lab_waves(store, ["autumn", "spring", "other"], LAB, {"autumn": "2"})
    assert [w["cohort"] for w in waves] == ["spring", "autumn"]  # oldest first; a cohort without the lab is left out
    spring, autumn = waves
    assert spring["version"] == "catalogue" and autumn["version"] == "2"
    assert spring["tasks"] == [{"task": "q_rule", "failure_rate": {"value": 0.5, "n": 6, "suppressed": False}}]
    assert spring["median_minutes"]["value"] == 35.0  # 10, 20 ... 60 minutes
    assert spring["satisfaction"]["value"] == 3.25  # clarity 2 or 3 and usefulness 4, halved
    assert autumn["tasks"][0]["failure_rate"] == {"value": None, "n": 3, "suppressed": True}  # three learners
    assert autumn["median_minutes"]["suppressed"] and autumn["satisfaction"]["suppressed"]
    text = waves_markdown(LAB, waves)
    assert "spring (version catalogue, 6 learners)" in text and "autumn (version 2, 3 learners)" in text
    assert "| q_rule failed | 50% | (3 learners: too few to show) |" in text
    assert "autumn-u" not in text and "spring-u" not in text  # no learner is named


def test_the_dashboard_page_compares_the_last_two_waves_task_by_task(tmp_path):
    from sandlab.kpis import pages
    from sandlab.kpis.lab_waves import lab_report
    from sandlab.kpis.store import LabFacts

    store = KpiStore(tmp_path / "kpis.sqlite")
    wave(store, "spring", "2026-03-01", learners=6, failing=3)
    wave(store, "autumn", "2026-09-01", learners=5, failing=1)
    wave(store, "winter", "2026-12-01", learners=2, failing=0)
    store.put_cohort(CohortFacts("spring", "Spring", "2026-03-01"),
                     [LabFacts(LAB, 1, "Ce qu'est l'IA", "What AI is", 0.5)],
                     [PlannedLab("spring", f"spring-u{number}", "business", LAB) for number in range(6)])
    report = lab_report(store, LAB, ("autumn", "spring", "winter"), (("autumn", "2"),))
    assert report["title"] == {"fr": "Ce qu'est l'IA", "en": "What AI is"}
    html = pages.lab_page(LAB, report["title"], report["waves"][:2], "en", "tess")
    assert "What AI is" in html and "This lab, wave by wave" in html
    table = html[html.index("<table>"):]
    assert table.index(">spring<") < table.index(">autumn<")  # oldest first
    assert "<td>catalogue</td><td>2</td>" in html  # the version each wave was given
    assert "<td>q_rule failed</td><td>50 %</td><td>20 %</td>" in html
    assert "<svg" in html and "20 % / 50 %" in html  # the newest wave's bar, then the previous one's
    assert "-u0" not in html  # no learner is named
    french = pages.lab_page(LAB, report["title"], report["waves"], "fr", "tess")
    assert "Ce qu&#39;est l&#39;IA" in french and "Échec à q_rule" in french and "moins de 5" in french  # winter: 2
    assert "Aucune de vos cohortes" in pages.lab_page(LAB, None, [], "fr", "tess")
