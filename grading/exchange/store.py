"""The exchange's storage: plain files, outside every learner container.

    <root>/<cohort>/releases/<lab>/<language>/<version>/<notebooks>    kept, read-only
    <root>/<cohort>/releases/<lab>/<language>/current.json             which version learners get
    <root>/<cohort>/submissions/<user>/<lab>/<submission id>/          files + manifest.json, read-only
    <root>/<cohort>/feedback/<user>/<lab>/<submission id>              -> .<submission id>.<random>/ (html + manifest)
    <root>/.staging/                                                   where everything is written first

The service (for learners) and IT's grading desk both use this class. Everything is
written into the hidden staging folder and appears with one ``os.rename``/``os.replace``,
so a reader never sees half a submission, and a failure leaves nothing behind. A
submission is never overwritten nor deleted here: a learner who submits again adds one
beside the others, and the last one counts.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sandlab.grading.exchange import names
from sandlab.grading.exchange.names import ExchangeRefused

MAX_FILES = 20
MAX_FILE_BYTES = 20 * 2**20
MAX_TOTAL_BYTES = 50 * 2**20

STAGING = ".staging"
MANIFEST = "manifest.json"
CURRENT = "current.json"
READ_ONLY_FILE, READ_ONLY_DIR = 0o444, 0o555


class ExchangeCorrupt(RuntimeError):
    """A stored file no longer matches what was recorded: say which, never repair silently."""


class ExchangeNotFound(LookupError):
    """No such release, submission or feedback."""


@dataclass(frozen=True)
class ReleaseRecord:
    lab: str
    language: str
    version: str
    released_at: str
    notebooks: list[str]


@dataclass(frozen=True)
class SubmissionRecord:
    cohort: str
    user: str
    lab: str
    id: str
    timestamp: str
    files: dict[str, str]  # name -> sha256
    size: int
    has_feedback: bool
    feedback: dict[str, str] = field(default_factory=dict)  # html name -> sha256, to tell updated feedback


def release_version(files: dict[str, bytes]) -> str:
    """The same notebooks give the same version: re-releasing them changes nothing."""
    digest = hashlib.sha256()
    for name in sorted(files):
        content = files[name]
        digest.update(name.encode() + b"\0" + len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()[:12]


def check_notebook(name: str, content: bytes) -> None:
    """Enough of nbformat's shape to refuse what is not a notebook (the hub image has no nbformat)."""
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise ExchangeRefused(f"'{name}' refused: it is not a notebook (not JSON); "
                              "submit the .ipynb file saved by JupyterLab") from None
    if not (isinstance(data, dict) and isinstance(data.get("cells"), list) and type(data.get("nbformat")) is int):
        raise ExchangeRefused(f"'{name}' refused: it is not a notebook (no 'cells' list or integer 'nbformat'); "
                              "submit the .ipynb file saved by JupyterLab")


def check_submission(files: dict[str, bytes]) -> None:
    """The limits, checked in the order that costs least: count, names, sizes, then parsing."""
    if not files:
        raise ExchangeRefused("an empty submission is refused: send at least one notebook")
    if len(files) > MAX_FILES:
        raise ExchangeRefused(f"{len(files)} files refused: a submission has at most {MAX_FILES} notebooks")
    for name, content in files.items():
        names.notebook_name(name)
        if not isinstance(content, bytes):
            raise ExchangeRefused(f"'{name}' refused: its content must be bytes")
        if len(content) > MAX_FILE_BYTES:
            raise ExchangeRefused(f"'{name}' refused: {_mib(len(content))} is over the {_mib(MAX_FILE_BYTES)} limit "
                                  "per notebook; clear large outputs (Edit > Clear Outputs of All Cells) and save")
    total = sum(len(content) for content in files.values())
    if total > MAX_TOTAL_BYTES:
        raise ExchangeRefused(f"submission refused: {_mib(total)} in all is over the {_mib(MAX_TOTAL_BYTES)} "
                              "limit; clear large outputs (Edit > Clear Outputs of All Cells) and save")
    for name, content in files.items():
        check_notebook(name, content)


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def _now() -> datetime:
    return datetime.now(UTC)


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.is_dir() else []


@contextmanager
def staged_folder(staging: Path) -> Iterator[Path]:
    """A fresh private folder under ``staging`` (on the store's file system, so that what is written
    there appears with one rename); whatever is left in it at the end goes, read-only folders too."""
    staging.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=staging))
    try:
        yield folder
    finally:
        if folder.exists():
            for path in [folder, *folder.rglob("*")]:
                if path.is_dir():
                    path.chmod(0o755)
            shutil.rmtree(folder)


class ExchangeStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- writing, always through staging ------------------------------------------------

    def _staged(self):
        return staged_folder(self.root / STAGING)

    @staticmethod
    def _write_files(folder: Path, files: dict[str, bytes]) -> None:
        for name, content in files.items():
            path = folder / name
            path.write_bytes(content)
            path.chmod(READ_ONLY_FILE)

    @staticmethod
    def _write_json(path: Path, data: dict) -> None:
        path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")

    def _cohort(self, cohort: str) -> Path:
        return self.root / names.cohort_name(cohort)

    # -- releases -----------------------------------------------------------------------

    def _release_dir(self, cohort: str, lab: str, language: str) -> Path:
        return self._cohort(cohort) / "releases" / names.lab_id(lab) / names.language(language)

    def put_release(self, cohort: str, lab: str, language: str, files: dict[str, bytes]) -> ReleaseRecord:
        """Store a version (kept for good) and point current.json at it; the same content again is a no-op."""
        folder = self._release_dir(cohort, lab, language)
        if not files:
            raise ExchangeRefused(f"release of {lab} refused: it has no notebook")
        for name, content in files.items():
            names.notebook_name(name)
            check_notebook(name, content)
        version = release_version(files)
        current = self.current_release(cohort, lab, language)
        if current is not None and current.version == version:
            return current
        with self._staged() as staged:
            self._write_files(staged, files)
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder / version).is_dir():
                try:
                    staged.rename(folder / version)
                    (folder / version).chmod(READ_ONLY_DIR)  # only now: moving a folder needs it writable
                except OSError as error:  # released at the same moment by someone else: same content
                    if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                        raise
        record = ReleaseRecord(lab, language, version, _now().isoformat(timespec="microseconds"), sorted(files))
        with self._staged() as staged:
            self._write_json(staged / CURRENT, {"version": version, "released_at": record.released_at,
                                                "notebooks": record.notebooks})
            os.replace(staged / CURRENT, folder / CURRENT)
        return record

    def current_release(self, cohort: str, lab: str, language: str) -> ReleaseRecord | None:
        path = self._release_dir(cohort, lab, language) / CURRENT
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return ReleaseRecord(lab, language, names.version(data["version"]), str(data["released_at"]),
                                 [names.notebook_name(n) for n in data["notebooks"]])
        except (ValueError, KeyError, TypeError) as error:
            raise ExchangeCorrupt(f"{path} is unreadable ({error}); release the lab again") from None

    def release_files(self, cohort: str, lab: str, language: str, version: str | None = None) -> dict[str, bytes]:
        if version is None:
            current = self.current_release(cohort, lab, language)
            if current is None:
                raise ExchangeNotFound(f"{lab} is not released in '{language}'")
            version = current.version
        folder = self._release_dir(cohort, lab, language) / names.version(version)
        if not folder.is_dir():
            raise ExchangeNotFound(f"{lab} has no version {version} in '{language}'")
        files = {path.name: path.read_bytes() for path in _visible(folder)}
        if release_version(files) != version:
            raise ExchangeCorrupt(f"{folder} no longer matches its version; release the lab again")
        return files

    def releases(self, cohort: str) -> list[ReleaseRecord]:
        found = []
        for current in sorted(self._cohort(cohort).glob(f"releases/*/*/{CURRENT}")):
            lab, language = current.parent.parent.name, current.parent.name
            if names.LAB.fullmatch(lab) and language in names.LANGUAGES:
                record = self.current_release(cohort, lab, language)
                if record is not None:
                    found.append(record)
        return found

    # -- submissions --------------------------------------------------------------------

    def _lab_dir(self, kind: str, cohort: str, user: str, lab: str) -> Path:
        return self._cohort(cohort) / kind / names.user_name(user) / names.lab_id(lab)

    def put_submission(self, cohort: str, user: str, lab: str, files: dict[str, bytes]) -> SubmissionRecord:
        """Check the limits, then store the files read-only beside the earlier submissions."""
        parent = self._lab_dir("submissions", cohort, user, lab)
        check_submission(files)
        moment = _now()
        entries = {name: {"sha256": _sha256(content), "size": len(content)} for name, content in files.items()}
        with self._staged() as staged:
            self._write_files(staged, files)
            parent.mkdir(parents=True, exist_ok=True)
            for _attempt in range(5):
                submission = names.new_submission_id(moment)
                self._write_json(staged / f".{MANIFEST}", {"id": submission, "files": entries,
                                                           "timestamp": moment.isoformat(timespec="microseconds")})
                os.replace(staged / f".{MANIFEST}", staged / MANIFEST)
                (staged / MANIFEST).chmod(READ_ONLY_FILE)
                try:
                    staged.rename(parent / submission)
                    break
                except OSError as error:  # the same id in the same microsecond: draw another tail
                    if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                        raise
            else:
                raise FileExistsError(f"no free submission id under {parent}")
        (parent / submission).chmod(READ_ONLY_DIR)  # only now: moving a folder needs it writable
        return self._record(cohort, user, lab, parent / submission)

    def _manifest(self, folder: Path) -> dict:
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            for name, entry in data["files"].items():
                if not (names.NOTEBOOK.fullmatch(name) or names.FEEDBACK.fullmatch(name)) \
                        or not isinstance(entry["sha256"], str) or type(entry["size"]) is not int:
                    raise ValueError(f"bad entry {name!r}")
            return data
        except (OSError, ValueError, AttributeError, KeyError, TypeError) as error:
            raise ExchangeCorrupt(f"{path} is unreadable ({error})") from None

    def _record(self, cohort: str, user: str, lab: str, folder: Path) -> SubmissionRecord:
        manifest = self._manifest(folder)
        feedback = self._feedback_checksums(cohort, user, lab, folder.name)
        files = manifest["files"]
        return SubmissionRecord(cohort, user, lab, folder.name, str(manifest.get("timestamp", "")),
                                {name: entry["sha256"] for name, entry in files.items()},
                                sum(entry["size"] for entry in files.values()), bool(feedback), feedback)

    def submissions(self, cohort: str, user: str | None = None, lab: str | None = None) -> list[SubmissionRecord]:
        """Oldest first, so the last one is the one that counts."""
        users = [self._cohort(cohort) / "submissions" / names.user_name(user)] if user else \
            _visible(self._cohort(cohort) / "submissions")
        found = []
        for user_dir in users:
            if not names.USER.fullmatch(user_dir.name):
                continue
            labs = [user_dir / names.lab_id(lab)] if lab else _visible(user_dir)
            for lab_dir in labs:
                if not names.LAB.fullmatch(lab_dir.name):
                    continue
                for folder in _visible(lab_dir):
                    if names.SUBMISSION_ID.fullmatch(folder.name):
                        found.append(self._record(cohort, user_dir.name, lab_dir.name, folder))
        return sorted(found, key=lambda record: (record.timestamp, record.id))

    def _submission_dir(self, cohort: str, user: str, lab: str, submission_id: str) -> Path:
        folder = self._lab_dir("submissions", cohort, user, lab) / names.submission_id(submission_id)
        if not folder.is_dir():
            raise ExchangeNotFound(f"no submission {submission_id} of {lab}")
        return folder

    def submission_files(self, cohort: str, user: str, lab: str, submission_id: str) -> dict[str, bytes]:
        """The files as submitted, each checked against the manifest written when they arrived."""
        return self._verified(self._submission_dir(cohort, user, lab, submission_id))

    def _verified(self, folder: Path) -> dict[str, bytes]:
        manifest = self._manifest(folder)
        present = {path.name for path in _visible(folder)} - {MANIFEST}
        if present != set(manifest["files"]):
            raise ExchangeCorrupt(f"{folder} holds {sorted(present)} but its manifest lists "
                                  f"{sorted(manifest['files'])}")
        files = {}
        for name, entry in manifest["files"].items():
            content = (folder / name).read_bytes()
            if _sha256(content) != entry.get("sha256") or len(content) != entry.get("size"):
                raise ExchangeCorrupt(f"{folder / name} does not match its manifest (sha256 or size changed)")
            files[name] = content
        return files

    # -- feedback -----------------------------------------------------------------------

    def put_feedback(self, cohort: str, user: str, lab: str, submission_id: str, files: dict[str, bytes]) -> None:
        """Replace the feedback of one submission at once: a link swapped onto a new hidden folder."""
        self._submission_dir(cohort, user, lab, submission_id)
        if not files:
            raise ExchangeRefused("feedback refused: it has no file")
        for name, content in files.items():
            names.feedback_name(name)
            if not isinstance(content, bytes):
                raise ExchangeRefused(f"'{name}' refused: its content must be bytes")
        parent = self._lab_dir("feedback", cohort, user, lab)
        link = parent / submission_id
        previous = parent / os.readlink(link) if link.is_symlink() else None
        entries = {name: {"sha256": _sha256(content), "size": len(content)} for name, content in files.items()}
        with self._staged() as staged:
            content_dir = staged / "content"
            content_dir.mkdir()
            self._write_files(content_dir, files)
            self._write_json(content_dir / MANIFEST, {"files": entries,
                                                      "timestamp": _now().isoformat(timespec="microseconds")})
            parent.mkdir(parents=True, exist_ok=True)
            target = Path(tempfile.mkdtemp(prefix=f".{submission_id}.", dir=parent))
            content_dir.rename(target)  # onto the empty folder just made: replaces it
            (staged / "link").symlink_to(target.name)
            os.replace(staged / "link", link)
        if previous is not None and previous.name.startswith(".") and previous != target:
            shutil.rmtree(previous, ignore_errors=True)

    def _feedback_dir(self, cohort: str, user: str, lab: str, submission_id: str) -> Path:
        return self._lab_dir("feedback", cohort, user, lab) / names.submission_id(submission_id)

    def _feedback_checksums(self, cohort: str, user: str, lab: str, submission_id: str) -> dict[str, str]:
        folder = self._feedback_dir(cohort, user, lab, submission_id)
        if not folder.is_dir():
            return {}
        return {name: entry["sha256"] for name, entry in self._manifest(folder)["files"].items()}

    def feedback_files(self, cohort: str, user: str, lab: str, submission_id: str) -> dict[str, bytes]:
        folder = self._feedback_dir(cohort, user, lab, submission_id)
        if not folder.is_dir():
            raise ExchangeNotFound(f"no feedback yet for submission {submission_id} of {lab}")
        return self._verified(folder)
