from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from sandlab.cohort import Cohort, Dates, Member
from sandlab.hub.access import closed_notice

NOON = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def cohort(language="fr", **dates) -> Cohort:
    return Cohort(name="wave", title="Vague 2", pack=Path("p"), language=language, dates=Dates(**dates),
                  members=[Member(name="ana", persona="business"), Member(name="tom", role="trainer")])


@pytest.mark.parametrize(("dates", "open_"), [
    ({}, True), ({"opens": date(2026, 12, 2)}, True), ({"opens": date(2026, 12, 3)}, False),
    ({"closes": date(2026, 12, 2)}, True), ({"closes": date(2026, 12, 1)}, False),
])
def test_learners_start_between_opens_and_closes(dates, open_):
    assert (closed_notice(cohort(**dates), cohort().members[0], NOON) is None) == open_


def test_trainers_and_it_are_not_held_by_the_dates():
    assert closed_notice(cohort(opens=date(2027, 1, 1)), cohort().members[1], NOON) is None


def test_the_notice_is_in_the_learner_s_language_and_names_the_next_session():
    sessions = [datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 12, 10, 9, 30, tzinfo=UTC),
                datetime(2026, 12, 17, 9, tzinfo=UTC)]
    fr = closed_notice(cohort(opens=date(2026, 12, 10), sessions=sessions), cohort().members[0], NOON)
    assert fr == ("Votre formation « Vague 2 » ouvre le 10 décembre 2026. "
                  "Prochaine séance : le 10 décembre 2026 à 09:30.")
    en = closed_notice(cohort("en", closes=date(2026, 11, 30)), cohort().members[0], NOON)
    assert en.startswith("The training “Vague 2” closed on November 30, 2026")


@pytest.mark.parametrize("dates", [{"opens": date(2026, 12, 10), "ends": date(2026, 12, 1)},
                                   {"ends": date(2026, 12, 10), "closes": date(2026, 12, 1)},
                                   {"sessions": ["2026-12-10T09:00:00"]}])  # a session needs its UTC offset
def test_dates_out_of_order_or_without_offset_are_refused(dates):
    with pytest.raises(ValidationError):
        Dates(**dates)
