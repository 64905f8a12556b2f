"""A learner's home as a verified archive: ``<user>.tar.gz`` and ``<user>.manifest.json``.

The manifest lists every regular file of the home with its size and sha256, as read from the
volume; the archive is accepted only when the files it holds hash to the same list, read a
second time from the volume. Nothing of the learner's runs meanwhile: the volume is read and
written through Docker's archive API on a container that is created, never started.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import docker

from sandlab.hub.files import write_private
from sandlab.images.names import HUB_IMAGE, LAB_IMAGE_LABEL

MOUNT = "/archived-home"
CHUNK = 1 << 20


class ArchiveError(RuntimeError):
    pass


@dataclass(frozen=True)
class FileDigest:
    size: int
    sha256: str


def tar_digests(stream: IO[bytes], mode: str = "r|") -> dict[str, FileDigest]:
    """Every regular file of a tar stream, by its path in the home (hard links count as files)."""
    digests: dict[str, FileDigest] = {}
    with tarfile.open(fileobj=stream, mode=mode) as tar:
        for member in tar:
            name = member.name.removeprefix("./")
            if member.islnk():
                digests[name] = digests[member.linkname.removeprefix("./")]
            elif member.isreg():
                digest, handle = hashlib.sha256(), tar.extractfile(member)
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
                digests[name] = FileDigest(member.size, digest.hexdigest())
    return digests


class _Chunks(io.RawIOBase):
    """Docker's chunked archive stream as a file object tarfile can read."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks, self.rest = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.rest:
            try:
                self.rest = next(self.chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self.rest))
        buffer[:size], self.rest = self.rest[:size], self.rest[size:]
        return size


def helper_image(engine: docker.DockerClient) -> str:
    """An image to hold a volume with: the hub's, or on a Swarm node without it, a lab image (every
    node that runs learners holds one)."""
    if engine.images.list(name=HUB_IMAGE):
        return HUB_IMAGE
    labs = engine.images.list(filters={"label": LAB_IMAGE_LABEL})
    tagged = [tag for image in labs for tag in image.tags]
    if not tagged:
        raise ArchiveError(f"neither {HUB_IMAGE} nor a lab image is on this engine: load one "
                           "(`docker save sandlab-hub:latest | docker load`)")
    return tagged[0]


@contextlib.contextmanager
def mounted(engine: docker.DockerClient, volume: str, mode: str = "ro") -> Iterator[docker.models.containers.Container]:
    """A container that is never started, holding ``volume``: Docker's archive API reads and writes it."""
    holder = engine.containers.create(helper_image(engine), ["true"], network_disabled=True,
                                      volumes={volume: {"bind": MOUNT, "mode": mode}},
                                      labels={"sandlab.archive": volume})
    try:
        yield holder
    finally:
        holder.remove(force=True)


def volume_digests(engine: docker.DockerClient, volume: str) -> dict[str, FileDigest]:
    with mounted(engine, volume) as holder:
        chunks, _ = holder.get_archive(f"{MOUNT}/.")
        return tar_digests(io.BufferedReader(_Chunks(iter(chunks)), CHUNK))


@dataclass(frozen=True)
class HomeArchive:
    """Where one learner's home is archived."""

    folder: Path
    user: str

    @property
    def archive(self) -> Path:
        return self.folder / f"{self.user}.tar.gz"

    @property
    def manifest(self) -> Path:
        return self.folder / f"{self.user}.manifest.json"

    def exists(self) -> bool:
        return self.archive.is_file() and self.manifest.is_file()

    def listed(self) -> dict[str, FileDigest]:
        return {name: FileDigest(**found) for name, found in self._manifest()["files"].items()}

    def node(self) -> str:
        """The Swarm node the home was archived from ("" on a single host)."""
        return self._manifest().get("node", "")

    def _manifest(self) -> dict:
        return json.loads(self.manifest.read_text(encoding="utf-8"))

    def problems(self) -> list[str]:
        """What is wrong with the archive on disk: missing, unreadable or not matching its manifest."""
        if not self.exists():
            return [f"{self.archive} or its manifest is missing"]
        try:
            listed = self.listed()
            with gzip.open(self.archive, "rb") as stream:
                held = tar_digests(stream)
        except (OSError, ValueError, KeyError, TypeError, tarfile.TarError, EOFError) as error:
            return [f"{self.archive}: unreadable ({error})"]
        return differences(listed, held, f"{self.archive} against {self.manifest.name}")


