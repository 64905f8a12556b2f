"""`sandlab data`: make a synthetic dataset pack, list and show company profiles."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from sandlab.console import console, fail
from sandlab.datasets.company import generate_pack
from sandlab.datasets.context import GenerationSpec
from sandlab.datasets.profile import load_profile, shipped_profiles
from sandlab.pack import PackExistsError, check_destination, verify_manifest
from sandlab.progress import RichProgress
from sandlab.specfile import SpecError

app = typer.Typer(help="Synthetic company data: dataset packs made with Faker and NumPy.",
                  no_args_is_help=True)


class LocaleChoice(StrEnum):
    fr_FR = "fr_FR"
    en_US = "en_US"



@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to create (must not exist or be empty).")],
    profile: Annotated[str, typer.Option(help="Shipped profile name or path to a profile YAML file.")]
    = "fr-mid-size",
    locale: Annotated[LocaleChoice | None, typer.Option(help="Locale of names, addresses, ids and texts "
                                                         "[default: the profile's].")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Random seed: same seed, profile and version give "
                                      "a byte-identical pack.")] = 0,
    employees: Annotated[int | None, typer.Option(min=20, max=1_000_000, help="Headcount; every other "
                                                  "volume scales with it [default: the profile's].")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a non-empty --out folder.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout.")] = False,
) -> None:
    """Generate a dataset pack: tables (Parquet, CSV, SQLite), texts (JSONL), data cards, answers.

    Example:

        sandlab data generate --profile fr-mid-size --seed 7 --employees 500 --out packs/demo
    """
    try:
        company = load_profile(profile)
        spec = GenerationSpec(profile=company, locale=(locale.value if locale else company.locale), seed=seed,
                              employees=employees or company.employees)
        check_destination(out, force=force)
        with RichProgress(console, disable=as_json) as progress:
            result = generate_pack(spec, out, force=force, progress=progress)
    except (SpecError, PackExistsError) as error:
        fail(str(error))
    summary = {"out": str(result.out), "rows": result.rows, "texts": result.texts, "seed": seed,
               "locale": spec.locale, "employees": spec.employees}
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    table = RichTable(title=f"Pack written to {result.out}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in result.rows.items():
        table.add_row(name, f"{rows:,}")
    Console().print(table)


@app.command()
def profiles(
    show: Annotated[str | None, typer.Option(help="Print this profile's YAML, to copy and edit.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List the shipped company profiles, or print one to start your own.

    Example:

        sandlab data profiles --show fr-mid-size > my-company.yaml
    """
    shipped = shipped_profiles()
    if show:
        if show not in shipped:
            fail(f"unknown profile '{show}': use one of {', '.join(shipped)}")
        typer.echo(shipped[show], nl=False)
        return
    rows = []
    for name in shipped:
        spec = load_profile(name)
        rows.append({"name": name, "company": spec.name, "locale": spec.locale, "employees": spec.employees,
                     "industry": spec.industry})
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = RichTable(title="Company profiles")
    for key in ("name", "company", "locale", "employees", "industry"):
        table.add_column(key)
    for row in rows:
        table.add_row(*(str(row[k]) for k in ("name", "company", "locale", "employees", "industry")))
    Console().print(table)


@app.command()
def verify(pack: Annotated[Path, typer.Argument(help="Pack folder to check against its manifest.")]) -> None:
    """Check every file of a pack against its manifest (nothing missing, extra or changed).

    Example:

        sandlab data verify packs/demo
    """
    if not (pack / "manifest.json").is_file():
        fail(f"{pack}: no manifest.json; is this a dataset pack?")
    problems = verify_manifest(pack)
    for problem in problems:
        console.print(Text(problem, style="red"), soft_wrap=True)
    if problems:
        raise typer.Exit(1)
    console.print(f"{pack}: every file matches the manifest")
