"""`sandlab backup` and `sandlab restore`: the whole platform in one verified file, and back.

The backup is one tar file:

    backup.json               what it holds: each volume (name, labels, file list with sha256)
                              and each of IT's folders added with --with
    volumes/<volume>.tar.gz   the hub's state (accounts, cohorts, exchange, KPIs), the PostgreSQL
                              data if any, every home, every cohort's course (gradebook), every pack
                              (on Swarm, <volume>@<node>.tar.gz: every node's, sandlab.hub.nodes)
    files/<n>.tar.gz          IT's folders (cohort files, closed cohorts' archives)

It is taken while the hub runs: each volume is read with the containers that write it paused for
the moment it takes (a few seconds), so databases are copied as after a power cut, which SQLite
and PostgreSQL recover from. It is written beside its final name and renamed only after every
part has been read back and matched its list. `restore` checks it the same way first, refuses to
overwrite a volume that exists, and checks each volume restored against the list.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import re
import shutil
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import docker

from sandlab.hub.archive import (
    CHUNK,
    ArchiveError,
    FileDigest,
    differences,
    listing,
    tar_digests,
    unpack_volume,
    volume_exists,
    write_volume,
)
from sandlab.hub.nodes import NodeEngine, by_name, node_engines

INDEX = "backup.json"
FORMAT = 1


def platform_volumes(engine: docker.DockerClient, instance: str) -> list:
    """The instance's volumes that hold data: state, database, homes, courses, packs and their answers."""
    kinds = re.compile(rf"^{re.escape(instance)}-(hub-state|postgres-data|home-.+|course-.+|pack-.+|answers-.+)$")
    return sorted((volume for volume in engine.volumes.list() if kinds.match(volume.name)), key=lambda v: v.name)


def part_name(volume: str, node: str) -> str:
    """A volume's part in the backup: a pack has a copy on each Swarm node."""
    return f"{volume}@{node}" if node else volume


@contextlib.contextmanager
def paused_writers(engine: docker.DockerClient, volume: str) -> Iterator[list[str]]:
    """Pause every running container that mounts ``volume`` while it is read; unpause them whatever happens."""
    writers = [container for container in engine.containers.list(filters={"volume": volume})
               if container.status == "running"]
    paused = []
    try:
        for container in writers:
            container.pause()
            paused.append(container)
        yield [container.name for container in paused]
    finally:
        for container in paused:
            with contextlib.suppress(docker.errors.APIError):
                container.unpause()


def _digests_of(data: dict) -> dict[str, FileDigest]:
    return {name: FileDigest(**found) for name, found in data["files"].items()}


@dataclass
class BackupReport:
    path: str
    volumes: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    files: int = 0
    size: int = 0


def _pack_folder(folder: Path, path: Path) -> dict[str, FileDigest]:
    with open(path, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed, tarfile.open(fileobj=packed, mode="w") as tar:
            tar.add(folder, arcname=".")
        raw.flush()
        os.fsync(raw.fileno())
    with gzip.open(path, "rb") as stream:
        return tar_digests(stream)


def backup(engine: docker.DockerClient, instance: str, out: Path, folders: list[Path] = (),
           progress: Callable[[str], None] = lambda step: None, backend: str = "docker") -> BackupReport:
    """On Swarm, every node's volumes (each node's engine, sandlab.hub.nodes); refused if a node cannot be
    reached, since it may hold homes."""
    nodes = node_engines(engine, backend)
    for node in nodes:
        node.client()  # raises NodeUnreachable with the fix
    volumes = [(node, volume) for node in nodes for volume in platform_volumes(node.engine, instance)]
    if not any(volume.name == f"{instance}-hub-state" for _, volume in volumes):
        raise ArchiveError(f"no hub state for instance {instance} on this engine (volume {instance}-hub-state): "
                           "nothing to back up; check --instance")
    for folder in folders:
        if not folder.is_dir():
            raise ArchiveError(f"--with {folder}: not a folder")
    work = out.with_name(f".{out.name}.parts")
    work.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    index = {"format": FORMAT, "instance": instance, "created": datetime.now(UTC).isoformat(timespec="seconds"),
             "volumes": [], "folders": []}
    report = BackupReport(str(out))
    try:
        for node, volume in volumes:
            name = part_name(volume.name, node.name if node is not nodes[0] else "")
            progress(name)
            part = work / f"{name}.tar.gz"
            with paused_writers(node.engine, volume.name):
                digests = write_volume(node.engine, volume.name, part)
            index["volumes"].append({"name": volume.name, "labels": volume.attrs.get("Labels") or {},
                                     "archive": f"volumes/{part.name}", "files": listing(digests),
                                     **({"node": node.name} if node is not nodes[0] else {})})
            report.volumes.append(name)
            report.files += len(digests)
        for number, folder in enumerate(folders):
            progress(str(folder))
            part = work / f"{number}.tar.gz"
            digests = _pack_folder(folder, part)
            index["folders"].append({"path": str(folder), "archive": f"files/{part.name}", "files": listing(digests)})
            report.folders.append(str(folder))
            report.files += len(digests)
        with tarfile.open(partial, "w") as bundle:
            data = json.dumps(index, indent=1).encode()
            info = tarfile.TarInfo(INDEX)
            info.size, info.mtime = len(data), int(datetime.now(UTC).timestamp())
            bundle.addfile(info, io.BytesIO(data))
            for entry in index["volumes"] + index["folders"]:
                bundle.add(work / Path(entry["archive"]).name, arcname=entry["archive"])
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        progress("checking")
        problems = check(partial)
        if problems:
            raise ArchiveError(f"the backup does not read back as written: {problems[0]}")
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
        for part in work.glob("*"):
            part.unlink()
        work.rmdir()
    report.size = out.stat().st_size
    return report


def read_index(path: Path) -> dict:
    try:
        with tarfile.open(path, "r") as bundle:
            return json.loads(bundle.extractfile(INDEX).read())
    except (OSError, KeyError, ValueError, AttributeError, tarfile.TarError) as error:
        raise ArchiveError(f"{path}: not a Sandlab backup ({error})") from None


def check(path: Path) -> list[str]:
    """Every part of the backup read back and matched with its list; what does not match."""
    index = read_index(path)
    problems = []
    with tarfile.open(path, "r") as bundle:
        for entry in index["volumes"] + index["folders"]:
            try:
                with gzip.open(bundle.extractfile(entry["archive"]), "rb") as stream:
                    held = tar_digests(stream)
            except (OSError, KeyError, EOFError, tarfile.TarError, AttributeError) as error:
                problems.append(f"{entry['archive']}: unreadable ({error})")
                continue
            problems += differences(_digests_of(entry), held, entry["archive"])
    return problems


@dataclass
class RestoreReport:
    instance: str
    volumes: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)


