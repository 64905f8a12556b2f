"""Commands run inside the hub image against its state volume (`python -m sandlab.hub.manage`).

    apply [--reset-passwords]   read an AppliedCohort as JSON on stdin, store it, give each
                                new member a password; print {name: password} for the
                                passwords issued now, as JSON, once
    status COHORT               per learner: the last activity recorded, labs released and
                                submitted (from the KPI database, the exchange copied in first)
    close COHORT                mark the cohort closed; print the homes to archive and the
                                packs open cohorts still use, as JSON
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from sandlab.hub.accounts import AccountStore
from sandlab.hub.state import STATE_DIR, AppliedCohort, accounts_file, read_applied, write_applied
from sandlab.kpis.facts import record_cohort
from sandlab.kpis.ingest import ingest_state
from sandlab.kpis.store import KpiStore, kpi_database


def apply(state: Path, applied: AppliedCohort, *, reset_passwords: bool) -> dict[str, str]:
    existing, _ = read_applied(state)
    for other in existing:
        if other.cohort.name == applied.cohort.name:
            applied = applied.model_copy(update={"closed": other.closed})  # applying again never reopens it
            continue
        if not other.open:
            continue
        taken = {m.name for m in other.cohort.members} & {m.name for m in applied.cohort.members}
        if taken:
            raise ValueError(f"{', '.join(sorted(taken))} already belong to cohort {other.cohort.name}")
    write_applied(state, applied)
    record_cohort(KpiStore(kpi_database(state)), applied)
    names = [member.name for member in applied.cohort.members]
    return AccountStore(accounts_file(state)).set_passwords(names, reset=reset_passwords)


def close(state: Path, cohort: str) -> dict:
    """Mark the cohort closed (its learners can no longer log in once the hub restarts) and say
    what the host needs to finish: its members' homes not used by an open cohort, the packs
    open cohorts still use."""
    applied = {entry.cohort.name: entry for entry in read_applied(state)[0]}
    if cohort not in applied:
        raise ValueError(f"cohort {cohort} is not applied on this hub")
    entry = applied[cohort]
    if entry.open:
        entry = entry.model_copy(update={"closed": datetime.now(UTC)})
        write_applied(state, entry)
    others = [other for other in applied.values() if other.open and other.cohort.name != cohort]
    elsewhere = {member.name for other in others for member in other.cohort.members}
    return {"closed": entry.closed.isoformat(timespec="seconds"),
            "homes": [member.name for member in entry.cohort.members if member.name not in elsewhere],
            "packs_in_use": sorted({other.pack_volume for other in others})}


def status(state: Path, cohort: str) -> dict[str, dict]:
    store = KpiStore(kpi_database(state))
    ingest_state(store, state, [cohort])
    found: dict[str, dict] = {}
    with store.connect() as db:
        queries = {
            "released": "SELECT p.user, COUNT(DISTINCT p.lab) FROM plans p JOIN releases r USING (cohort, lab) "
                        "WHERE p.cohort = ? GROUP BY p.user",
            "submitted": "SELECT user, COUNT(DISTINCT lab) FROM submissions WHERE cohort = ? GROUP BY user",
            "last_minute": "SELECT user, MAX(minute) FROM activity WHERE cohort = ? GROUP BY user",
        }
        for key, sql in queries.items():
            for user, value in db.execute(sql, (cohort,)):
                found.setdefault(user, {})[key] = value
    for record in found.values():
        minute = record.pop("last_minute", None)
        record["last_activity"] = (datetime.fromtimestamp(minute * 60, UTC).isoformat(timespec="minutes")
                                   if minute is not None else None)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandlab.hub.manage")
    parser.add_argument("command", choices=["apply", "status", "close"])
    parser.add_argument("cohort", nargs="?")
    parser.add_argument("--reset-passwords", action="store_true")
    parser.add_argument("--state", type=Path, default=STATE_DIR)
    args = parser.parse_args(argv)
    if args.command == "status":
        print(json.dumps(status(args.state, args.cohort or "")))
        return 0
    if args.command == "close":
        try:
            print(json.dumps(close(args.state, args.cohort or "")))
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        return 0
    try:
        applied = AppliedCohort.model_validate_json(sys.stdin.read())
        issued = apply(args.state, applied, reset_passwords=args.reset_passwords)
    except (ValidationError, ValueError) as error:
        print(f"error: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    print(json.dumps(issued))
    return 0


if __name__ == "__main__":
    sys.exit(main())
