"""A cohort: who is in it, in which role and persona, and what their sandboxes get.

IT writes it as YAML (`sandlab hub apply cohort.yaml`); the hub reads the applied copy.
User names are DNS labels because each user's server is served on its own subdomain.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from sandlab.framework import LAB_ID, Language, Persona
from sandlab.images.names import LAB_IMAGE
from sandlab.sandbox import Hardening
from sandlab.specfile import load_spec

Role = Literal["learner", "trainer", "admin"]
COHORT_NAME = r"^[a-z][a-z0-9-]{1,30}$"
USER_NAME = r"^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$"
# Light on purpose (email-validator is not a dependency): one @, a dotted domain, no spaces. It only has to
# catch a name typed in the e-mail column, since the address serves to recognise a person across cohort files.
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"
LabId = Annotated[str, Field(pattern=LAB_ID)]


def email_key(email: str) -> str:
    """How two e-mail addresses are compared to find one person across rosters and cohort files."""
    return email.strip().casefold()


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Member(_Spec):
    name: str = Field(pattern=USER_NAME, description="Login name: lowercase letters, digits, single hyphens.")
    role: Role = "learner"
    persona: Persona | None = Field(None, description="Which labs the learner gets; required for learners.")
    language: Language | None = Field(None, description="The member's language, if not the cohort's.")
    email: str | None = Field(None, pattern=EMAIL, description="Recognises the person across cohort files "
                              "(a roster import, the one-open-cohort rule).")

    @model_validator(mode="after")
    def _name_is_no_service_site(self) -> Member:
        if "--" in self.name:  # <name>--service.<host> is a hub service's own site (the KPI dashboard's)
            raise ValueError(f"'{self.name}': a login name may not contain '--' (reserved for the hub's services)")
        return self

    @model_validator(mode="after")
    def _learners_have_a_persona(self) -> Member:
        if self.role == "learner" and self.persona is None:
            raise ValueError(f"learner '{self.name}' needs a persona: leaders, technical, business or support")
        return self


class Limits(_Spec):
    """What one learner's container may use (a fork bomb or a memory hog stays inside it)."""

    memory: str = Field("2G", pattern=r"^\d+[MG]$", description="Memory, swap included: 512M, 2G...")
    cpus: float = Field(1.0, gt=0, le=64)
    pids: int = Field(512, ge=64, le=32768)

    @property
    def memory_bytes(self) -> int:
        return int(self.memory[:-1]) * (2**20 if self.memory.endswith("M") else 2**30)

    def hardening(self) -> Hardening:
        return Hardening(memory_bytes=self.memory_bytes, cpus=self.cpus, pids=self.pids)


class LabChoice(_Spec):
    """Which labs the cohort's learners get: by default every catalogue lab of their persona
    up to ``up_to_level``; ``by_persona`` names the labs of a persona instead, the catalogue's or
    the lab library's (trainers' own)."""

    up_to_level: int = Field(4, ge=1, le=4, description="Highest level of the default labs.")
    by_persona: dict[Persona, list[LabId]] = Field(default_factory=dict,
                                                   description="Lab ids per persona, replacing the default.")
    due: dict[LabId, datetime] = Field(default_factory=dict,
                                       description="Due date per lab: later submissions are marked late.")


class Dates(_Spec):
    """The cohort's calendar. ``ends``: the training's last day (activity after it counts as use
    after the training); ``closes``: the cohort's closing (learners no longer in, work archived)."""

    opens: date | None = Field(None, description="First day learners may start their server (YYYY-MM-DD).")
    ends: date | None = Field(None, description="Last day of the training (YYYY-MM-DD).")
    closes: date | None = Field(None, description="Last day learners may start their server, on or after ends.")
    sessions: list[AwareDatetime] = Field(default_factory=list, description="When the group meets, with its UTC "
                                          "offset: 2026-12-10T09:00:00+01:00 (warm start, the learners' notice).")

    @model_validator(mode="after")
    def _in_order(self) -> Dates:
        named = [(key, getattr(self, key)) for key in ("opens", "ends", "closes") if getattr(self, key)]
        for (first, earlier), (then, later) in zip(named, named[1:], strict=False):
            if later < earlier:
                raise ValueError(f"{then} ({later}) is before {first} ({earlier})")
        return self

    def closed(self, day: date) -> bool:
        """The cohort has closed by ``day`` (a closed cohort no longer counts as open)."""
        return bool(self.closes and day > self.closes)

    def closed_on(self, day: date) -> str | None:
        """Why learners cannot start a server on ``day`` ('opens' or 'closed'), None when they can."""
        if self.opens and day < self.opens:
            return "opens"
        return "closed" if self.closed(day) else None

    def next_session(self, now: datetime) -> datetime | None:
        return min((start for start in self.sessions if start > now), default=None)


