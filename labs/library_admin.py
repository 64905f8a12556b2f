"""IT's side of the lab library, run in the hub image on its state volume (never by trainers or learners).

    python -m sandlab.labs.library_admin list               every lab and version, as JSON
    python -m sandlab.labs.library_admin remove LAB VERSION remove one version (refused while a
                                                            cohort was given it)
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from sandlab.grading.exchange.names import ExchangeRefused
from sandlab.hub.state import STATE_DIR
from sandlab.labs.library import LabLibrary, LabNotFound, LabRefused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandlab.labs.library_admin")
    parser.add_argument("--state", type=Path, default=STATE_DIR)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list")
    remove = commands.add_parser("remove")
    remove.add_argument("lab")
    remove.add_argument("version", type=int)
    args = parser.parse_args(argv)
    library = LabLibrary(args.state)
    try:
        if args.command == "remove":
            print(json.dumps(asdict(library.remove(args.lab, args.version))))
        else:
            print(json.dumps([{**asdict(version), "report": None} for lab in library.labs()
                              for version in library.versions(lab)]))
    except (LabRefused, LabNotFound, ExchangeRefused) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
