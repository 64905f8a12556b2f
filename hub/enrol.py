"""Turn a roster into a cohort file's members: login names, the one-open-cohort rule, the file rewritten whole.

The roster says who the learners are; the cohort file says everything else. So an import only touches
`members`, matches people by e-mail (someone already there keeps their login name), and either writes a
file `load_cohort` reads or writes nothing.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from sandlab.cohort import Cohort, Member, email_key, load_cohort
from sandlab.hub.files import write_atomically
from sandlab.hub.roster import Refusal, Roster, RosterRow, fold
from sandlab.specfile import SpecError, parse_spec

MAX_LOGIN = 32  # USER_NAME's limit
IMPORTED = "# members imported from "


@dataclass(frozen=True)
class NewCohort:
    """What a cohort file that does not exist yet starts with (``pack`` as written: relative to the file)."""

    name: str
    title: str
    pack: str


@dataclass(frozen=True)
class Entry:
    """One imported person: their roster line, the member written, and the member as the cohort file had them."""

    row: RosterRow
    member: Member
    before: Member | None = None

    def changes(self) -> dict[str, tuple[str | None, str | None]]:
        if self.before is None:
            return {}
        fields = ("persona", "language")
        return {name: (getattr(self.before, name), getattr(self.member, name)) for name in fields
                if getattr(self.before, name) != getattr(self.member, name)}


@dataclass
class Plan:
    """The cohort's members after the import, and what became of each roster line."""

    members: list[Member]
    added: list[Entry] = field(default_factory=list)
    updated: list[Entry] = field(default_factory=list)
    unchanged: list[Entry] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return bool(self.added or self.updated)


@dataclass
class Others:
    """The other cohort files: learners of the open ones (e-mail -> file), every login name."""

    open_learners: dict[str, str] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)

    def add(self, path: Path, cohort: Cohort, today: date) -> None:
        """Count ``cohort``, read from ``path``: its login names are taken, its learners busy while it is open.

        A cohort is open until the day after ``dates.closes``. Login names of every cohort, closed ones
        included, are taken: the hub ignores a cohort whose names belong to another applied one.
        """
        self.names.update(member.name for member in cohort.members)
        if not cohort.dates.closed(today):
            self.open_learners.update({email_key(member.email): Path(path).name for member in cohort.members
                                       if member.role == "learner" and member.email})


def other_cohorts(cohort_file: Path, today: date) -> Others:
    """Read every other cohort file of ``cohort_file``'s folder."""
    cohort_file = Path(cohort_file)
    others = Others()
    for path in sorted(cohort_file.parent.glob("*.yaml")):
        if path.resolve() == cohort_file.resolve() or not _looks_like_a_cohort(path):
            continue
        try:
            cohort = load_cohort(path)
        except SpecError as error:
            raise SpecError(f"{error}\n(every cohort file of {path.parent} is read: a person may be a learner "
                            "in one open cohort only; fix that file or move it elsewhere)") from None
        others.add(path, cohort, today)
    return others


def _looks_like_a_cohort(path: Path) -> bool:
    """A YAML file of the folder that is no cohort (no `members`) is none of the import's business."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return True  # broken: load_cohort says where
    return isinstance(data, dict) and "members" in data


def plan_import(roster: Roster, members: list[Member], others: Others) -> Plan:
    """Match the roster's rows to ``members`` by e-mail; new people get a login name of their own."""
    plan = Plan(members=list(members), refused=list(roster.refused))
    position = {member.name: index for index, member in enumerate(members)}
    by_email = {email_key(member.email): member for member in members if member.email}
    taken = set(position) | others.names
    for row in roster.rows:
        elsewhere = others.open_learners.get(email_key(row.email))
        if elsewhere:
            reason = f"already a learner in open cohort {elsewhere} (one open cohort at a time)"
            plan.refused.append(Refusal(row.line, row.name, row.email, reason))
            continue
        before = by_email.get(email_key(row.email))
        if before is None:
            name = login_name(row.given, row.family, row.email, taken)
            taken.add(name)
            member = Member(name=name, persona=row.persona, language=row.language, email=row.email)
            plan.members.append(member)
            plan.added.append(Entry(row, member))
            continue
        update: dict[str, Any] = {"persona": row.persona}
        if roster.has_language:
            update["language"] = row.language
        member = Member.model_validate(before.model_dump() | update)
        plan.members[position[before.name]] = member
        (plan.updated if member != before else plan.unchanged).append(Entry(row, member, before))
    plan.refused.sort(key=lambda refusal: refusal.line)
    return plan


