"""Commands run inside the hub image against its state volume (`python -m sandlab.hub.manage`).

    apply [--reset-passwords]   read an AppliedCohort as JSON on stdin, store it, give each
                                new member a password; print {name: password} for the
                                passwords issued now, as JSON, once
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError

from sandlab.hub.accounts import AccountStore
from sandlab.hub.state import STATE_DIR, AppliedCohort, accounts_file, read_applied, write_applied
from sandlab.kpis.facts import record_cohort
from sandlab.kpis.store import KpiStore, kpi_database


def apply(state: Path, applied: AppliedCohort, *, reset_passwords: bool) -> dict[str, str]:
    existing, _ = read_applied(state)
    for other in existing:
        if other.cohort.name == applied.cohort.name:
            continue
        taken = {m.name for m in other.cohort.members} & {m.name for m in applied.cohort.members}
        if taken:
            raise ValueError(f"{', '.join(sorted(taken))} already belong to cohort {other.cohort.name}")
    write_applied(state, applied)
    record_cohort(KpiStore(kpi_database(state)), applied)
    names = [member.name for member in applied.cohort.members]
    return AccountStore(accounts_file(state)).set_passwords(names, reset=reset_passwords)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandlab.hub.manage")
    parser.add_argument("command", choices=["apply"])
    parser.add_argument("--reset-passwords", action="store_true")
    parser.add_argument("--state", type=Path, default=STATE_DIR)
    args = parser.parse_args(argv)
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