def differences(expected: dict[str, FileDigest], found: dict[str, FileDigest], what: str) -> list[str]:
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    changed = sorted(name for name in set(expected) & set(found) if expected[name] != found[name])
    problems = []
    for label, names in (("missing", missing), ("unexpected", extra), ("different", changed)):
        if names:
            problems.append(f"{what}: {len(names)} file(s) {label}, e.g. {names[0]}")
    return problems


def write_volume(engine: docker.DockerClient, volume: str, path: Path) -> dict[str, FileDigest]:
    """``volume`` as a tar.gz at ``path`` (flushed to disk), and the files the written archive holds."""
    with mounted(engine, volume) as holder, open(path, "wb") as raw:
        chunks, _ = holder.get_archive(f"{MOUNT}/.")
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
            for chunk in chunks:
                packed.write(chunk)
        raw.flush()
        os.fsync(raw.fileno())
    with gzip.open(path, "rb") as stream:
        return tar_digests(stream)


def listing(digests: dict[str, FileDigest]) -> dict[str, dict]:
    return {name: {"size": found.size, "sha256": found.sha256} for name, found in sorted(digests.items())}


def archive_home(engine: docker.DockerClient, volume: str, target: HomeArchive, node: str = "") -> int:
    """Write ``target`` from ``volume`` and check it against a second reading of the volume; the
    archive and its manifest appear (renamed into place) only once they match. The manifest names the
    Swarm node the home was on (``node``), where it goes back. Returns the file count."""
    target.folder.mkdir(parents=True, exist_ok=True)
    partial = target.archive.with_name(f".{target.archive.name}.partial")
    try:
        held = write_volume(engine, volume, partial)
        read_again = volume_digests(engine, volume)
        problems = differences(read_again, held, f"the archive of volume {volume}")
        if problems:
            raise ArchiveError("; ".join(problems) + " (did something write to the home meanwhile?)")
        write_private(target.manifest, json.dumps({
            "user": target.user, "volume": volume, "archived": datetime.now(UTC).isoformat(timespec="seconds"),
            **({"node": node} if node else {}),
            "archive": target.archive.name, "archive_sha256": file_sha256(partial), "files": listing(read_again),
        }, indent=1))
        partial.replace(target.archive)
        return len(read_again)
    finally:
        partial.unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def own_root(engine: docker.DockerClient, volume: str, archive: Path) -> None:
    """Give the volume's top folder the owner and mode it had (Docker's unpacking leaves it root's)."""
    with tarfile.open(archive, "r:gz") as tar:
        root = next((member for member in tar if member.name in (".", "./")), None)
    if root is None:
        return
    owned = f"chown {root.uid}:{root.gid} {MOUNT} && chmod {root.mode & 0o7777:o} {MOUNT}"
    engine.containers.run(helper_image(engine), ["sh", "-c", owned], user="0:0", network_disabled=True,
                          cap_drop=["ALL"], cap_add=["CHOWN", "FOWNER"],
                          security_opt=["no-new-privileges"], volumes={volume: {"bind": MOUNT, "mode": "rw"}},
                          remove=True)


def volume_exists(engine: docker.DockerClient, name: str) -> bool:
    return any(found.name == name for found in engine.volumes.list(filters={"name": name}))


def unpack_volume(engine: docker.DockerClient, volume: str, archive: Path, listed: dict[str, FileDigest],
                  labels: dict[str, str]) -> None:
    """Make ``volume`` (it must not exist) from ``archive`` and check it file by file against ``listed``;
    a volume that does not match is removed: a half-restored volume must never be mounted."""
    if volume_exists(engine, volume):
        raise ArchiveError(f"volume {volume} exists already (remove it first to replace it with the archive)")
    engine.volumes.create(volume, labels=labels)
    try:
        with mounted(engine, volume, mode="rw") as holder, open(archive, "rb") as packed:
            if not holder.put_archive(MOUNT, packed):
                raise ArchiveError(f"Docker refused to unpack {archive} into volume {volume}")
        own_root(engine, volume, archive)
        problems = differences(listed, volume_digests(engine, volume), f"volume {volume} restored")
        if problems:
            raise ArchiveError("; ".join(problems))
    except BaseException:
        engine.volumes.get(volume).remove(force=True)
        raise


def restore_home(engine: docker.DockerClient, volume: str, source: HomeArchive, labels: dict[str, str]) -> int:
    """Bring a home back from its archive into a new ``volume`` (refused if it exists), checked
    file by file against the manifest. Returns the file count."""
    problems = source.problems()
    if problems:
        raise ArchiveError("; ".join(problems))
    unpack_volume(engine, volume, source.archive, source.listed(), labels)
    return len(source.listed())
