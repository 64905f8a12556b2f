"""A backup is read back part by part against its lists: a damaged or foreign file is refused."""

from __future__ import annotations

import gzip
import io
import json
import tarfile

import pytest

from sandlab.hub.archive import ArchiveError, listing, tar_digests
from sandlab.hub.backup import INDEX, check, read_index
from tests.hub.test_archive import tar_of


def part(files: dict[str, bytes]) -> bytes:
    return gzip.compress(tar_of(files))


def bundle(path, listed: dict[str, bytes], held: dict[str, bytes]) -> None:
    digests = tar_digests(io.BytesIO(part(listed)), "r:gz")
    index = {"format": 1, "instance": "sandlab", "folders": [],
             "volumes": [{"name": "sandlab-hub-state", "labels": {}, "archive": "volumes/state.tar.gz",
                          "files": listing(digests)}]}
    with tarfile.open(path, "w") as tar:
        for name, data in ((INDEX, json.dumps(index).encode()), ("volumes/state.tar.gz", part(held))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_a_whole_backup_checks_clean(tmp_path):
    files = {"accounts.json": b"{}", "kpis/kpis.sqlite": b"SQLite format 3\0"}
    bundle(tmp_path / "b.tar", files, files)
    assert check(tmp_path / "b.tar") == []
    assert read_index(tmp_path / "b.tar")["instance"] == "sandlab"


def test_a_part_that_differs_from_its_list_is_reported(tmp_path):
    bundle(tmp_path / "b.tar", {"accounts.json": b"{}"}, {"accounts.json": b"{ }"})
    assert check(tmp_path / "b.tar") == ["volumes/state.tar.gz: 1 file(s) different, e.g. accounts.json"]


def test_a_file_that_is_no_backup_is_refused(tmp_path):
    (tmp_path / "notes.tar").write_bytes(b"not a tar at all")
    with pytest.raises(ArchiveError, match="not a Sandlab backup"):
        check(tmp_path / "notes.tar")


def folder_stream(*members: tarfile.TarInfo) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for member in members:
            tar.addfile(member, io.BytesIO(b"x" * member.size) if member.isfile() else None)
    buffer.seek(0)
    return buffer


def entry(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type, member.linkname = kind, link
    member.size = 1 if kind == tarfile.REGTYPE else 0
    member.mode = 0o4755  # a set-uid bit never survives
    return member


def test_it_s_folders_unpack_inside_their_target_only(tmp_path):
    from sandlab.hub.backup import unpack_folder

    unpack_folder(folder_stream(entry("./cohorts", tarfile.DIRTYPE), entry("./cohorts/a.yaml")), tmp_path / "ok")
    assert (tmp_path / "ok" / "cohorts" / "a.yaml").read_bytes() == b"x"
    assert (tmp_path / "ok" / "cohorts" / "a.yaml").stat().st_mode & 0o7777 == 0o755
    for bad in (entry("../escaped"), entry("/etc/escaped"), entry("./link", tarfile.SYMTYPE, "../../etc/passwd")):
        with pytest.raises(ArchiveError, match="outside"):
            unpack_folder(folder_stream(bad), tmp_path / "bad")
    assert not (tmp_path / "escaped").exists()
