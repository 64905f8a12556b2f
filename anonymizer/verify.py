"""Fail-closed verification of an anonymized pack.

Three checks, each reported by location and never by value: no personal value of
the source appears in any output file (exact, case-insensitive, at word boundaries,
file names included); a fresh scan of the output texts finds no direct identifier
that is not one of the run's own surrogates; k-anonymity on the declared
quasi-identifiers reaches k, with the l-diversity of sensitive columns reported.
"""

from __future__ import annotations

import csv
import email
import email.policy
import hashlib
import hmac
import json
import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from sandlab.anonymizer.detect import Detector
from sandlab.anonymizer.registry import DIRECT_IDENTIFIERS
from sandlab.anonymizer.scanner import MIN_LEAK_CHARS, automaton, find_values

TEXT_SUFFIXES = {".csv", ".tsv", ".jsonl", ".txt", ".eml", ".md", ".json"}


@dataclass(frozen=True)
class Finding:
    check: str  # leak, rescan, k_anonymity
    file: str
    row: int | None = None
    column: str | None = None
    entity_type: str | None = None
    detail: str = ""


@dataclass
class GroupStats:
    """QI combinations and the sensitive values seen in each (for k and l)."""

    quasi_identifiers: list[str]
    sensitive: list[str]
    groups: Counter = field(default_factory=Counter)
    diversity: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))

    def add(self, chunk: dict[str, list]) -> None:
        keys = list(zip(*(chunk[c] for c in self.quasi_identifiers), strict=True))
        self.groups.update(keys)
        for column in self.sensitive:
            for key, value in zip(keys, chunk[column], strict=True):
                self.diversity[column][key].add(value)

    def summary(self, k: int) -> dict:
        sizes = list(self.groups.values())
        small = [s for s in sizes if s < k]
        result = {"quasi_identifiers": self.quasi_identifiers, "k_required": k,
                  "k_achieved": min(sizes) if sizes else None, "groups": len(sizes),
                  "groups_below_k": len(small), "rows_in_groups_below_k": sum(small)}
        result["l_diversity"] = {c: min((len(v) for v in self.diversity[c].values()), default=None)
                                 for c in self.sensitive}
        return result


def table_cells(path: Path):
    """(row, column, text) for every string cell of a table file; None if not a table."""
    suffix = path.suffix
    if suffix in (".csv", ".tsv"):
        with open(path, encoding="utf-8", newline="") as handle:
            header = handle.readline()
            handle.seek(0)
            delimiter = "\t" if suffix == ".tsv" else max(",;|\t", key=header.count)
            for row, record in enumerate(csv.DictReader(handle, delimiter=delimiter), 1):
                for column, value in record.items():
                    if value:
                        yield row, column, value
    elif suffix == ".jsonl":
        with open(path, encoding="utf-8") as handle:
            for row, line in enumerate(handle, 1):
                for column, value in json.loads(line).items():
                    if isinstance(value, str):
                        yield row, column, value
    elif suffix == ".parquet":
        first = 1
        for batch in pq.ParquetFile(path).iter_batches(batch_size=20_000):
            for name, column in zip(batch.schema.names, batch.columns, strict=True):
                for i, value in enumerate(column.to_pylist()):
                    if isinstance(value, str):
                        yield first + i, name, value
            first += batch.num_rows
    else:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            cursor = db.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            for row_number, row in enumerate(cursor, 1):
                for name, value in zip(names, row, strict=True):
                    if isinstance(value, str):
                        yield row_number, f"{table}.{name}", value
        db.close()


TABLE_FILES = {".csv", ".tsv", ".jsonl", ".parquet", ".sqlite", ".db"}


def leak_search(root: Path, values: dict[str, str], tokens: dict[str, str],
                rewritten: set[tuple[str, str | None]], files: list[Path] | None = None) -> list[Finding]:
    """Source values anywhere; name words where the run rewrote text or values.

    ``rewritten`` holds (file, column) pairs, and (file, None) for whole documents;
    ``files`` limits the search to some files under ``root`` (default: all of them).
    """
    whole = automaton(values, MIN_LEAK_CHARS)
    words = automaton(tokens, MIN_LEAK_CHARS)
    findings: list[Finding] = []
    for path in sorted(files if files is not None else (p for p in root.rglob("*") if p.is_file())):
        relative = path.relative_to(root).as_posix()
        for hit in find_values(whole, relative) + find_values(words, relative):
            findings.append(Finding("leak", relative, entity_type=hit.entity_type,
                                    detail="the file name holds personal data; rename the source file"))
        if path.suffix in TABLE_FILES:
            for row, column, value in table_cells(path):
                hits = find_values(whole, value)
                if (relative, column) in rewritten:
                    hits += find_values(words, value)
                findings += [Finding("leak", relative, row=row, column=column, entity_type=hit.entity_type,
                                     detail=f"a source value at characters {hit.start + 1}-{hit.end}")
                             for hit in hits]
        else:
            with open(path, encoding="utf-8", errors="replace") as handle:
                for line_number, line in enumerate(handle, 1):
                    hits = find_values(whole, line) + (find_values(words, line) if (relative, None) in rewritten
                                                       else [])
                    findings += [Finding("leak", relative, row=line_number, entity_type=hit.entity_type,
                                         detail=f"a source value at line {line_number}, characters "
                                                f"{hit.start + 1}-{hit.end}") for hit in hits]
    return findings


