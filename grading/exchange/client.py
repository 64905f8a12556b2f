"""nbgrader exchange plugins for the learner's JupyterLab: the exchange service instead of a shared folder.

    c.ExchangeFactory.exchange = "sandlab.grading.exchange.client.Exchange"
    c.ExchangeFactory.list = "sandlab.grading.exchange.client.ExchangeList"
    c.ExchangeFactory.fetch_assignment = "sandlab.grading.exchange.client.ExchangeFetchAssignment"
    c.ExchangeFactory.submit = "sandlab.grading.exchange.client.ExchangeSubmit"
    c.ExchangeFactory.fetch_feedback = "sandlab.grading.exchange.client.ExchangeFetchFeedback"

Labs live in ``<assignment_dir>/<lab>/`` (``~/labs`` by default, no course folder: a
learner is in one cohort). Every call carries the learner's own JupyterHub token
($JUPYTERHUB_API_TOKEN) to $SANDLAB_EXCHANGE_URL; nothing secret is written locally.
Messages are for learners, in French then English.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

import requests
from dateutil.tz import gettz
from nbgrader.exchange import abc
from traitlets import Float, Unicode, default, validate

from sandlab.grading.exchange import names, wire
from sandlab.grading.exchange.names import ExchangeRefused
from sandlab.grading.exchange.store import check_submission

RELEASE_RECORD = ".sandlab-release.json"
CONNECT_TIMEOUT = 5.0


def say(fr: str, en: str) -> str:
    return f"{fr} / {en}"


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _write(path: Path, content: bytes) -> None:
    """Whole or not at all: JupyterLab may be reading the folder."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)