class WarmStart(_Spec):
    """Learners' servers started ahead of each session, so that a room logging in at once finds
    them ready; a warmed server is kept, even idle, until ``hold_minutes`` after the session starts."""

    minutes_before: int | None = Field(None, ge=1, le=720, description="Start every learner's server this many "
                                       "minutes before each of dates.sessions (none: only `sandlab cohort warm`).")
    hold_minutes: int = Field(30, ge=0, le=720, description="How long after the session's start a warmed server "
                                                             "nobody used is kept before idle culling may stop it.")


class AssistantPolicy(_Spec):
    """What the cohort's AI assistant may do. ``model``: 'local' (the model embedded in the platform:
    nothing leaves the machine) or the name of a company endpoint IT configured on the hub."""

    enabled: bool = True
    model: str = Field("local", pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")
    personal_data: Literal["redact", "block", "allow"] = Field(
        "redact", description="redact: masked by consistent surrogates; block: refused; allow: raw (local only).")
    requests_per_minute: int = Field(6, ge=1, le=600)
    tokens_per_day: int = Field(20_000, ge=100, le=10_000_000, description="Prompt and answer tokens per learner.")
    cohort_tokens_per_day: int | None = Field(
        None, ge=1_000, le=1_000_000_000, description="All the cohort's learners together (a company endpoint's "
        "budget); none: no cap beyond each learner's.")
    log_prompts: bool = Field(False, description="Keep prompt texts in the usage log, for trainers' review.")

    @model_validator(mode="after")
    def _raw_only_locally(self) -> AssistantPolicy:
        if self.personal_data == "allow" and self.model != "local":
            raise ValueError("personal_data: allow is for the local model only (nothing leaves the machine); "
                             f"with model {self.model} choose redact or block")
        return self


class LearnerPlan(_Spec):
    """What one learner gets, resolved against the catalogue when the cohort is applied."""

    language: Language
    labs: list[str]


class Cohort(_Spec):
    name: str = Field(pattern=COHORT_NAME)
    title: str = Field(min_length=1)
    pack: Path = Field(description="A dataset pack; its public/ part is mounted read-only at ~/data.")
    image: str = Field(LAB_IMAGE, description="The lab image every learner of the cohort runs.")
    limits: Limits = Limits()
    trainer_limits: Limits = Field(Limits(), description="A trainer's workspace: validating a lab runs nbgrader and "
                                   "the lab's kernel beside their server (2G, 1 CPU by default).")
    language: Language = Field("fr", description="Language of the labs and the interface; a member may override.")
    labs: LabChoice = LabChoice()
    dates: Dates = Dates()
    warm: WarmStart = WarmStart()
    assistant: AssistantPolicy = AssistantPolicy()
    members: list[Member] = Field(min_length=1)

    @model_validator(mode="after")
    def _people_are_unique(self) -> Cohort:
        seen: set[str] = set()
        emails: dict[str, str] = {}
        for member in self.members:
            if member.name in seen:
                raise ValueError(f"member '{member.name}' is listed twice")
            seen.add(member.name)
            if member.email:
                other = emails.setdefault(email_key(member.email), member.name)
                if other != member.name:
                    raise ValueError(f"members '{other}' and '{member.name}' have the same e-mail {member.email}")
        return self

    def named(self, role: Role) -> list[str]:
        return [member.name for member in self.members if member.role == role]

    def language_of(self, member: Member) -> Language:
        return member.language or self.language

    @property
    def group(self) -> str:
        return f"cohort-{self.name}"


def load_cohort(path: Path) -> Cohort:
    """Read a cohort file; a relative pack path is relative to the file."""
    cohort = load_spec(path, Cohort)
    if not cohort.pack.is_absolute():
        cohort = cohort.model_copy(update={"pack": (Path(path).parent / cohort.pack).resolve()})
    return cohort