def _normalise(text: str) -> str:
    return re.sub(r"[\s.()\-]", "", text).lower()


FINGERPRINTS = "surrogate-fingerprints.txt"


def fingerprint(key: bytes, value: str) -> str:
    return hmac.new(key, f"surrogate\0{_normalise(value)}".encode(), hashlib.sha256).hexdigest()[:20]


def write_fingerprints(root: Path, key: bytes, surrogates: set[str]) -> None:
    """Keyed fingerprints of the run's surrogates, so `verify` can later tell them from
    anything else; without the key they reveal nothing."""
    lines = sorted({fingerprint(key, s) for s in surrogates})
    (root / FINGERPRINTS).write_text("\n".join(lines) + "\n", encoding="utf-8")


class KnownSurrogates:
    """Membership test for the run's surrogates: the set itself, or its keyed fingerprints."""

    def __init__(self, surrogates: set[str] | None = None, key: bytes | None = None,
                 fingerprints: set[str] | None = None):
        self.plain = {_normalise(s) for s in surrogates or ()}
        self.key, self.fingerprints = key, fingerprints or set()

    def __contains__(self, value: str) -> bool:
        if _normalise(value) in self.plain:
            return True
        return self.key is not None and fingerprint(self.key, value) in self.fingerprints


def rescan(texts: list[tuple[str, int | None, str | None, str]], detector: Detector,
           surrogates: set[str] | KnownSurrogates) -> list[Finding]:
    """Direct identifiers in output texts that the run did not emit itself."""
    known = surrogates if isinstance(surrogates, KnownSurrogates) else KnownSurrogates(surrogates)
    findings = []
    items = [t for t in texts if t[3]]
    found_all = detector.detect_patterns([t[3] for t in items], DIRECT_IDENTIFIERS)
    for (file, row, column, text), found in zip(items, found_all, strict=True):
        for d in found:
            if d.entity_type in DIRECT_IDENTIFIERS and text[d.start:d.end] not in known:
                findings.append(Finding("rescan", file, row=row, column=column, entity_type=d.entity_type,
                                        detail=f"characters {d.start + 1}-{d.end} hold a {d.entity_type} "
                                               f"that is not a surrogate of this run"))
    return findings


def output_texts(root: Path, scanned: dict[str, list[str]]) -> list[tuple[str, int | None, str | None, str]]:
    """The free texts of a published pack: scanned columns and documents."""
    texts = []
    for key, columns in scanned.items():
        file, _, table = key.partition("#")
        path = root / file
        if path.suffix == ".txt":
            texts.append((key, None, None, path.read_text(encoding="utf-8")))
        elif path.suffix == ".eml":
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            texts += [(key, None, None, str(message[h])) for h in ("From", "To", "Cc", "Subject") if message[h]]
            texts += [(key, None, None, part.get_content()) for part in message.walk()
                      if part.get_content_maintype() == "text" and not part.is_attachment()]
        else:
            wanted = {f"{table}.{c}" if table else c for c in columns}
            texts += [(key, row, column, value) for row, column, value in table_cells(path) if column in wanted]
    return texts


def as_dicts(findings: list[Finding]) -> list[dict]:
    return [{k: v for k, v in asdict(f).items() if v is not None} for f in findings]


def verify_pack(pack: Path, key: bytes) -> list[Finding]:
    """Re-check a published pack with the run's key: texts rescanned against the
    surrogate fingerprints, k-anonymity recomputed from the published tables."""
    report = json.loads((pack / "anonymization-report.json").read_text(encoding="utf-8"))
    public = pack / "public"
    known = KnownSurrogates(key=key, fingerprints=set((pack / FINGERPRINTS).read_text().split()))
    scanned = {table: [c for c, spec in info["columns"].items() if spec["action"] == "scan"]
               for table, info in report["tables"].items()}
    scanned = {t: c for t, c in scanned.items() if c} | {d: ["text"] for d in report["documents"]}
    from sandlab.anonymizer.detect import detector  # loads a model: only when verifying
    findings = rescan(output_texts(public, scanned), detector(report["language"]), known)
    for table, info in report["tables"].items():
        quasi = info["quasi_identifiers"]
        if not quasi:
            continue
        file, _, name = table.partition("#")
        prefix = f"{name}." if name else ""
        rows: dict[int, dict] = defaultdict(dict)
        for row, column, value in table_cells(public / file):
            if column.removeprefix(prefix) in quasi and (not name or column.startswith(prefix)):
                rows[row][column.removeprefix(prefix)] = value
        groups = Counter(tuple(r.get(c) for c in quasi) for r in rows.values())
        k = report["risk"].get(table, {}).get("k_required", 1)
        if groups and min(groups.values()) < k:
            findings.append(Finding("k_anonymity", table, detail=f"k = {min(groups.values())} below {k} on "
                                                                   f"{', '.join(quasi)}"))
    return findings