class Exchange(abc.Exchange):
    assignment_dir = Unicode(help="Folder of the learner's labs, one sub-folder per lab (default ~/labs).").tag(
        config=True)
    url = Unicode(help="The exchange service's URL (default: $SANDLAB_EXCHANGE_URL).").tag(config=True)
    timeout = Float(120.0, help="Seconds to wait for the service's answer.").tag(config=True)
    api_token = Unicode(help="The learner's JupyterHub token (from $JUPYTERHUB_API_TOKEN; never configured).")

    @default("assignment_dir")
    def _default_assignment_dir(self) -> str:
        return os.path.join(os.path.expanduser("~"), "labs")

    @validate("assignment_dir")
    def _absolute_assignment_dir(self, proposal) -> str:
        return os.path.abspath(os.path.expanduser(proposal["value"]))

    @default("url")
    def _default_url(self) -> str:
        return os.environ.get("SANDLAB_EXCHANGE_URL", "")

    @validate("url")
    def _url_ends_with_slash(self, proposal) -> str:
        value = proposal["value"]
        return value if not value or value.endswith("/") else value + "/"

    @default("api_token")
    def _default_api_token(self) -> str:
        return os.environ.get("JUPYTERHUB_API_TOKEN", "")

    def __init__(self, coursedir=None, authenticator=None, **kwargs) -> None:
        super().__init__(coursedir=coursedir, authenticator=authenticator, **kwargs)
        # nbgrader's Assignments tab changes into this folder before anything else
        os.makedirs(self.assignment_dir, exist_ok=True)

    def init_src(self) -> None:
        pass

    def init_dest(self) -> None:
        pass

    def copy_files(self) -> None:
        pass

    # -- helpers shared by the plugins ------------------------------------------------

    def call(self, method: str, path: str, payload: dict | None = None) -> dict:
        """One request to the service; any failure becomes a message the learner can act on."""
        if not self.url:
            self.fail(say("Le service de remise n'est pas configuré ici (SANDLAB_EXCHANGE_URL est vide) : "
                          "prévenez votre formateur.",
                          "The submission service is not configured here (SANDLAB_EXCHANGE_URL is empty): "
                          "tell your trainer."))
        if not self.api_token:
            self.fail(say("Votre lab n'a pas de jeton JupyterHub : ouvrez-le depuis le hub.",
                          "Your lab has no JupyterHub token: open it from the hub."))
        try:
            response = requests.request(method, self.url + path, json=payload,
                                        headers={"Authorization": f"token {self.api_token}"},
                                        timeout=(CONNECT_TIMEOUT, self.timeout))
        except requests.RequestException as error:
            self.log.debug("exchange request failed: %s", error)
            self.fail(say("Le service de remise ne répond pas. Réessayez dans une minute ; si cela continue, "
                          "prévenez votre formateur.",
                          "The submission service does not answer. Try again in a minute; if it goes on, "
                          "tell your trainer."))
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code >= 400:
            detail = data.get("error") if isinstance(data, dict) else None
            self.fail(self._explain(response.status_code, str(detail or response.reason)))
        if not isinstance(data, dict):
            self.fail(say(f"L'adresse {self.url} ne répond pas comme le service de remise : prévenez votre formateur.",
                          f"The address {self.url} does not answer like the submission service: tell your trainer."))
        return data

    @staticmethod
    def _explain(status: int, detail: str) -> str:
        if status in (401, 403):
            return say(f"Votre compte ne peut pas utiliser le service de remise ({detail}). Ouvrez votre lab "
                       "depuis le hub ; si cela continue, prévenez votre formateur.",
                       f"Your account may not use the submission service ({detail}). Open your lab from the hub; "
                       "if it goes on, tell your trainer.")
        if status == 404:
            return say(f"Introuvable : {detail}.", f"Not found: {detail}.")
        if status in (400, 413):
            return say(f"Refusé : {detail}.", f"Refused: {detail}.")
        return say(f"Le service de remise a rencontré une erreur ({status}, {detail}) ; réessayez plus tard ou "
                   "prévenez votre formateur.",
                   f"The submission service had an error ({status}, {detail}); try again later or tell your trainer.")

    def lab(self) -> str:
        """The lab asked for, checked before it becomes a folder or part of a URL."""
        lab = self.coursedir.assignment_id if self.coursedir else ""
        try:
            return names.lab_id(lab)
        except ExchangeRefused as error:
            self.fail(say(f"Nom de lab invalide : {error}.", f"Invalid lab name: {error}."))

    def lab_dir(self, lab: str) -> Path:
        return Path(self.assignment_dir) / names.lab_id(lab)

    def shown_time(self, iso: str) -> str:
        """The service's UTC time in nbgrader's format and zone: what the list shows, and the feedback folder."""
        zone = gettz(self.timezone)
        if zone is None:
            self.fail(f"Invalid timezone: {self.timezone}")
        shown = datetime.fromisoformat(iso).astimezone(zone).strftime(self.timestamp_format)
        if "/" in shown or shown.startswith("."):
            self.fail(f"Exchange.timestamp_format gives {shown!r}, which cannot name a folder")
        return shown


