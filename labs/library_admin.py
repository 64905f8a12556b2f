"""IT's side of the lab library, run in the hub image on its state volume (never by trainers or learners).

    python -m sandlab.labs.library_admin list               every lab and version, as JSON
    python -m sandlab.labs.library_admin remove LAB VERSION remove one version (refused while a
                                                            cohort was given it)
    python -m sandlab.labs.library_admin specs              the lab.yaml of each lab's latest version
    python -m sandlab.labs.library_admin release COHORT LAB [--version N]
                                                            give an open cohort a version (latest
                                                            when absent), as its trainers can
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from sandlab.grading.exchange.names import ExchangeRefused
from sandlab.grading.exchange.store import ExchangeStore
from sandlab.hub.state import STATE_DIR, exchange_dir, read_applied
from sandlab.labs.library import SPEC, LabLibrary, LabNotFound, LabRefused
from sandlab.labs.library_release import release_to_cohort

RELEASED_BY_IT = "IT"


def specs(library: LabLibrary) -> list[dict]:
    latest = [versions[-1] for lab in library.labs() if (versions := library.versions(lab))]
    return [{"lab": found.lab, "version": found.version,
             "spec": library.source_files(found.lab, found.version)[SPEC].decode("utf-8")} for found in latest]


def release(state: Path, library: LabLibrary, cohort: str, lab: str, version: int | None) -> dict:
    entry = next((entry for entry in read_applied(state)[0] if entry.cohort.name == cohort and entry.open), None)
    if entry is None:
        raise LabRefused(f"no open cohort {cohort} on this hub: see `sandlab cohort status`")
    chosen, released = release_to_cohort(library, ExchangeStore(exchange_dir(state)), entry, lab, version,
                                         RELEASED_BY_IT)
    return {"cohort": cohort, "lab": chosen.lab, "version": chosen.version, "languages": released}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandlab.labs.library_admin")
    parser.add_argument("--state", type=Path, default=STATE_DIR)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list")
    remove = commands.add_parser("remove")
    remove.add_argument("lab")
    remove.add_argument("version", type=int)
    commands.add_parser("specs")
    given = commands.add_parser("release")
    given.add_argument("cohort")
    given.add_argument("lab")
    given.add_argument("--version", type=int)
    args = parser.parse_args(argv)
    library = LabLibrary(args.state)
    try:
        if args.command == "remove":
            print(json.dumps(asdict(library.remove(args.lab, args.version))))
        elif args.command == "specs":
            print(json.dumps(specs(library), ensure_ascii=False))
        elif args.command == "release":
            print(json.dumps(release(args.state, library, args.cohort, args.lab, args.version)))
        else:
            print(json.dumps([{**asdict(version), "report": None} for lab in library.labs()
                              for version in library.versions(lab)]))
    except (LabRefused, LabNotFound, ExchangeRefused) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
