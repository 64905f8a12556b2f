"""IT's side of the exchange, run inside the hub image on its state volume (never by learners).

    python -m sandlab.grading.exchange.admin put-release COHORT LAB LANGUAGE < {name: base64}
        store a release of the catalogue's lab; print {"version": ...}. The cohort no longer has a
        library version of that lab: its submissions are graded against the catalogue again.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sandlab.grading.exchange import wire
from sandlab.grading.exchange.names import ExchangeRefused
from sandlab.grading.exchange.store import ExchangeStore
from sandlab.hub.state import STATE_DIR, exchange_dir
from sandlab.labs.library import LabLibrary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandlab.grading.exchange.admin")
    parser.add_argument("--state", type=Path, default=STATE_DIR)
    commands = parser.add_subparsers(dest="command", required=True)
    release = commands.add_parser("put-release")
    for name in ("cohort", "lab", "language"):
        release.add_argument(name)
    args = parser.parse_args(argv)
    try:
        files = wire.decode(json.loads(sys.stdin.read()))
        record = ExchangeStore(exchange_dir(args.state)).put_release(args.cohort, args.lab, args.language, files)
        LabLibrary(args.state).forget_release(args.cohort, args.lab)
    except (ExchangeRefused, ValueError) as error:
        print(f"error: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    print(json.dumps({"version": record.version}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