def login_name(given: str, family: str, email: str, taken: set[str]) -> str:
    """'Élodie', 'Martin-Dupont' -> 'emartin-dupont', then 'emartin-dupont2'... if taken.

    USER_NAME allows no dot, so not 'prenom.nom'. A name with no Latin letter falls back on the
    e-mail's local part.
    """
    family_slug, given_slug = _slug(family), _slug(given)
    base = given_slug[:1] + family_slug if family_slug else given_slug
    if not base[:1].isalpha():
        base = _slug(email.split("@")[0])
    if not base[:1].isalpha():
        base = "learner"
    for number in range(1, len(taken) + 2):
        suffix = str(number) if number > 1 else ""
        candidate = base[:MAX_LOGIN - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable: len(taken) + 1 candidates cannot all be taken")


def _slug(text: str) -> str:
    """ASCII, lowercase, apostrophes dropped, every other run of non-alphanumerics one hyphen."""
    ascii_text = fold(text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"['’]", "", ascii_text)).strip("-")


def imported(source: str, today: date) -> str:
    """The comment an import puts on top of the cohort file (the next import replaces it)."""
    return f"{IMPORTED}{source} on {today.isoformat()}"


def render(data: dict[str, Any], members: list[dict[str, Any]], *, comments: list[str]) -> str:
    """The cohort file's text: ``comments`` on top, its other keys as they were, the new members."""
    body = yaml.safe_dump({**data, "members": members}, sort_keys=False, allow_unicode=True,
                          default_flow_style=None, width=120)
    return "\n".join([*comments, body])


def member_entries(raw: list[dict[str, Any]], before: list[Member], after: list[Member]) -> list[dict[str, Any]]:
    """Members as YAML mappings: an untouched member exactly as written, an updated one with its new values."""
    entries = []
    for index, member in enumerate(after):
        if index < len(before) and member == before[index]:
            entries.append(raw[index])
            continue
        entry = dict(raw[index]) if index < len(before) else {}
        entry.update(member.model_dump(exclude_none=True))
        for name in ("persona", "language", "email"):
            if getattr(member, name) is None:
                entry.pop(name, None)
        entries.append(entry)
    return entries


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    written: bool
    created: bool


@dataclass(frozen=True)
class Draft:
    """A cohort file before the roster goes in: its keys as written (``members`` included), its members as
    loaded, the comments on top of it."""

    data: dict[str, Any]
    members: list[Member]
    comments: list[str]


def read_draft(cohort_file: Path) -> Draft:
    members = load_cohort(cohort_file).members
    text = cohort_file.read_text(encoding="utf-8")
    comments = list(itertools.takewhile(lambda line: line.startswith("#"), text.splitlines()))
    return Draft(yaml.safe_load(text), members, comments)


def import_roster(roster: Roster, cohort_file: Path, *, new: NewCohort | None = None, dry_run: bool = False,
                  strict: bool = False, today: date | None = None) -> Outcome:
    """Merge ``roster`` into ``cohort_file`` (made from ``new`` if it does not exist) and write it, unless
    ``dry_run``, nothing changes, or ``strict`` and a row is refused."""
    cohort_file = Path(cohort_file)
    today = today or date.today()
    created = not cohort_file.exists()
    if created:
        if new is None:
            raise SpecError(f"{cohort_file}: no such file (give its name, title and pack to create it)")
        draft = Draft({"name": new.name, "title": new.title, "pack": new.pack}, [], [])
    else:
        draft = read_draft(cohort_file)
    plan = plan_import(roster, draft.members, other_cohorts(cohort_file, today))
    if not plan.members:
        raise SpecError(f"{cohort_file}: not created, no learner to import (every line of {roster.path.name} "
                        "is refused)")
    if not plan.changes:
        return Outcome(plan, written=False, created=created)
    comments = [imported(roster.path.name, today), *(line for line in draft.comments if not line.startswith(IMPORTED))]
    written = write_plan(cohort_file, draft, plan, comments=comments, dry_run=dry_run, strict=strict)
    return Outcome(plan, written=written, created=created)


def write_plan(cohort_file: Path, draft: Draft, plan: Plan, *, comments: list[str], dry_run: bool,
               strict: bool) -> bool:
    """Write ``draft`` with ``plan``'s members under ``comments``, unless ``dry_run`` or ``strict`` and a row
    is refused; what would be written must load either way. True when written."""
    entries = member_entries(draft.data.get("members") or [], draft.members, plan.members)
    text = render(draft.data, entries, comments=comments)
    parse_spec(text, Cohort, source=str(cohort_file))
    if dry_run or (strict and plan.refused):
        return False
    write_atomically(cohort_file, text)
    return True
