"""A new training wave's cohort file, made from a pilot's: what worked is kept, the people and the dates are not.

The pilot's labs, pack, image, limits and language are copied as written, and its trainers and IT stay;
learners come only from HR's roster, through the same import as `sandlab cohort roster import`. Dates move
by the days between the pilot's first day and the wave's: a wave never silently gets the pilot's calendar.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from sandlab.cohort import COHORT_NAME, Cohort, Dates, Member, load_cohort
from sandlab.hub.enrol import Draft, Plan, imported, other_cohorts, plan_import, write_plan
from sandlab.hub.roster import read_roster
from sandlab.specfile import SpecError

STAFF = ("trainer", "admin")
CLONED = "# cloned from "


@dataclass(frozen=True)
class Clone:
    """What a clone made (or, dry run or --strict, would have made)."""

    pilot: Path
    out: Path
    name: str
    title: str
    pack: str  # as written in the wave's file: relative to its folder when the pilot's was relative
    shift: timedelta | None  # how far the dates moved; None: the pilot has none
    dates: Dates
    staff: list[Member]  # the pilot's trainers and IT, kept
    plan: Plan  # the roster's learners and refused lines
    written: bool


def clone_cohort(pilot_file: Path, roster_file: Path, *, name: str, title: str | None = None,
                 opens: date | None = None, out: Path | None = None, dry_run: bool = False, strict: bool = False,
                 today: date | None = None) -> Clone:
    """Write the wave ``name``'s cohort file from ``pilot_file`` and HR's ``roster_file``; refuse (SpecError or
    RosterError, nothing written) rather than guess."""
    pilot_file = Path(pilot_file)
    today = today or date.today()
    pilot = load_cohort(pilot_file)  # a SpecError names the pilot's file, line and fix
    if not re.fullmatch(COHORT_NAME, name):
        raise SpecError(f"--as {name!r}: a cohort name is 2 to 31 lowercase letters, digits or hyphens, starting "
                        "with a letter (e.g. vague-2)")
    if name == pilot.name:
        raise SpecError(f"--as {name}: that is the pilot's name ({pilot_file.name}); give the wave a name of its own")
    out = Path(out) if out is not None else pilot_file.parent / f"{name}.yaml"
    if out.exists():
        raise SpecError(f"{out}: already exists, left as it is; give another --out or --as, or remove that file")
    if not out.parent.is_dir():
        raise SpecError(f"{out.parent}: no such folder for {out.name}; create it or give another --out")
    shift = _shift(pilot, pilot_file, opens)
    raw = yaml.safe_load(pilot_file.read_text(encoding="utf-8"))
    data = {**raw, "name": name, "title": title or wave_title(pilot.title, pilot.name, name),
            "pack": _pack(raw["pack"], pilot_file, out)}
    if shift is not None:
        _move_dates(data, pilot, shift)
    staff = [(entry, member) for entry, member in zip(raw["members"], pilot.members, strict=True)
             if member.role in STAFF]
    data["members"] = [entry for entry, _ in staff]
    draft = Draft(data, [member for _, member in staff], [])
    roster = read_roster(roster_file)
    others = other_cohorts(out, today)
    others.add(pilot_file, pilot, today)  # the pilot counts wherever the wave's file goes
    plan = plan_import(roster, draft.members, others)
    if not plan.added:
        why = "".join(f"\n  line {refusal.line}: {refusal.reason}" for refusal in plan.refused)
        raise SpecError(f"{out}: not created, no learner to import from {roster.path.name}{why}\nfix those lines "
                        "or give another --roster")
    comments = [f"{CLONED}{pilot_file.name} on {today.isoformat()}", imported(roster.path.name, today)]
    written = write_plan(out, draft, plan, comments=comments, dry_run=dry_run, strict=strict)
    return Clone(pilot=pilot_file, out=out, name=name, title=data["title"], pack=data["pack"], shift=shift,
                 dates=Dates.model_validate(data.get("dates") or {}), staff=draft.members, plan=plan,
                 written=written)


def wave_title(title: str, pilot_name: str, name: str) -> str:
    """The pilot's title for the wave: the pilot's name in it replaced by the wave's, else the wave's after it."""
    return title.replace(pilot_name, name) if pilot_name in title else f"{title} ({name})"


def _shift(pilot: Cohort, pilot_file: Path, opens: date | None) -> timedelta | None:
    """The days the dates move by; None when the pilot has no dates to move."""
    has_dates = pilot.dates != Dates() or bool(pilot.labs.due)
    if opens is None:
        if has_dates:
            raise SpecError(f"{pilot_file.name} has dates: give --opens YYYY-MM-DD: the wave's first day (every "
                            "date moves by as many days as dates.opens)")
        return None
    if pilot.dates.opens is None:
        raise SpecError(f"--opens {opens}: {pilot_file.name} has no dates.opens to move from; add it to the pilot "
                        "(its first day)" + ("" if has_dates else ", or leave --opens out (the wave then has no "
                                             "dates either)"))
    return opens - pilot.dates.opens


def _move_dates(data: dict[str, Any], pilot: Cohort, shift: timedelta) -> None:
    """Every date the pilot wrote, moved by ``shift`` (sessions and due dates keep their time and UTC offset).

    The values come from the validated pilot, so a date written as a quoted string moves too. A date and
    time is written as an ISO string: PyYAML would tag it '!!timestamp' inside a [flow, list].
    """
    if "dates" in data:
        dates = data["dates"] = dict(data["dates"])
        for key in ("opens", "ends", "closes"):
            if dates.get(key) is not None:
                dates[key] = getattr(pilot.dates, key) + shift
        if dates.get("sessions"):
            dates["sessions"] = [(start + shift).isoformat() for start in pilot.dates.sessions]
    if pilot.labs.due:
        labs = data["labs"] = copy.deepcopy(data["labs"])
        labs["due"] = {lab: (due + shift).isoformat() for lab, due in pilot.labs.due.items()}


def _pack(pack: str, pilot_file: Path, out: Path) -> str:
    """The pilot's pack as the wave's file must name it: a relative path is relative to the file's folder."""
    if Path(pack).is_absolute() or pilot_file.parent.resolve() == out.parent.resolve():
        return pack
    return os.path.relpath((pilot_file.parent / pack).resolve(), out.parent.resolve())
