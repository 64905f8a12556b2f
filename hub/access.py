"""When a cohort's learners may start their server, and what they read when they may not.

Learners start a server between the cohort's ``dates.opens`` and ``dates.closes``; trainers
and IT always can. The notice is in the learner's language and names the next session.
"""

from __future__ import annotations

from datetime import datetime

from sandlab.cohort import Cohort, Member

MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}
NOTICES = {
    "fr": {"opens": "Votre formation « {title} » ouvre le {day}.", "closed": "La formation « {title} » est close "
           "depuis le {day} ; vos travaux sont conservés : demandez-les à votre formateur.",
           "session": " Prochaine séance : le {day} à {time}."},
    "en": {"opens": "Your training “{title}” opens on {day}.", "closed": "The training “{title}” closed on {day}; "
           "your work is kept: ask your trainer for it.", "session": " Next session: {day} at {time}."},
}


def spoken_day(day, language: str) -> str:
    month = MONTHS[language][day.month - 1]
    return f"{day.day} {month} {day.year}" if language == "fr" else f"{month} {day.day}, {day.year}"


def closed_notice(cohort: Cohort, member: Member, now: datetime) -> str | None:
    """None when ``member`` may start their server at ``now`` (an aware datetime), else why not."""
    if member.role != "learner":
        return None
    dates = cohort.dates
    reason = dates.closed_on(now.date())
    if reason is None:
        return None
    language = cohort.language_of(member)
    words = NOTICES[language]
    day = dates.opens if reason == "opens" else dates.closes
    notice = words[reason].format(title=cohort.title, day=spoken_day(day, language))
    session = dates.next_session(now) if reason == "opens" else None
    if session is not None:
        notice += words["session"].format(day=spoken_day(session.date(), language), time=session.strftime("%H:%M"))
    return notice
