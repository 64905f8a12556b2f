"""A trainer's side of the lab library: their workspace's commands call the library service with
the trainer's own JupyterHub token ($JUPYTERHUB_API_TOKEN) at $SANDLAB_LIBRARY_URL, both set by
the hub in a trainer's server only."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from sandlab.grading.exchange import wire
from sandlab.labs.library import read_lab_folder

URL_ENV, TOKEN_ENV = "SANDLAB_LIBRARY_URL", "JUPYTERHUB_API_TOKEN"
PUBLISH_TIMEOUT_S = 1200.0  # the service validates the lab in a sandbox first, one lab at a time


class LibraryError(RuntimeError):
    """The service's refusal or why it could not be reached; ``problems`` are the validator's, if any."""

    def __init__(self, message: str, problems: list[str] | None = None, report: dict | None = None) -> None:
        super().__init__(message)
        self.problems, self.report = problems or [], report


def _call(method: str, path: str, payload: dict | None = None, timeout: float = 60.0) -> dict:
    url, token = os.environ.get(URL_ENV, ""), os.environ.get(TOKEN_ENV, "")
    if not url or not token:
        raise LibraryError(f"no lab library here ({URL_ENV} or {TOKEN_ENV} unset): run this in your trainer "
                           "workspace's terminal, opened from the hub")
    try:
        answer = httpx.request(method, url.rstrip("/") + "/" + path, json=payload, timeout=timeout,
                               headers={"Authorization": f"token {token}"})
    except httpx.HTTPError as error:
        raise LibraryError(f"the lab library did not answer ({type(error).__name__}); try again, or tell IT") from None
    try:
        data = answer.json()
    except ValueError:
        data = {}
    if answer.status_code >= 400:
        raise LibraryError(data.get("error") or f"the lab library refused ({answer.status_code})",
                           data.get("problems"), data.get("report"))
    return data


def publish(folder: Path) -> dict:
    files = read_lab_folder(folder)
    if not files:
        raise LibraryError(f"{folder}: no lab.yaml nor notebooks to publish")
    return _call("POST", f"api/labs/{folder.name}", {"files": wire.encode(files)}, timeout=PUBLISH_TIMEOUT_S)


def versions(lab: str | None = None) -> list[dict]:
    if lab:
        return [{"lab": lab, "versions": _call("GET", f"api/labs/{lab}")["versions"]}]
    return _call("GET", "api/labs")["labs"]


def feedback(lab: str) -> list[dict]:
    return _call("GET", f"api/feedback/{lab}")["waves"]


def save_feedback(folder: Path, waves: list[dict]) -> Path | None:
    """The waves as feedback.md next to the lab's source (replaced whole); None when the folder is not there."""
    from sandlab.kpis.lab_waves import waves_markdown

    if not folder.is_dir():
        return None
    partial = folder / ".feedback.md.partial"
    partial.write_text(waves_markdown(folder.name, waves), encoding="utf-8")
    return partial.replace(folder / "feedback.md")


def release(cohort: str, lab: str, version: int | None = None) -> dict:
    return _call("POST", f"api/releases/{cohort}/{lab}", {"version": version} if version else {})


def releases(cohort: str) -> list[dict]:
    return _call("GET", f"api/releases/{cohort}")["releases"]