class ExchangeList(abc.ExchangeList, Exchange):
    """Released, fetched and submitted labs, in the shape nbgrader's Assignments tab reads."""

    def list_files(self) -> list[dict]:
        if self.inbound:
            self.fail(say("La liste des remises de tous les apprenants est réservée aux formateurs.",
                          "Listing every learner's submissions is for trainers only."))
        return self._submitted() if self.cached else self._released()

    def remove_files(self) -> list[dict]:
        self.fail(say("Un lab publié ne peut pas être retiré depuis votre lab.",
                      "A released lab cannot be removed from your lab."))

    def _wanted(self, course: str, lab: str) -> bool:
        return self.coursedir.course_id in ("", course) and self.coursedir.assignment_id in ("", lab)

    def _released(self) -> list[dict]:
        data = self.call("GET", "api/assignments")
        course, found = data["course_id"], []
        for release in data["assignments"]:
            lab = names.lab_id(release["lab"])
            if not self._wanted(course, lab):
                continue
            folder = self.lab_dir(lab)
            remote = f"{self.url}api/assignments/{lab}"
            if folder.is_dir():
                found.append({"course_id": course, "assignment_id": lab, "status": "fetched", "path": str(folder),
                              "notebooks": [{"notebook_id": p.stem, "path": str(p)}
                                            for p in sorted(folder.glob("*.ipynb"))]})
                self.log.info("%s %s (already downloaded)", course, lab)
            if not folder.is_dir() or fetched_version(folder) != release["version"]:
                # a new version shows as released again, so the Assignments tab offers to fetch it
                found.append({"course_id": course, "assignment_id": lab, "status": "released", "path": remote,
                              "notebooks": [{"notebook_id": Path(n).stem, "path": f"{remote}/{n}"}
                                            for n in release["notebooks"]]})
                self.log.info("%s %s", course, lab)
        return found

    def _submitted(self) -> list[dict]:
        data = self.call("GET", "api/submissions")
        course, student = data["course_id"], data["user"]
        groups: dict[str, list[dict]] = {}
        for submission in data["submissions"]:
            lab = names.lab_id(submission["lab"])
            if self._wanted(course, lab):
                groups.setdefault(lab, []).append(self._submission(course, student, lab, submission))
        return [{"course_id": course, "student_id": student, "assignment_id": lab, "status": "submitted",
                 "submissions": sorted(found, key=lambda info: info["timestamp"])}
                for lab, found in sorted(groups.items())]

    def _submission(self, course: str, student: str, lab: str, submission: dict) -> dict:
        timestamp = self.shown_time(submission["timestamp"])
        folder = self.lab_dir(lab)
        feedback_dir = folder / "feedback" / timestamp
        remote = submission.get("feedback") or {}
        notebooks = []
        for name in sorted(submission["files"]):
            stem = Path(names.notebook_name(name)).stem
            local = feedback_dir / f"{stem}.html"
            has_local, has_remote = local.is_file(), f"{stem}.html" in remote
            notebooks.append({
                "notebook_id": stem, "path": str(folder / name),
                "has_local_feedback": has_local, "has_exchange_feedback": has_remote,
                "local_feedback_path": str(local) if has_local else None,
                "feedback_updated": has_local and has_remote and _sha256(local.read_bytes()) != remote[f"{stem}.html"],
            })
        has_local = bool(notebooks) and all(nb["has_local_feedback"] for nb in notebooks)
        info = {"course_id": course, "student_id": student, "assignment_id": lab, "timestamp": timestamp,
                "status": "submitted", "path": str(folder), "notebooks": notebooks,
                "has_local_feedback": has_local,
                "has_exchange_feedback": bool(notebooks) and all(nb["has_exchange_feedback"] for nb in notebooks),
                "feedback_updated": any(nb["feedback_updated"] for nb in notebooks),
                "local_feedback_path": str(feedback_dir) if has_local else None}
        self.log.info("%s %s %s %s", course, student, lab, timestamp)
        return info


def fetched_version(folder: Path) -> str | None:
    record = read_release_record(folder)
    return record.get("version") if record else None


