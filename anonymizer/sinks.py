"""Write anonymized tables in the format they came in (CSV, Parquet, JSONL, SQLite)."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sandlab.anonymizer.sources import TableSource


class TableWriter:
    """Appends transformed chunks of one source table to its output file."""

    def __init__(self, source: TableSource, out: Path, string_columns: set[str], databases: dict):
        self.source, self.out = source, out
        out.parent.mkdir(parents=True, exist_ok=True)
        self._handle = None
        if source.kind == "csv":
            self._handle = open(out, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed in close()
            self._csv = csv.writer(self._handle, delimiter=source.delimiter)
            self._csv.writerow(source.columns)
        elif source.kind == "jsonl":
            self._handle = open(out, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        elif source.kind == "parquet":
            schema = pq.read_schema(source.path)
            fields = [pa.field(f.name, pa.string()) if f.name in string_columns else f for f in schema]
            self._schema = pa.schema(fields)
            self._parquet = pq.ParquetWriter(out, self._schema)
        elif source.kind == "sqlite":
            if out not in databases:
                databases[out] = _copy_schema(source.path, out)
            self._db = databases[out]
            marks = ", ".join("?" * len(source.columns))
            self._insert = f'INSERT INTO "{source.sqlite_table}" VALUES ({marks})'

    def write(self, chunk: dict[str, list]) -> None:
        columns = [chunk[c] for c in self.source.columns]
        kind = self.source.kind
        if kind == "csv":
            self._csv.writerows(["" if v is None else v for v in row] for row in zip(*columns, strict=True))
        elif kind == "jsonl":
            for row in zip(*columns, strict=True):
                self._handle.write(json.dumps(dict(zip(self.source.columns, row, strict=True)),
                                              ensure_ascii=False) + "\n")
        elif kind == "parquet":
            self._parquet.write_table(pa.table(chunk, schema=self._schema))
        else:
            self._db.executemany(self._insert, zip(*columns, strict=True))

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        if self.source.kind == "parquet":
            self._parquet.close()


def _copy_schema(source: Path, out: Path) -> sqlite3.Connection:
    """A new database with the source's tables, keys and indexes, and no rows."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    statements = [row[0] for row in src.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
        "ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, name")]
    src.close()
    db = sqlite3.connect(out)
    db.execute("PRAGMA journal_mode=OFF")
    for statement in statements:
        db.execute(statement)
    return db


def close_databases(databases: dict) -> None:
    for db in databases.values():
        db.commit()
        db.close()
