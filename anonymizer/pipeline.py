"""``sandlab anonymize run``: policy in, verified pack out, or nothing at all.

Pass 1 reads everything once: the personal values of declared columns, and the
detections in free text (batched NLP). Surrogates are then chosen so that none
equals a source value. Pass 2 streams every table again through its column
operators into a staging folder, which is verified and published only if clean.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sandlab.anonymizer import documents
from sandlab.anonymizer.detect import detector as cached_detector
from sandlab.anonymizer.mapping import write_mapping
from sandlab.anonymizer.operators import OperatorContext, operator_for
from sandlab.anonymizer.policy import Policy
from sandlab.anonymizer.report import build_report, write_report
from sandlab.anonymizer.scanner import SourceValues, TextScanner
from sandlab.anonymizer.sinks import TableWriter, close_databases
from sandlab.anonymizer.sources import DocumentSource, InputError, TableSource, discover
from sandlab.anonymizer.surrogates import Surrogates
from sandlab.anonymizer.verify import GroupStats, leak_search, output_texts, rescan, write_fingerprints
from sandlab.pack import staged_folder, write_manifest
from sandlab.progress import NoProgress

log = logging.getLogger("sandlab.anonymizer")
DETECT_BATCH = 5_000  # texts handed to spaCy at once (worker processes start once per hand-over)
PLACE_COLUMN = re.compile(r"city|ville|commune|town|region|région|country|pays|state", re.IGNORECASE)


class PolicyError(ValueError):
    """The policy does not match the input; the message lists every mismatch."""


class VerificationFailed(RuntimeError):
    """Verification found a problem; nothing was published."""

    def __init__(self, report: dict, report_path: Path):
        super().__init__(f"verification failed: see {report_path}")
        self.report, self.report_path = report, report_path


@dataclass
class RunResult:
    out: Path
    report: dict
    counts: dict = field(default_factory=dict)


def check_policy(policy: Policy, tables: list[TableSource], docs: list[DocumentSource]) -> None:
    problems = []
    by_key = {t.key: t for t in tables}
    for key, table_policy in policy.tables.items():
        if key not in by_key:
            problems.append(f"policy names table '{key}', which is not in the input")
            continue
        missing = [c for c in by_key[key].columns if c not in table_policy.columns]
        unknown = [c for c in table_policy.columns if c not in by_key[key].columns]
        if missing:
            problems.append(f"{key}: columns not in the policy: {', '.join(missing)} (unlisted columns are "
                            f"refused, not kept; give each an action)")
        if unknown:
            problems.append(f"{key}: the policy names columns the table does not have: {', '.join(unknown)}")
    problems += [f"{t.key}: table not in the policy; add it under 'tables'" for t in tables
                 if t.key not in policy.tables]
    doc_keys = {d.key for d in docs}
    problems += [f"policy names document '{k}', which is not in the input" for k in policy.documents
                 if k not in doc_keys]
    problems += [f"{d.key}: document not in the policy; add it under 'documents'" for d in docs
                 if d.key not in policy.documents]
    if problems:
        raise PolicyError("the policy does not match the input:\n  " + "\n  ".join(problems))


def _first_pass(policy: Policy, tables, docs, scanner: TextScanner, values: SourceValues, progress) -> Counter:
    rows = Counter()
    for table in tables:
        columns = policy.tables[table.key].columns
        progress.start(f"reading {table.key}", None)
        for first, chunk in table.chunks():
            rows[table.key] += len(next(iter(chunk.values()))) if chunk else 0
            for name, column in columns.items():
                if column.action == "scan":
                    items = [((table.key, name, first + i), str(v)) for i, v in enumerate(chunk[name])
                             if v is not None and str(v).strip()]
                    for start in range(0, len(items), DETECT_BATCH):
                        scanner.collect(items[start:start + DETECT_BATCH])
                elif column.entity or column.action == "hash":
                    values.add_many(chunk[name], column.entity or "OTHER")
                elif column.action == "keep" and PLACE_COLUMN.search(name):
                    values.add_public(chunk[name])
            progress.advance(len(next(iter(chunk.values()))))
    for doc in docs:
        scanner.collect([((doc.key, part, 1), text) for part, text in documents.texts_of(doc)])
    return rows


def _second_pass(policy: Policy, tables, docs, scanner, surrogates, root: Path, reference_date, progress):
    databases: dict = {}
    stats: dict[str, GroupStats] = {}
    attachments = 0
    try:
        for table in tables:
            table_policy = policy.tables[table.key]
            file = table.key.partition("#")[0]
            string_columns = {c for c, p in table_policy.columns.items() if p.action not in ("keep", "drop")}
            writer = TableWriter(table, root / file, string_columns, databases)
            operators = {name: operator_for(p.action)(p, OperatorContext(surrogates, scanner, reference_date,
                                                                          table.key, name))
                         for name, p in table_policy.columns.items()}
            if table_policy.quasi_identifiers:
                stats[table.key] = GroupStats(table_policy.quasi_identifiers, table_policy.sensitive)
            progress.start(f"writing {table.key}", None)
            for first, chunk in table.chunks():
                out = {name: operators[name].apply(chunk[name], first) for name in table.columns}
                writer.write(out)
                if table.key in stats:
                    stats[table.key].add(out)
                progress.advance(len(next(iter(chunk.values()))))
            writer.close()
    finally:
        close_databases(databases)
    for doc in docs:
        attachments += documents.rewrite(doc, root / doc.key,
                                         lambda part, text, key=doc.key: scanner.rewrite((key, part, 1), text))
    return stats, attachments


def run(input_dir: Path, policy: Policy, out: Path, key: bytes, *, force: bool = False, n_process: int = 1,
        reference_date: dt.date | None = None, mapping_file: Path | None = None, progress=None) -> RunResult:
    """Anonymize ``input_dir`` into the pack ``out`` following ``policy``; verified or not published."""
    progress = progress or NoProgress()
    out = Path(out)
    reference_date = reference_date or dt.date.today()
    tables, docs = discover(Path(input_dir))
    check_policy(policy, tables, docs)
    if mapping_file is not None and Path(mapping_file).resolve().is_relative_to(out.resolve()):
        raise InputError(f"{mapping_file}: the mapping must be kept outside the pack")
    needs_nlp = bool(docs) or any(c.action == "scan" for t in policy.tables.values() for c in t.columns.values())
    detector = cached_detector(policy.language, n_process) if needs_nlp else None

    values = SourceValues(policy.language)
    scanner = TextScanner(detector, values)
    rows = _first_pass(policy, tables, docs, scanner, values, progress)
    surrogates = Surrogates(key, policy.language, forbidden=values.lowered())
    scanner.prepare(surrogates)
    log.info("first pass: %d tables, %d documents, %d personal values", len(tables), len(docs), len(values.values))

    with staged_folder(out, force=force) as root:
        public = root / "public"
        stats, attachments = _second_pass(policy, tables, docs, scanner, surrogates, public, reference_date,
                                          progress)
        progress.start("verifying", None)
        rewritten = {(d, None) for d in policy.documents} | {
            (t.partition("#")[0], f"{t.partition('#')[2]}.{c}" if "#" in t else c)
            for t, tp in policy.tables.items() for c, p in tp.columns.items() if p.action in ("scan", "pseudonymize")}
        values.public |= surrogates.kept_words  # cities kept at the end of rewritten addresses
        findings = leak_search(public, values.values, values.name_tokens(), rewritten)
        scanned = {t: [c for c, p in policy.tables[t].columns.items() if p.action == "scan"] for t in policy.tables}
        scanned = {k: v for k, v in scanned.items() if v} | {d: ["text"] for d in policy.documents}
        if detector is not None:
            findings += rescan(output_texts(public, scanned), detector, surrogates.emitted)
        report = build_report(policy, rows, scanner.counts, stats, findings, attachments,
                              reference_date, len(values.values))
        # The report itself must hold no source value either.
        report_leaks = leak_search(root, values.values, values.name_tokens(), rewritten,
                                   files=write_report(root, report))
        if report_leaks:
            report = build_report(policy, rows, scanner.counts, stats, findings + report_leaks, attachments,
                                  reference_date, len(values.values))
        if not report["verification"]["passed"]:
            failed = write_report(out.parent, report, stem=f"{out.name}.rejected-report")[0]
            raise VerificationFailed(report, failed)
        if mapping_file is not None:
            write_mapping(Path(mapping_file), key, surrogates)
        write_fingerprints(root, key, surrogates.emitted)
        write_manifest(root)
    return RunResult(out=out, report=report)