def restore(engine: docker.DockerClient, path: Path, files_to: Path | None = None,
            progress: Callable[[str], None] = lambda step: None, backend: str = "docker") -> RestoreReport:
    """Bring every volume of the backup back on this engine (none may exist yet), on Swarm each other
    node's on the node of the same host name; with ``files_to``, IT's folders too, each under its
    original name inside it."""
    progress("checking")
    problems = check(path)
    if problems:
        raise ArchiveError(f"{path} is damaged, nothing restored: {problems[0]}")
    index = read_index(path)
    nodes = node_engines(engine, backend)
    targets: dict[str, NodeEngine] = {}
    for entry in index["volumes"]:
        node = by_name(nodes, entry.get("node", ""))
        node.client()  # raises NodeUnreachable with the fix
        targets[entry["archive"]] = node
    present = [part_name(entry["name"], entry.get("node", "")) for entry in index["volumes"]
               if volume_exists(targets[entry["archive"]].engine, entry["name"])]
    if present:
        raise ArchiveError(f"{len(present)} volume(s) of the backup exist on this engine ({present[0]}, ...): "
                           "restore on a fresh engine, or remove them first (`docker volume rm`); "
                           "nothing restored")
    if files_to is not None:
        taken = [files_to / Path(entry["path"]).name for entry in index["folders"]
                 if (files_to / Path(entry["path"]).name).exists()]
        if taken:
            raise ArchiveError(f"{taken[0]} exists: choose another --files-to; nothing restored")
    report = RestoreReport(index["instance"])
    made: list[tuple[docker.DockerClient, str]] = []
    work = path.with_name(f".{path.name}.restoring")
    work.mkdir(exist_ok=True)
    try:
        with tarfile.open(path, "r") as bundle:
            try:
                for entry in index["folders"] if files_to is not None else []:
                    target = files_to / Path(entry["path"]).name
                    progress(str(target))
                    report.folders.append(str(target))
                    with gzip.open(bundle.extractfile(entry["archive"]), "rb") as stream:
                        unpack_folder(stream, target)
                for entry in index["volumes"]:
                    progress(entry["name"])
                    part = work / "volume.tar.gz"
                    with open(part, "wb") as copy:
                        shutil.copyfileobj(bundle.extractfile(entry["archive"]), copy, CHUNK)
                    target = targets[entry["archive"]].engine
                    unpack_volume(target, entry["name"], part, _digests_of(entry), entry["labels"])
                    made.append((target, entry["name"]))
                    report.volumes.append(part_name(entry["name"], entry.get("node", "")))
            except BaseException:  # all or nothing: what was made so far goes, the backup is still whole
                for target, name in made:
                    target.volumes.get(name).remove(force=True)
                for folder in report.folders:
                    shutil.rmtree(folder, ignore_errors=True)
                raise
    finally:
        for part in work.glob("*"):
            part.unlink()
        work.rmdir()
    return report


def unpack_folder(stream, target: Path) -> None:
    """Unpack one of IT's folders into ``target``: only files, folders and links that stay inside it,
    no device, no set-uid bit (the backup file may have been tampered with)."""
    root = target.resolve()
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            destination = (root / member.name).resolve()
            if destination != root and root not in destination.parents:
                raise ArchiveError(f"{member.name}: a path outside {target} in the backup; nothing of it kept")
            if member.issym() or member.islnk():
                pointed = (destination.parent / member.linkname).resolve() if member.issym() else \
                    (root / member.linkname).resolve()
                if pointed != root and root not in pointed.parents:
                    raise ArchiveError(f"{member.name}: a link outside {target} in the backup; nothing of it kept")
            elif not (member.isfile() or member.isdir()):
                continue
            member.mode &= 0o777
            tar.extract(member, root)
