"""The platform's lab library: every published version of every lab, kept on the hub's state.

A trainer publishes a lab from their workspace; it lands here only once it validated in a
sandbox (sandlab.labs.publish_check). A cohort's learners get the version released to it,
and keep it until a trainer of theirs or IT releases another: publishing changes no cohort.

    <state>/library/labs/<lab>/<n>/source/     lab.yaml, the source notebooks, wrong/: read-only
    <state>/library/labs/<lab>/<n>/student/    nbgrader's student version of each language
    <state>/library/labs/<lab>/<n>/version.json   digest, author, date, validation report
    <state>/library/cohorts/<cohort>/<lab>.json   the version a cohort was given, by whom, when
    <state>/library/.staging/                  where everything is written first

Only the library service (trainers) and IT's commands write it; no learner container
mounts it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sandlab.framework import LANGUAGES
from sandlab.grading.exchange import names
from sandlab.grading.exchange.store import staged_folder
from sandlab.labs.paths import notebook_name

LIBRARY = "library"
SPEC = "lab.yaml"
MAX_LAB_BYTES = 20 * 2**20  # the catalogue's largest lab is under 100 KiB
READ_ONLY_FILE, READ_ONLY_DIR = 0o444, 0o555


class LabRefused(ValueError):
    """A lab's files that cannot be published as they are; the message says which and why."""


class LabNotFound(LookupError):
    pass


def lab_files_allowed(lab: str) -> set[str]:
    """What a lab folder may publish: its spec, a source notebook and a wrong answer per language."""
    return {SPEC} | {name for language in LANGUAGES
                     for name in (notebook_name(lab, language), f"wrong/{notebook_name(lab, language)}")}


def check_lab_files(lab: str, files: dict[str, bytes]) -> None:
    names.lab_id(lab)
    unknown = sorted(set(files) - lab_files_allowed(lab))
    if unknown:
        raise LabRefused(f"{lab}: {', '.join(unknown)} cannot be published; a lab holds lab.yaml, "
                         f"{lab}.<fr|en>.ipynb and wrong/{lab}.<fr|en>.ipynb")
    if SPEC not in files:
        raise LabRefused(f"{lab}: no lab.yaml")
    if sum(len(content) for content in files.values()) > MAX_LAB_BYTES:
        raise LabRefused(f"{lab}: over {MAX_LAB_BYTES // 2**20} MiB; clear the notebooks' outputs")


def read_lab_folder(folder: Path) -> dict[str, bytes]:
    """The publishable files of a lab folder (a trainer's ~/labs/<lab>), by relative name."""
    allowed = lab_files_allowed(folder.name)
    return {name: (folder / name).read_bytes() for name in sorted(allowed) if (folder / name).is_file()}


