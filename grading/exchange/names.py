"""Every name that becomes part of a path in the exchange, checked before it gets there.

A name comes from a learner's request, a learner's folder or IT's tools; each one is
matched whole (``re.fullmatch``, so no trailing newline slips through) against a pattern
that admits no '/', no '..' and no leading '.', so a checked name can only ever name one
entry of the folder it is joined to.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from secrets import token_hex

from sandlab.cohort import COHORT_NAME, USER_NAME
from sandlab.framework import LAB_ID, LANGUAGES

COHORT = re.compile(COHORT_NAME.strip("^$"))
USER = re.compile(USER_NAME.strip("^$"))
LAB = re.compile(LAB_ID.strip("^$"))
NOTEBOOK = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.ipynb")
FEEDBACK = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.html")
VERSION = re.compile(r"[0-9a-f]{12}")
SUBMISSION_ID = re.compile(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{4}")
SUBMISSION_TIME = "%Y%m%dT%H%M%S.%fZ"


class ExchangeRefused(ValueError):
    """A name or a submission the exchange will not take; the message says what to change."""


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _check(value: object, pattern: re.Pattern[str], what: str, rule: str) -> str:
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        raise ExchangeRefused(f"{what} {_shown(value)} refused: {rule}")
    return value


def cohort_name(value: object) -> str:
    return _check(value, COHORT, "cohort name",
                  "a cohort name has 2 to 31 lowercase letters, digits or '-' and starts with a letter")


def user_name(value: object) -> str:
    return _check(value, USER, "user name",
                  "a user name has up to 32 lowercase letters, digits or '-', starts with a letter "
                  "and does not end with '-'")


def lab_id(value: object) -> str:
    return _check(value, LAB, "lab id", "a lab id looks like 'l01-what-ai-is': 'l', two digits, '-', "
                                        "then lowercase letters, digits or '-'")


def language(value: object) -> str:
    if value not in LANGUAGES:
        raise ExchangeRefused(f"language {_shown(value)} refused: use one of {', '.join(LANGUAGES)}")
    return str(value)


def notebook_name(value: object) -> str:
    return _check(value, NOTEBOOK, "file name",
                  "a notebook name has letters, digits, '.', '_' or '-', starts with a letter or digit "
                  "and ends in .ipynb (no folder, at most 127 characters)")


def feedback_name(value: object) -> str:
    return _check(value, FEEDBACK, "feedback file name",
                  "a feedback name has letters, digits, '.', '_' or '-', starts with a letter or digit "
                  "and ends in .html (no folder)")


def version(value: object) -> str:
    return _check(value, VERSION, "release version", "a version is 12 lowercase hexadecimal digits")


def submission_id(value: object) -> str:
    return _check(value, SUBMISSION_ID, "submission id",
                  "a submission id looks like '20261201T221503.123456Z-3fa2' (UTC time, '-', 4 hex digits)")


def new_submission_id(moment: datetime) -> str:
    """Sortable by time as text, safe as a folder name, unique enough with its random tail
    (the store retries on the one-in-65536 clash within the same microsecond)."""
    return f"{moment.astimezone(UTC).strftime(SUBMISSION_TIME)}-{token_hex(2)}"