def read_release_record(folder: Path) -> dict | None:
    try:
        record = json.loads((folder / RELEASE_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


class ExchangeFetchAssignment(abc.ExchangeFetchAssignment, Exchange):
    """Write the release into ~/labs/<lab>/ without ever overwriting the learner's work.

    A notebook that is missing or still as last fetched gets the new version; one the
    learner changed is kept, and the new version goes beside it as <stem>.v<version>.ipynb.
    """

    def copy_files(self) -> None:
        lab = self.lab()
        data = self.call("GET", f"api/assignments/{lab}")
        version = names.version(data["version"])
        files = {names.notebook_name(n): content for n, content in wire.decode(data["files"]).items()}
        folder = self.lab_dir(lab)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self.fail(say(f"Impossible de créer le dossier {folder} ({error.strerror}).",
                          f"Cannot create the folder {folder} ({error.strerror})."))
        previous = (read_release_record(folder) or {}).get("notebooks", {})
        for name, content in sorted(files.items()):
            path = folder / name
            if not path.exists():
                _write(path, content)
                continue
            local = path.read_bytes()
            if local == content:
                continue
            if _sha256(local) == previous.get(name):
                _write(path, content)  # untouched since the last fetch: nothing of the learner's is lost
                self.log.info("Updated %s to version %s", path, version)
                continue
            beside = path.with_name(f"{path.stem}.v{version}.ipynb")
            if not beside.exists():
                _write(beside, content)
            self.log.warning(say(f"Vous avez modifié {name} : il est gardé tel quel, et la nouvelle version du "
                                 f"lab est à côté, dans {beside.name}.",
                                 f"You have edited {name}: it is kept as it is, and the lab's new version is "
                                 f"beside it, in {beside.name}."))
        _write(folder / RELEASE_RECORD, json.dumps({
            "lab": lab, "version": version,
            "notebooks": {name: _sha256(content) for name, content in sorted(files.items())}}, indent=1).encode())
        self.log.info("Fetched as: %s %s (version %s) into %s", self.coursedir.course_id, lab, version, folder)


class ExchangeSubmit(abc.ExchangeSubmit, Exchange):
    """Send the notebooks named as in the release, from ~/labs/<lab>/.

    Only those names are sent: the ``<stem>.v<version>.ipynb`` copies left by a later
    fetch, scratch notebooks and sub-folders are not, so what the trainer grades is the
    file the lab's instructions name.
    """

    def copy_files(self) -> None:
        lab = self.lab()
        folder = self.lab_dir(lab)
        if not folder.is_dir():
            self.fail(say(f"Le lab {lab} n'est pas dans {folder} : récupérez-le d'abord (Fetch).",
                          f"Lab {lab} is not in {folder}: fetch it first."))
        releases = {r["lab"]: r for r in self.call("GET", "api/assignments")["assignments"]}
        if lab not in releases:
            self.fail(say(f"Le lab {lab} n'est pas ouvert à la remise pour vous.",
                          f"Lab {lab} is not open for submission to you."))
        expected = [names.notebook_name(n) for n in releases[lab]["notebooks"]]
        present = [name for name in expected if (folder / name).is_file()]
        if not present:
            self.fail(say(f"Rien à remettre : aucun des notebooks du lab ({', '.join(expected)}) n'est dans {folder}.",
                          f"Nothing to submit: none of the lab's notebooks ({', '.join(expected)}) is in {folder}."))
        missing = sorted(set(expected) - set(present))
        if missing:
            message = say(f"Notebooks absents de {folder} : {', '.join(missing)}.",
                          f"Notebooks missing from {folder}: {', '.join(missing)}.")
            if self.strict:
                self.fail(message)
            self.log.warning(message)
        files = {name: (folder / name).read_bytes() for name in present}
        try:
            check_submission(files)
        except ExchangeRefused as error:
            self.fail(say(f"Remise refusée : {error}.", f"Submission refused: {error}."))
        answer = self.call("POST", f"api/submissions/{lab}",
                           {"files": wire.encode(files)})
        self.log.info("Submitted as: %s %s %s", self.coursedir.course_id, lab, self.shown_time(answer["timestamp"]))


class ExchangeFetchFeedback(abc.ExchangeFetchFeedback, Exchange):
    """Write each graded submission's feedback into ~/labs/<lab>/feedback/<timestamp as listed>/."""

    def copy_files(self) -> None:
        lab = self.lab()
        submissions = [s for s in self.call("GET", "api/submissions")["submissions"]
                       if s["lab"] == lab and s["has_feedback"]]
        if not submissions:
            self.log.info(say(f"Pas encore de retour pour {lab}.", f"No feedback yet for {lab}."))
        for submission in submissions:
            answer = self.call("GET", f"api/feedback/{lab}/{names.submission_id(submission['id'])}")
            folder = self.lab_dir(lab) / "feedback" / self.shown_time(submission["timestamp"])
            folder.mkdir(parents=True, exist_ok=True)
            for name, content in wire.decode(answer["files"]).items():
                _write(folder / names.feedback_name(name), content)
            self.log.info("Fetched feedback: %s", folder)
