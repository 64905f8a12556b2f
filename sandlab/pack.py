"""The dataset pack on disk: layout, streamed table writers, manifest, atomic publish.

Both the synthetic generator and the anonymizer produce packs, so the format lives
here once. A pack is built in a hidden sibling folder and renamed into place only
when complete: a failed or interrupted run leaves no half pack behind.

Layout::

    PACK/
      manifest.json          sha256 and size of every other file
      datacard.md|json       the full card (trainers)
      public/                what a learner container mounts, read-only
        datacard.md|json     the learner's card (no answers)
        company.sqlite       every public table, foreign keys declared
        tables/NAME.parquet|csv
        texts/CORPUS.jsonl
      answers/               ground truth for trainers and grading; never mounted for learners
        tables/NAME.parquet|csv
        pii_spans.jsonl
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

MANIFEST = "manifest.json"
SQLITE_NAME = "company.sqlite"


class PackExistsError(FileExistsError):
    """The output folder exists and is not empty, and overwriting was not asked for."""


def check_destination(out: Path, *, force: bool) -> None:
    """Refuse before any work starts, so a refusal writes nothing."""
    if out.exists() and not out.is_dir():
        raise PackExistsError(f"{out}: exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise PackExistsError(f"{out}: folder exists and is not empty; choose another --out or add --force")


@contextmanager
def staged_folder(out: Path, *, force: bool) -> Iterator[Path]:
    """Yield a hidden staging folder beside ``out``; publish it as ``out`` on success.

    On any exception (KeyboardInterrupt included) the staging folder is removed and
    ``out`` is left exactly as it was.
    """
    out = Path(out)
    check_destination(out, force=force)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        yield staging
        check_destination(out, force=force)
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _replace(staging: Path, out: Path) -> None:
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)


def _sqlite_value_columns(batch: pa.RecordBatch) -> list[list]:
    columns = []
    for column in batch.columns:
        if pa.types.is_date(column.type):
            column = pc.cast(column, pa.string())
        elif pa.types.is_boolean(column.type):
            column = pc.cast(column, pa.int8())
        columns.append(column.to_pylist())
    return columns


class TableSink:
    """Streams record batches of one table to Parquet, CSV and optionally SQLite."""

    def __init__(self, folder: Path, name: str, schema: pa.Schema, db: sqlite3.Connection | None):
        folder.mkdir(parents=True, exist_ok=True)
        self.name, self.schema, self.db, self.rows = name, schema, db, 0
        self._parquet = pq.ParquetWriter(folder / f"{name}.parquet", schema, compression="zstd",
                                         write_statistics=True)
        self._csv_file = open(folder / f"{name}.csv", "wb")  # noqa: SIM115 - closed in close()
        self._csv = pa_csv.CSVWriter(self._csv_file, schema)
        placeholders = ", ".join("?" * len(schema))
        self._insert = f'INSERT INTO "{name}" VALUES ({placeholders})'

    def write(self, batch: pa.RecordBatch | pa.Table) -> None:
        table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        table = table.select(self.schema.names).cast(self.schema)
        self._parquet.write_table(table)
        self._csv.write_table(table)
        if self.db is not None:
            for part in table.to_batches(max_chunksize=200_000):
                self.db.executemany(self._insert, zip(*_sqlite_value_columns(part), strict=True))
        self.rows += table.num_rows

    def close(self) -> None:
        self._parquet.close()
        self._csv.close()
        self._csv_file.close()


def write_jsonl(path: Path, records: Iterator[dict] | list[dict]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(folder: Path) -> dict:
    """Checksum every file of the pack (but the manifest) into ``manifest.json``."""
    files = {
        path.relative_to(folder).as_posix(): {"sha256": sha256_of(path), "bytes": path.stat().st_size}
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }
    manifest = {"files": files}
    write_json(folder / MANIFEST, manifest)
    return manifest


def verify_manifest(folder: Path) -> list[str]:
    """Files that are missing, extra or changed with respect to the manifest."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    problems = [f"missing: {name}" for name in manifest if not (folder / name).is_file()]
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
    problems += [f"not in manifest: {name}" for name in sorted(present - set(manifest))]
    problems += [f"changed: {name}" for name, entry in manifest.items()
                 if (folder / name).is_file() and sha256_of(folder / name) != entry["sha256"]]
    return problems


def readable_tar(folder: Path, prefix: str = "") -> bytes:
    """``folder``'s content as a tar owned by root and readable by all: what a container's
    unprivileged user may read but not change (modes here do not depend on the host's)."""
    buffer = io.BytesIO()

    def owned_by_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mode = 0o755 if info.isdir() else 0o644
        return info

    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for item in sorted(Path(folder).iterdir()):
            tar.add(item, arcname=f"{prefix}{item.name}", filter=owned_by_root)
    return buffer.getvalue()
