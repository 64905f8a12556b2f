"""`sandlab anonymize`: suggest a policy, run it, scan texts, verify a pack."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from sandlab.anonymizer.sources import InputError
from sandlab.console import console, fail
from sandlab.progress import RichProgress
from sandlab.specfile import SpecError

app = typer.Typer(help="Anonymize company data with Presidio into a verified dataset pack.", no_args_is_help=True)
KEY_ENV = "SANDLAB_ANONYMIZE_KEY"


class Language(str, Enum):  # noqa: UP042 - typer shows str enums as choices
    fr = "fr"
    en = "en"



def read_key(key_file: Path | None) -> bytes:
    """The run's secret: a file, or the SANDLAB_ANONYMIZE_KEY environment variable. No default."""
    if key_file is not None:
        if not key_file.is_file():
            fail(f"{key_file}: no such key file")
        key = key_file.read_bytes().strip()
    elif os.environ.get(KEY_ENV):
        key = os.environ[KEY_ENV].encode()
    else:
        fail(f"no key: set {KEY_ENV} or pass --key-file (make one with: head -c 32 /dev/urandom | base64 > key)")
    if len(key) < 16:
        fail("the key is shorter than 16 bytes; use at least 32 random bytes")
    return key


@app.command()
def suggest(
    input_dir: Annotated[Path, typer.Argument(help="Folder of tables (CSV, Parquet, JSONL, SQLite) and texts.")],
    out: Annotated[Path, typer.Option("--out", help="Policy file to write.")],
    lang: Annotated[Language, typer.Option(help="Language of the data.")] = Language.fr,
    k: Annotated[int, typer.Option(min=1, help="k-anonymity to require.")] = 5,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing policy file.")] = False,
) -> None:
    """Propose an action per column, from its name and sampled values; review it before `run`.

    Example:

        sandlab anonymize suggest exports/ --lang fr --out policy.yaml
    """
    from sandlab.anonymizer.detect import Detector
    from sandlab.anonymizer.suggest import suggest as propose
    from sandlab.anonymizer.suggest import to_yaml

    if out.exists() and not force:
        fail(f"{out}: exists; choose another --out or add --force")
    try:
        policy = propose(input_dir, lang.value, k, detector=Detector(lang.value))
    except InputError as error:
        fail(str(error))
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(to_yaml(policy), encoding="utf-8")
    tmp.replace(out)
    console.print(f"policy written to {out}: review every column, then run `sandlab anonymize run`")


@app.command()
def run(
    input_dir: Annotated[Path, typer.Argument(help="Folder to anonymize.")],
    policy: Annotated[Path, typer.Option("--policy", help="Reviewed policy file.")],
    out: Annotated[Path, typer.Option("--out", help="Pack folder to create.")],
    key_file: Annotated[Path | None, typer.Option(help=f"Secret key file (else ${KEY_ENV}).")] = None,
    keep_mapping: Annotated[Path | None, typer.Option(help="Also write the reversible mapping, encrypted, "
                                                      "to this file outside the pack.")] = None,
    processes: Annotated[int, typer.Option(min=1, max=32, help="NLP worker processes.")] = 1,
    reference_date: Annotated[str | None, typer.Option(help="Day ages are computed on (YYYY-MM-DD) "
                                                       "[default: today].")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a non-empty --out folder.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Apply the policy, verify the result, and publish the pack only if verification passes.

    Example:

        SANDLAB_ANONYMIZE_KEY=$(cat key) sandlab anonymize run exports/ --policy policy.yaml --out packs/acme
    """
    from sandlab.anonymizer.pipeline import PolicyError, VerificationFailed
    from sandlab.anonymizer.pipeline import run as anonymize
    from sandlab.anonymizer.policy import load_policy
    from sandlab.pack import PackExistsError, check_destination

    key = read_key(key_file)
    try:
        spec = load_policy(policy)
        check_destination(out, force=force)
        day = dt.date.fromisoformat(reference_date) if reference_date else None
        with RichProgress(console, disable=as_json) as progress:
            result = anonymize(input_dir, spec, out, key, force=force, n_process=processes, reference_date=day,
                               mapping_file=keep_mapping, progress=progress)
    except (SpecError, PolicyError, InputError, PackExistsError) as error:
        fail(str(error))
    except ValueError as error:
        fail(f"--reference-date: {error}")
    except VerificationFailed as failure:
        verification = failure.report["verification"]
        fail(f"verification failed ({verification['leaks']} leaks, {verification['rescan']} unknown identifiers, "
             f"{verification['k_anonymity']} k-anonymity failures); nothing was published. "
             f"See {failure.report_path}", code=1)
    if as_json:
        typer.echo(json.dumps(result.report, indent=2, ensure_ascii=False))
    else:
        status = result.report["classification"]
        console.print(f"pack written to {out}: {status['status']}. {status['explanation']}", soft_wrap=True)


@app.command()
def scan(
    file: Annotated[Path, typer.Argument(help='JSONL input, one {"id", "text"} per line.')],
    lang: Annotated[Language, typer.Option(help="Language of the texts.")] = Language.fr,
    as_json: Annotated[bool, typer.Option("--json", help="JSONL output (the only format).")] = True,
    processes: Annotated[int, typer.Option(min=1, max=32, help="NLP worker processes.")] = 1,
) -> None:
    """Detect personal data only; print {"id", "spans": [{start, end, entity_type, score}]} per line.

    Example:

        sandlab anonymize scan texts.jsonl --lang fr --json > spans.jsonl
    """
    from sandlab.anonymizer.detect import Detector

    records = []
    try:
        with open(file, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    fail(f"{file}:{number}: not valid JSON (column {error.colno})")
                if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("text"), str):
                    fail(f'{file}:{number}: expected an object with "id" and a string "text"')
                records.append(record)
    except FileNotFoundError:
        fail(f"{file}: no such file")
    detector = Detector(lang.value, n_process=processes)
    for record, found in zip(records, detector.detect_many([r["text"] for r in records]), strict=True):
        sys.stdout.write(json.dumps({"id": record["id"], "spans": [d.as_dict() for d in found]}) + "\n")


@app.command()
def verify(
    pack: Annotated[Path, typer.Argument(help="Anonymized pack to check.")],
    key_file: Annotated[Path | None, typer.Option(help=f"The run's key file (else ${KEY_ENV}).")] = None,
) -> None:
    """Re-check a published pack: files against the manifest, the texts rescanned for
    identifiers that are not the run's surrogates, k-anonymity recomputed.

    Example:

        SANDLAB_ANONYMIZE_KEY=$(cat key) sandlab anonymize verify packs/acme
    """
    from sandlab.anonymizer.verify import verify_pack
    from sandlab.pack import verify_manifest

    report_path = pack / "anonymization-report.json"
    if not report_path.is_file() or not (pack / "manifest.json").is_file():
        fail(f"{pack}: not an anonymized pack (no anonymization-report.json or manifest.json)")
    problems = verify_manifest(pack)
    for problem in problems:
        console.print(Text(problem, style="red"))
    if problems:
        fail("the pack does not match its manifest", code=1)
    findings = verify_pack(pack, read_key(key_file))
    for finding in findings:
        where = ", ".join(str(x) for x in (finding.file, finding.row, finding.column) if x is not None)
        console.print(Text(f"{finding.check}: {where}: {finding.entity_type or ''} {finding.detail}", style="red"),
                      soft_wrap=True)
    if findings:
        fail(f"{len(findings)} problems found", code=1)
    report = json.loads(report_path.read_text(encoding="utf-8"))
    console.print(f"{pack}: intact, no unknown identifier, k-anonymity holds; {report['classification']['status']}")
