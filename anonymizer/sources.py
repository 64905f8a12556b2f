"""Read the input folder: tables in chunks, documents whole; refuse what cannot be read.

Every error names the file, and the line and column where there is one, and never
quotes a cell (it may hold personal data).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

CHUNK_ROWS = 20_000
MAX_CELL_CHARS = 1_000_000
TABLE_SUFFIXES = {".csv", ".tsv", ".parquet", ".jsonl", ".sqlite", ".db"}
DOCUMENT_SUFFIXES = {".txt", ".eml"}
ENCODINGS = ("utf-8-sig", "cp1252")
csv.field_size_limit(64 * MAX_CELL_CHARS)  # larger cells are refused by our own check, with their place


class InputError(ValueError):
    """An input that cannot be processed; the message says where and how to fix it."""


@dataclass(frozen=True)
class TableSource:
    key: str  # the policy key: relative path, or 'file.sqlite#table'
    path: Path
    kind: str  # csv, parquet, jsonl, sqlite
    columns: tuple[str, ...]
    sqlite_table: str | None = None
    encoding: str = "utf-8"
    delimiter: str = ","

    def chunks(self, rows: int = CHUNK_ROWS) -> Iterator[tuple[int, dict[str, list]]]:
        """(first row number, column -> values), in order. Row numbers count data rows from 1."""
        reader = {"csv": self._csv_chunks, "parquet": self._parquet_chunks, "jsonl": self._jsonl_chunks,
                  "sqlite": self._sqlite_chunks}[self.kind]
        yield from reader(rows)

    def _csv_chunks(self, rows: int):
        try:
            yield from self._csv_records(rows)
        except csv.Error as error:
            raise InputError(f"{self.path}: malformed CSV ({error}); check quoting") from None

    def _csv_records(self, rows: int):
        with open(self.path, encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            next(reader)
            buffer: list[list[str]] = []
            first = 1
            for record in reader:
                line = reader.line_num
                if len(record) != len(self.columns):
                    raise InputError(f"{self.path}:{line}: {len(record)} fields where the header has "
                                     f"{len(self.columns)}; fix the row (quote fields holding the delimiter)")
                for index, cell in enumerate(record):
                    if len(cell) > MAX_CELL_CHARS:
                        raise InputError(f"{self.path}:{line}: column '{self.columns[index]}': a cell of "
                                         f"{len(cell):,} characters (limit {MAX_CELL_CHARS:,}); move such text "
                                         f"into a document file")
                buffer.append(record)
                if len(buffer) == rows:
                    yield first, _columns(self.columns, buffer)
                    first += len(buffer)
                    buffer = []
            if buffer:
                yield first, _columns(self.columns, buffer)

    def _parquet_chunks(self, rows: int):
        first = 1
        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=rows):
            yield first, batch.to_pydict()
            first += batch.num_rows

    def _jsonl_chunks(self, rows: int):
        buffer: list[dict] = []
        first = 1
        with open(self.path, encoding="utf-8") as handle:
            for line_number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                record = _json_record(self.path, line_number, line)
                extra = set(record) - set(self.columns)
                if extra:
                    raise InputError(f"{self.path}:{line_number}: fields {', '.join(sorted(extra))} not in the "
                                     f"first record; give every record the same fields")
                buffer.append(record)
                if len(buffer) == rows:
                    yield first, {c: [r.get(c) for r in buffer] for c in self.columns}
                    first += len(buffer)
                    buffer = []
        if buffer:
            yield first, {c: [r.get(c) for r in buffer] for c in self.columns}

    def _sqlite_chunks(self, rows: int):
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            cursor = db.execute(f'SELECT * FROM "{self.sqlite_table}"')
            first = 1
            while batch := cursor.fetchmany(rows):
                yield first, _columns(self.columns, batch)
                first += len(batch)
        finally:
            db.close()


@dataclass(frozen=True)
class DocumentSource:
    key: str
    path: Path
    kind: str  # txt or eml


def _columns(names: tuple[str, ...], rows: list) -> dict[str, list]:
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


def _json_record(path: Path, line_number: int, line: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"{path}:{line_number}: not valid JSON (column {error.colno}): {error.msg}") from None
    if not isinstance(record, dict):
        raise InputError(f"{path}:{line_number}: each line must be a JSON object")
    return record


def _check_bytes(path: Path) -> bytes:
    head = path.open("rb").read(65536)
    if not head:
        raise InputError(f"{path}: empty file; remove it or give it content")
    if b"\0" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{path}: binary content (NUL bytes); only text tables and documents are accepted")
    return head


def detect_encoding(path: Path) -> str:
    """The first of UTF-8 and Windows-1252 that decodes the whole file (UTF-16 by its BOM)."""
    head = _check_bytes(path)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    first_error = None
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        line = 1
        try:
            with open(path, "rb") as handle:
                while block := handle.read(1 << 20):
                    text = decoder.decode(block)
                    line += text.count("\n")
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as error:
            if first_error is None:
                first_error = (line + error.object[:error.start].count(b"\n"), error.start)
    line, _ = first_error
    raise InputError(f"{path}:{line}: bytes that are neither UTF-8 nor Windows-1252; re-save the file as UTF-8")


def _csv_source(path: Path, key: str) -> TableSource:
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        sample = handle.read(65536)
    if not sample.strip():
        raise InputError(f"{path}: no header line; a table needs a header")
    if path.suffix == ".tsv":
        delimiter = "\t"
    else:
        try:
            delimiter = csv.Sniffer().sniff(sample.split("\n", 20)[0] + "\n", delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    header = next(csv.reader(io.StringIO(sample), delimiter=delimiter))
    if len(set(header)) != len(header) or any(not h.strip() for h in header):
        raise InputError(f"{path}:1: header has empty or repeated column names")
    return TableSource(key, path, "csv", tuple(header), encoding=encoding, delimiter=delimiter)


def _jsonl_source(path: Path, key: str) -> TableSource:
    _check_bytes(path)
    with open(path, encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, 1):
            if line.strip():
                return TableSource(key, path, "jsonl", tuple(_json_record(path, line_number, line)))
    raise InputError(f"{path}: no record; remove the file or add records")


def _sqlite_sources(path: Path, key: str) -> list[TableSource]:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        sources = [TableSource(f"{key}#{n}", path, "sqlite",
                               tuple(r[1] for r in db.execute(f'PRAGMA table_info("{n}")')), sqlite_table=n)
                   for n in names]
        db.close()
    except sqlite3.DatabaseError:
        raise InputError(f"{path}: not a readable SQLite database") from None
    return sources


def discover(folder: Path) -> tuple[list[TableSource], list[DocumentSource]]:
    """Every table and document of the input folder; anything else is refused."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    tables: list[TableSource] = []
    documents: list[DocumentSource] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        key = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        suffix = path.suffix.lower()
        if suffix in (".csv", ".tsv"):
            tables.append(_csv_source(path, key))
        elif suffix == ".parquet":
            try:
                tables.append(TableSource(key, path, "parquet", tuple(pq.read_schema(path).names)))
            except Exception:  # noqa: BLE001 - pyarrow raises several kinds
                raise InputError(f"{path}: not a readable Parquet file") from None
        elif suffix == ".jsonl":
            tables.append(_jsonl_source(path, key))
        elif suffix in (".sqlite", ".db"):
            tables += _sqlite_sources(path, key)
        elif suffix in DOCUMENT_SUFFIXES:
            _check_bytes(path)
            documents.append(DocumentSource(key, path, suffix[1:]))
        else:
            raise InputError(f"{path}: unsupported file type '{suffix}'; accepted: "
                             f"{', '.join(sorted(TABLE_SUFFIXES | DOCUMENT_SUFFIXES))}")
    if not tables and not documents:
        raise InputError(f"{folder}: no tables or documents found")
    return tables, documents


def read_document(source: DocumentSource) -> str:
    encoding = detect_encoding(source.path)
    return source.path.read_text(encoding=encoding)
