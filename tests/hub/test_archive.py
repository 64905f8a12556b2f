"""An archive is checked against its manifest: any missing, extra or changed file is caught."""

from __future__ import annotations

import gzip
import io
import json
import tarfile

from sandlab.hub.archive import FileDigest, HomeArchive, differences, tar_digests


def tar_of(files: dict[str, bytes], *, link: tuple[str, str] | None = None) -> bytes:
    """A tar like Docker's archive of a home: ./-relative names, and a hard link if asked."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(f"./{name}")
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
        if link:
            info = tarfile.TarInfo(f"./{link[0]}")
            info.type, info.linkname = tarfile.LNKTYPE, f"./{link[1]}"
            tar.addfile(info)
    return buffer.getvalue()


def make_archive(folder, user: str, files: dict[str, bytes], *, link: tuple[str, str] | None = None) -> HomeArchive:
    target = HomeArchive(folder, user)
    target.archive.write_bytes(gzip.compress(tar_of(files, link=link)))
    return target


def write_manifest(target: HomeArchive, digests: dict[str, FileDigest]) -> None:
    target.manifest.write_text(json.dumps({"files": {name: vars(found) for name, found in digests.items()}}))


def test_hard_links_count_as_the_file_they_link(tmp_path):
    target = make_archive(tmp_path, "kim", {"work/a.txt": b"hello"}, link=("b.txt", "work/a.txt"))
    with gzip.open(target.archive) as stream:
        found = tar_digests(stream)
    assert set(found) == {"work/a.txt", "b.txt"} and found["b.txt"] == found["work/a.txt"]
    assert found["b.txt"].size == 5


def test_an_archive_matching_its_manifest_has_no_problem(tmp_path):
    target = make_archive(tmp_path, "kim", {"work/a.txt": b"hello", "notes é.txt": b"x"})
    with gzip.open(target.archive) as stream:
        write_manifest(target, tar_digests(stream))
    assert target.problems() == []


def test_a_changed_missing_or_extra_file_is_a_problem(tmp_path):
    (tmp_path / "good").mkdir()
    good = make_archive(tmp_path / "good", "kim", {"a.txt": b"hello", "b.txt": b"world"})
    with gzip.open(good.archive) as stream:
        listed = tar_digests(stream)
    for files in ({"a.txt": b"hellO", "b.txt": b"world"}, {"a.txt": b"hello"},
                  {"a.txt": b"hello", "b.txt": b"world", "c.txt": b""}):
        (tmp_path / "bad").mkdir(exist_ok=True)
        bad = make_archive(tmp_path / "bad", "kim", files)
        write_manifest(bad, listed)
        assert len(bad.problems()) == 1, files


def test_a_truncated_or_missing_archive_is_a_problem(tmp_path):
    target = make_archive(tmp_path, "kim", {"a.txt": b"hello" * 1000})
    with gzip.open(target.archive) as stream:
        write_manifest(target, tar_digests(stream))
    target.archive.write_bytes(target.archive.read_bytes()[:40])
    assert "unreadable" in target.problems()[0]
    target.archive.unlink()
    assert "missing" in target.problems()[0]


def test_differences_name_an_example():
    found = differences({"a": FileDigest(1, "x")}, {"a": FileDigest(1, "y")}, "the archive")
    assert found == ["the archive: 1 file(s) different, e.g. a"]
