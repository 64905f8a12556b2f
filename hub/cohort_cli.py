"""`sandlab cohort`: a cohort's life, from HR's roster onwards."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sandlab.console import console, fail
from sandlab.hub.enrol import Entry, NewCohort, Outcome, import_roster
from sandlab.hub.roster import RosterError, read_roster
from sandlab.specfile import SpecError

app = typer.Typer(help="A cohort's life: its roster of learners, from HR's export; its status; the "
                  "next wave cloned from it.", no_args_is_help=True)
roster_app = typer.Typer(help="The cohort's learners, from HR's export (CSV or XLSX).", no_args_is_help=True)
app.add_typer(roster_app, name="roster")


@roster_app.command("import")
def import_roster_command(
    roster_file: Annotated[Path, typer.Argument(help="HR's export: .csv (UTF-8 or Windows-1252; `,` `;` tab or "
                                                "`|`) or .xlsx (its first sheet).")],
    cohort_file: Annotated[Path, typer.Option("--cohort", help="The cohort's YAML file: its members are added "
                                              "or updated, every other key stays.")],
    name: Annotated[str | None, typer.Option(help="New cohort file only: the cohort's name (e.g. vague-3).")] = None,
    title: Annotated[str | None, typer.Option(help="New cohort file only: the cohort's title.")] = None,
    pack: Annotated[str | None, typer.Option(help="New cohort file only: the dataset pack, relative to the "
                                             "cohort file's folder.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would change; write nothing.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Write nothing if any line is refused (exit 1).")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
) -> None:
    """Add or update the cohort's learners from HR's export of the training wave.

    Columns are found by their header, in French or English: the name ('nom complet', or 'prénom'
    and 'nom'), the e-mail ('email', 'courriel'), the persona ('persona', 'profil': leaders,
    technical, business, support or French aliases such as 'direction', 'technique', 'métier',
    'RH') and optionally the language ('langue': fr, en; empty: the cohort's). A person already in
    the cohort file (same e-mail) keeps their login name; a new one gets <initial><last name>.
    Refused lines (empty name, bad e-mail, unknown persona, e-mail twice, learner of another open
    cohort of the same folder) are reported with their line; the others are imported.

    Example:

        sandlab cohort roster import vague-3.xlsx --cohort hub/cohorts/vague-3.yaml \\
            --name vague-3 --title "Vague 3" --pack ../../packs/acme
        sandlab cohort roster import rh-export.csv --cohort hub/cohorts/vague-3.yaml --dry-run
    """
    options = {"--name": name, "--title": title, "--pack": pack}
    new = None
    if not cohort_file.exists():
        missing = [option for option, value in options.items() if not value]
        if missing:
            fail(f"{cohort_file} does not exist: to create it, give {', '.join(missing)} "
                 f"(e.g. --name vague-3 --title \"Vague 3\" --pack ../../packs/acme)")
        new = NewCohort(name=name or "", title=title or "", pack=pack or "")
    elif any(options.values()):
        console.print(f"{cohort_file} exists: {', '.join(o for o, v in options.items() if v)} ignored "
                      "(they only create a cohort file)", style="yellow", markup=False)
    try:
        outcome = import_roster(read_roster(roster_file), cohort_file, new=new, dry_run=dry_run, strict=strict)
    except (RosterError, SpecError) as error:
        fail(str(error))
    except OSError as error:
        fail(f"{error.filename or cohort_file}: {error.strerror}")
    report = _report(outcome, roster_file, cohort_file, dry_run=dry_run)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print(report)
    if strict and outcome.plan.refused:
        raise typer.Exit(1)


def _report(outcome: Outcome, roster_file: Path, cohort_file: Path, *, dry_run: bool) -> dict[str, Any]:
    def person(entry: Entry) -> dict[str, Any]:
        member = entry.member
        found = {"line": entry.row.line, "person": entry.row.name, "login": member.name, "email": member.email,
                 "persona": member.persona, "language": member.language}
        if entry.changes():
            found["changes"] = {field: list(values) for field, values in entry.changes().items()}
        return found

    plan = outcome.plan
    return {
        "roster": str(roster_file), "cohort": str(cohort_file), "dry_run": dry_run,
        "written": outcome.written, "created": outcome.written and outcome.created,
        "added": [person(entry) for entry in plan.added],
        "updated": [person(entry) for entry in plan.updated],
        "unchanged": [person(entry) for entry in plan.unchanged],
        "refused": [{"line": refusal.line, "person": refusal.name, "email": refusal.email, "reason": refusal.reason}
                    for refusal in plan.refused],
    }


def _print(report: dict[str, Any]) -> None:
    """The imported lines as a table, then each refused line and why (a reason can be long)."""
    imported = sorted(((status, entry) for status in ("added", "updated", "unchanged") for entry in report[status]),
                      key=lambda pair: pair[1]["line"])
    if imported:
        table = Table(title=f"roster {escape(report['roster'])}")
        for header in ("line", "person", "login", "e-mail", "persona", "language", "result"):
            table.add_column(header, overflow="fold")  # a login or an address is copied whole, never cut
        for status, entry in imported:
            changes = ", ".join(f"{field} {old or '-'} → {new or '-'}"
                                for field, (old, new) in entry.get("changes", {}).items())
            cells = (entry["person"], entry["login"], entry["email"] or "", entry["persona"] or "",
                     entry["language"] or "", f"{status}: {changes}" if changes else status)
            table.add_row(str(entry["line"]), *(escape(cell) for cell in cells))
        console.print(table)
    for refusal in report["refused"]:
        who = " ".join(part for part in (refusal["person"], f"<{refusal['email']}>" if refusal["email"] else "")
                       if part)
        console.print(Text.assemble(("refused", "red"), f" line {refusal['line']}", f" ({who})" if who else "",
                                    f": {refusal['reason']}"), soft_wrap=True)
    counts = ", ".join(f"{len(report[status])} {status}" for status in ("added", "updated", "unchanged", "refused"))
    if report["written"]:
        done = f"{report['cohort']} {'created' if report['created'] else 'written'}"
    elif report["dry_run"]:
        done = "dry run: nothing written"
    elif report["added"] or report["updated"]:
        done = "--strict and a line is refused: nothing written"
    else:
        done = "nothing to change"
    console.print(f"{counts}. {done}", markup=False)


@app.command("clone")
def clone_command(
    pilot_file: Annotated[Path, typer.Argument(help="The pilot's cohort file: its labs, pack, image, limits, "
                                               "language, trainers and IT are copied.")],
    name: Annotated[str, typer.Option("--as", help="The wave's cohort name (e.g. vague-2): lowercase letters, "
                                      "digits, hyphens.")],
    roster_file: Annotated[Path, typer.Option("--roster", help="HR's export of the wave's learners: .csv or "
                                              ".xlsx, read as by `roster import`.")],
    title: Annotated[str | None, typer.Option(help="The wave's title (default: the pilot's, its name replaced by "
                                              "--as, or followed by it).")] = None,
    opens: Annotated[str | None, typer.Option(help="The wave's first day, YYYY-MM-DD: every date of the pilot "
                                              "moves by as many days (required when the pilot has dates).")] = None,
    out: Annotated[Path | None, typer.Option(help="The wave's cohort file (default: <NAME>.yaml beside the "
                                             "pilot's); never overwritten.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be written; write nothing.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Write nothing if any line is refused (exit 1).")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
) -> None:
    """Make the next training wave's cohort file from a pilot's.

    Copied as written: labs, pack (its path still pointing at the same folder), image, limits and
    language; the pilot's trainers and IT stay. Learners come only from the roster, as with
    `roster import` (a learner of the pilot while it is open is refused: one open cohort at a time).
    Every date (opens, ends, closes, sessions, labs' due dates) moves by the days between the
    pilot's first day and --opens; sessions keep their time and UTC offset.

    Example:

        sandlab cohort clone hub/cohorts/pilote.yaml --as vague-2 --roster vague-2.xlsx --opens 2027-02-01
        sandlab cohort clone hub/cohorts/pilote.yaml --as vague-3 --roster rh.csv --opens 2027-04-05 \\
            --title "Vague 3 (Lyon)" --dry-run

    Then compare the waves' KPIs: sandlab kpis hub/cohorts/vague-2.yaml --compare hub/cohorts/pilote.yaml
    """
    from sandlab.hub.clone import clone_cohort

    try:
        clone = clone_cohort(pilot_file, roster_file, name=name, title=title, opens=_day("--opens", opens), out=out,
                             dry_run=dry_run, strict=strict)
    except (RosterError, SpecError) as error:
        fail(str(error))
    except OSError as error:
        fail(f"{error.filename or pilot_file}: {error.strerror}")
    report = _report(Outcome(clone.plan, written=clone.written, created=True), roster_file, clone.out,
                     dry_run=dry_run)
    report |= {
        "pilot": str(clone.pilot), "name": clone.name, "title": clone.title, "pack": clone.pack,
        "shift_days": clone.shift.days if clone.shift is not None else None,
        "dates": clone.dates.model_dump(mode="json"),
        "staff": [{"login": member.name, "role": member.role, "email": member.email} for member in clone.staff],
    }
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        moved = (f"dates moved by {report['shift_days']} days (opens {report['dates']['opens']})"
                 if clone.shift is not None else "no dates")
        staff = ", ".join(f"{member.name} ({member.role})" for member in clone.staff) or "none"
        console.print(f"{clone.pilot.name} → {clone.out}: \"{clone.title}\", pack {clone.pack}, {moved}; "
                      f"trainers and IT kept: {staff}", markup=False, soft_wrap=True)
        _print(report)
        if clone.staff:
            console.print("note: the hub gives a login name to one applied cohort at a time; trainers and IT "
                          "keep theirs, so `sandlab hub apply` takes the wave once the pilot is no longer applied",
                          style="yellow", markup=False, soft_wrap=True)
    if strict and clone.plan.refused:
        raise typer.Exit(1)


def _day(option: str, text: str | None) -> date | None:
    """A YYYY-MM-DD option as a date; anything else ends the command with the format to use."""
    if text is None:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    fail(f"{option} {text}: not a day; give YYYY-MM-DD, the wave's first day (e.g. 2027-02-01)")
    return None


@app.command("status")
def status_command(
    cohort_file: Annotated[Path, typer.Argument(help="The cohort's YAML file (as applied).")],
    instance: Annotated[str, typer.Option("--instance", help="Prefix of the hub's containers and volumes.")]
    = "sandlab",
    as_json: Annotated[bool, typer.Option("--json", help="Print one object per member as JSON.")] = False,
) -> None:
    """Each member now: server state, started at, CPU and memory, current image, home disk, last
    activity, labs released and submitted.

    Example:

        sandlab cohort status hub/cohorts/demo.yaml
        sandlab cohort status hub/cohorts/demo.yaml --json
    """
    from sandlab.cohort import load_cohort
    from sandlab.engine import NoEngine, client
    from sandlab.hub.cohort_status import cohort_status
    from sandlab.hub.platform import Instance, PlatformError

    try:
        cohort = load_cohort(cohort_file)
        with console.status(f"reading cohort {cohort.name}"):
            found = cohort_status(client(), Instance(instance), cohort)
    except (SpecError, PlatformError, NoEngine) as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps([member.as_dict() for member in found], indent=2))
        return
    table = Table(title=f"cohort {escape(cohort.name)}")
    on_nodes = any(member.node for member in found)  # Swarm: where each server (and its home) is
    for header in ("member", "role", "server", *(["node"] if on_nodes else []), "started", "CPU %", "memory MiB",
                   "image", "home MiB", "last activity", "released", "submitted"):
        table.add_column(header)

    def shown(value) -> str:
        return "" if value is None else escape(str(value))

    for member in found:
        image = {True: "current", False: "OLD", None: ""}[member.current_image]
        table.add_row(member.name, member.role, member.server, *([shown(member.node)] if on_nodes else []),
                      shown(member.started_at and member.started_at[:16]),
                      shown(member.cpu_percent), shown(member.memory_mib), image, shown(member.home_mib),
                      shown(member.last_activity), str(member.released), str(member.submitted))
    console.print(table)