def lab_digest(files: dict[str, bytes]) -> str:
    """The same files give the same digest: publishing them again adds no version."""
    lines = "".join(f"{name}\0{hashlib.sha256(content).hexdigest()}\n" for name, content in sorted(files.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


@dataclass(frozen=True)
class LabVersion:
    lab: str
    version: int
    digest: str
    author: str
    published_at: str
    languages: list[str]
    report: dict = field(default_factory=dict)  # the validator's LabResult, as a dict


@dataclass(frozen=True)
class CohortRelease:
    cohort: str
    lab: str
    version: int
    by: str
    released_at: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class LabLibrary:
    def __init__(self, state: Path) -> None:
        self.root = Path(state) / LIBRARY

    def _staged(self):
        return staged_folder(self.root / ".staging")

    def _lab_dir(self, lab: str) -> Path:
        return self.root / "labs" / names.lab_id(lab)

    # -- versions ---------------------------------------------------------------------

    def versions(self, lab: str) -> list[LabVersion]:
        folder = self._lab_dir(lab)
        if not folder.is_dir():
            return []
        found = [self._read_version(path) for path in folder.iterdir() if path.name.isdigit()]
        return sorted(found, key=lambda version: version.version)

    def labs(self) -> list[str]:
        folder = self.root / "labs"
        return sorted(path.name for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []

    @staticmethod
    def _read_version(folder: Path) -> LabVersion:
        return LabVersion(**json.loads((folder / "version.json").read_text(encoding="utf-8")))

    def version(self, lab: str, version: int | None = None) -> LabVersion:
        """One version (the latest when None)."""
        versions = self.versions(lab)
        if not versions:
            raise LabNotFound(f"{lab} is not in the library: publish it first (`sandlab labs publish {lab}`)")
        if version is None:
            return versions[-1]
        for found in versions:
            if found.version == version:
                return found
        raise LabNotFound(f"{lab} has no version {version} (versions: {', '.join(str(v.version) for v in versions)})")

    def publish(self, lab: str, files: dict[str, bytes], student: dict[str, bytes], author: str,
                report: dict) -> tuple[LabVersion, bool]:
        """Keep a validated lab as its next version; the same files as an existing version give that
        version back (second value False: nothing was added)."""
        check_lab_files(lab, files)
        digest = lab_digest(files)
        for existing in self.versions(lab):
            if existing.digest == digest:
                return existing, False
        languages = sorted(language for language in LANGUAGES if notebook_name(lab, language) in student)
        with self._staged() as staged:
            for kind, content in (("source", files), ("student", student)):
                for name, data in content.items():
                    path = staged / kind / name
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(data)
                    path.chmod(READ_ONLY_FILE)
            folder = self._lab_dir(lab)
            folder.mkdir(parents=True, exist_ok=True)
            number = max((v.version for v in self.versions(lab)), default=0) + 1
            made = LabVersion(lab, number, digest, author, _now(), languages, report)
            (staged / "version.json").write_text(json.dumps(asdict(made), indent=1, ensure_ascii=False))
            for path in sorted(staged.rglob("*"), reverse=True):
                if path.is_dir():
                    path.chmod(READ_ONLY_DIR)
            os.rename(staged, folder / str(number))  # the version appears whole, or not at all
            (folder / str(number)).chmod(READ_ONLY_DIR)
        return made, True

    def _files(self, lab: str, version: int, kind: str) -> dict[str, bytes]:
        folder = self._lab_dir(lab) / str(self.version(lab, version).version) / kind
        return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
                if path.is_file()}

    def source_files(self, lab: str, version: int) -> dict[str, bytes]:
        return self._files(lab, version, "source")

    def student_files(self, lab: str, version: int, language: str) -> dict[str, bytes]:
        name = notebook_name(lab, names.language(language))
        found = self._files(lab, version, "student")
        if name not in found:
            raise LabNotFound(f"{lab} version {version} has no {language} version")
        return {name: found[name]}

    def remove(self, lab: str, version: int) -> LabVersion:
        """IT's removal of one version; refused while any cohort, closed ones too, was given it (its
        submissions are graded against it)."""
        found = self.version(lab, version)
        holders = sorted(path.parent.name for path in (self.root / "cohorts").glob(f"*/{found.lab}.json")
                         if json.loads(path.read_text())["version"] == found.version)
        if holders:
            raise LabRefused(f"{lab} version {version} was given to cohort(s) {', '.join(holders)}, whose work is "
                             "graded against it: release another version to the open ones; a closed cohort's is kept")
        with self._staged() as staged:
            os.rename(self._lab_dir(lab) / str(found.version), staged / "removed")  # gone at once, deleted after
        return found

    # -- which version each cohort has ----------------------------------------------------

    def _release_path(self, cohort: str, lab: str) -> Path:
        return self.root / "cohorts" / names.cohort_name(cohort) / f"{names.lab_id(lab)}.json"

    def record_release(self, cohort: str, lab: str, version: int, by: str) -> CohortRelease:
        record = CohortRelease(cohort, lab, version, by, _now())
        path = self._release_path(cohort, lab)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._staged() as staged:
            (staged / path.name).write_text(json.dumps(asdict(record), indent=1))
            os.replace(staged / path.name, path)
        return record

    def forget_release(self, cohort: str, lab: str) -> None:
        """The cohort was given the catalogue's version of the lab (IT's `sandlab grading release`)."""
        self._release_path(cohort, lab).unlink(missing_ok=True)

    def cohort_releases(self, cohort: str) -> list[CohortRelease]:
        folder = self.root / "cohorts" / names.cohort_name(cohort)
        return [CohortRelease(**json.loads(path.read_text())) for path in sorted(folder.glob("*.json"))
                ] if folder.is_dir() else []

    def given_versions(self, cohorts: Iterable[str], lab: str) -> dict[str, str]:
        """Which library version of ``lab`` each of ``cohorts`` was given (absent: the catalogue's)."""
        return {release.cohort: str(release.version) for cohort in cohorts
                for release in self.cohort_releases(cohort) if release.lab == lab}

    def cohort_sources(self, cohort: str) -> dict[str, dict[str, str]]:
        """The source notebooks (hidden tests included) of the versions a cohort was given, by lab:
        what its submissions are graded against."""
        sources: dict[str, dict[str, str]] = {}
        for release in self.cohort_releases(cohort):
            files = self.source_files(release.lab, release.version)
            sources[release.lab] = {name: content.decode("utf-8") for name, content in files.items()
                                    if re.fullmatch(rf"{re.escape(release.lab)}\.\w+\.ipynb", name)}
        return sources
