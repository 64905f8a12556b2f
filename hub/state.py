"""The hub's state folder: applied cohorts, accounts, secrets that survive restarts.

    state/cohorts/<name>.json     an applied cohort and the volume holding its pack
    state/exchange/               the exchange's store (releases, submissions, feedback)
    state/kpis/kpis.sqlite        the KPI database
    state/accounts.json           password hashes (0600)
    state/proxy_token             the proxy's API token (0600), the same across restarts
    state/warmer_token            the warm-start service's API token (0600)
    state/warm/<name>.json        the servers warmed for a cohort's sessions (sandlab.hub.warm)
    state/jupyterhub_cookie_secret, state/jupyterhub.sqlite   JupyterHub's own
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from sandlab.cohort import Cohort, LearnerPlan
from sandlab.hub.files import write_private
from sandlab.kpis.store import LabFacts

STATE_DIR = Path("/srv/sandlab/state")


def course_volume(instance: str, cohort: str) -> str:
    """The volume of a cohort's nbgrader course (gradebook, submissions, feedback): the grading
    desk writes it, the cohort's trainers grade in it; learners never mount it."""
    return f"{instance}-course-{cohort}"


def answers_volume(pack_volume: str) -> str:
    """The pack's answers/ (ground truth), beside its public part: mounted read-only in its cohort's
    trainers' servers only, never a learner's."""
    return pack_volume.replace("-pack-", "-answers-", 1)


def home_volume(instance: str, user: str) -> str:
    """A member's home: one volume per login, kept across restarts, archived when the cohort closes."""
    return f"{instance}-home-{user}"


def home_labels(instance: str, cohort: str, user: str) -> dict[str, str]:
    return {"sandlab.instance": instance, "sandlab.cohort": cohort, "sandlab.home": user}


def course_labels(instance: str, cohort: str) -> dict[str, str]:
    return {"sandlab.instance": instance, "sandlab.cohort": cohort, "sandlab.course": cohort}


def pack_labels(instance: str, cohort: str) -> dict[str, str]:
    return {"sandlab.instance": instance, "sandlab.cohort": cohort, "sandlab.pack": cohort}


class AppliedCohort(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cohort: Cohort
    pack_volume: str
    learners: dict[str, LearnerPlan] = {}  # each learner's language and labs, resolved at apply time
    lab_facts: list[LabFacts] = []  # titles, objectives and pass marks of the planned labs, for the KPIs
    closed: AwareDatetime | None = None  # `sandlab cohort close`: learners out, homes archived; records kept

    @property
    def open(self) -> bool:
        return self.closed is None

    def plan_of(self, name: str) -> LearnerPlan | None:
        return self.learners.get(name)


def cohorts_dir(state: Path) -> Path:
    return state / "cohorts"


def exchange_dir(state: Path) -> Path:
    return state / "exchange"


def accounts_file(state: Path) -> Path:
    return state / "accounts.json"


def write_applied(state: Path, applied: AppliedCohort) -> None:
    write_private(cohorts_dir(state) / f"{applied.cohort.name}.json", applied.model_dump_json(indent=1))


def read_applied(state: Path) -> tuple[list[AppliedCohort], list[str]]:
    """Every applied cohort that reads cleanly, and a message for each that does not.

    A bad file must not stop the hub (a crash loop locks every cohort out): it is
    reported on the login page and in the log, and its members cannot log in.
    """
    applied, problems = [], []
    for path in sorted(cohorts_dir(state).glob("*.json")):
        try:
            applied.append(AppliedCohort.model_validate_json(path.read_text(encoding="utf-8")))
        except (ValidationError, ValueError, OSError) as error:
            first = str(error).splitlines()[0][:200]
            problems.append(f"cohort file {path.name} is unreadable ({first}); re-apply it with `sandlab hub apply`")
    owners: dict[str, str] = {}
    for entry in [entry for entry in applied if entry.open]:  # a closed cohort no longer holds its logins
        clash = [member.name for member in entry.cohort.members if member.name in owners]
        if clash:
            problems.append(f"cohort {entry.cohort.name} is ignored: {', '.join(clash)} already belong to "
                            f"cohort {owners[clash[0]]}")
            applied.remove(entry)
            continue
        owners.update({member.name: entry.cohort.name for member in entry.cohort.members})
    return applied, problems


def proxy_token(state: Path) -> str:
    """The proxy's token, made once: a hub restart then re-attaches to the same routes."""
    return kept_token(state / "proxy_token")


def warmer_token(state: Path) -> str:
    """The warmer service's token: the hub gives it to the service, and `sandlab cohort warm`
    reads it inside the hub's container (it never leaves the state)."""
    return kept_token(state / "warmer_token")


def kept_token(path: Path) -> str:
    if not path.exists():
        write_private(path, secrets.token_hex(32))
    return path.read_text().strip()
