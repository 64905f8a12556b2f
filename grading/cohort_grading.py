"""Grade a cohort from IT's machine: collect, autograde in sandboxes, feedback, gradebook.

The host orchestrates; the desk (trusted code in the lab image, on the hub's state, no
network) keeps nbgrader's course; each submission runs in its own grading sandbox, several
at once. Every step can be re-run: what was collected, graded or published is not done twice.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import docker

from sandlab.cohort import Cohort, LearnerPlan
from sandlab.engine import cli
from sandlab.grading.desk import COURSE, INPUTS, STATE
from sandlab.grading.exchange import wire
from sandlab.grading.sandbox import InputsVolume, SandboxOutcome, run_submission
from sandlab.hub.platform import Instance, PlatformError
from sandlab.hub.state import course_labels, course_volume
from sandlab.labs.paths import lab_ids, notebook_name, source_texts
from sandlab.sandbox import Hardening

# Root in the desk writes the hub's state (root's) and the course (the learner uid's, for the
# trainers' formgrader), so it keeps the three capabilities that takes, no more, and no network.
DESK_CAPABILITIES = ["--cap-add", "CHOWN", "--cap-add", "DAC_OVERRIDE", "--cap-add", "FOWNER"]
RECORD_BATCH = 8  # results recorded together by default: a killed run loses at most this many gradings


@dataclass
class Desk:
    """Runs a desk command in a throw-away container of the cohort's lab image."""

    instance: Instance
    image: str
    inputs: InputsVolume | None = None

    def __call__(self, command: str, cohort: str, job: dict | None = None) -> dict:
        course = course_volume(self.instance.name, cohort)
        labels = [f"--label={key}={value}" for key, value in course_labels(self.instance.name, cohort).items()]
        subprocess.run([cli(), "volume", "create", *labels, course], capture_output=True, check=True)  # kept if there
        mounts = ["-v", f"{self.instance.state_volume}:{STATE}",
                  "-v", f"{course}:{COURSE}"]
        if self.inputs is not None:
            mounts += ["-v", f"{self.inputs.name}:{INPUTS}:ro"]
        done = subprocess.run([cli(), "run", "--rm", "-i", "--network", "none", "--user", "0:0", "--cap-drop", "ALL",
                               *DESK_CAPABILITIES, "--security-opt", "no-new-privileges", *mounts, self.image,
                               "python", "-m", "sandlab.grading.desk", command, cohort],
                              input=json.dumps(job or {}), capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise PlatformError(f"grading desk `{command}` for cohort {cohort} failed: {tail}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def lab_sources(plans: dict[str, LearnerPlan], released: dict[str, dict[str, str]] | None = None
                ) -> dict[str, dict[str, str]]:
    """Source notebooks (hidden tests included) of every lab in every language the plans use: the
    catalogue's, or the library version ``released`` to the cohort (trainers' labs)."""
    released = released or {}
    catalogue = set(lab_ids())
    sources: dict[str, dict[str, str]] = {}
    for plan in plans.values():
        for lab in plan.labs:
            if lab in released:
                sources[lab] = released[lab]
            elif lab in catalogue:  # a library lab not released yet has nothing to grade
                sources.setdefault(lab, {}).update(source_texts(lab, plan.language))
    return sources


def graded_sources(desk: Desk, cohort: Cohort, plans: dict[str, LearnerPlan]) -> dict[str, dict[str, str]]:
    return lab_sources(plans, desk("sources", cohort.name)["sources"])


def collect(engine: docker.DockerClient, instance: Instance, cohort: Cohort, plans: dict[str, LearnerPlan]) -> dict:
    desk = Desk(instance, cohort.image)
    return desk("collect", cohort.name, {"sources": graded_sources(desk, cohort, plans)})


@dataclass
class AutogradeReport:
    graded: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # "user/lab" -> seconds of notebook execution


def _result(item: dict, outcome: SandboxOutcome) -> dict:
    return {"user": item["user"], "lab": item["lab"], "submission_id": item["submission_id"],
            "notebooks": outcome.notebooks, "findings": outcome.findings, "trusted": outcome.trusted}


def autograde(engine: docker.DockerClient, instance: Instance, cohort: Cohort, plans: dict[str, LearnerPlan], *,
              labs: list[str] | None = None, jobs: int | None = None, again: bool = False,
              cell_timeout: int = 60, deadline: int = 600, batch_size: int = RECORD_BATCH,
              on_done: Callable[[int, int], None] = lambda done, total: None) -> AutogradeReport:
    """Grade every collected, not yet graded submission, ``jobs`` sandboxes at a time."""
    desk = Desk(instance, cohort.image)
    remove_stale_sandboxes(engine, instance, cohort.name)
    todo = desk("pending", cohort.name, {"labs": labs or [], "again": again})["pending"]
    report = AutogradeReport()
    if not todo:
        return report
    sources = graded_sources(desk, cohort, plans)
    hardening = Hardening(memory_bytes=cohort.limits.memory_bytes, cpus=1.0, pids=cohort.limits.pids)
    batch: list[dict] = []

    def flush() -> None:
        if batch:
            recorded = desk("record", cohort.name, {"results": batch})
            report.graded += recorded["recorded"]
            report.problems += recorded["problems"]
            batch.clear()

    with InputsVolume(engine, cohort.image, cohort.pack, prefix=f"{instance.name}-{cohort.name}") as inputs, \
            ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        def grade(item: dict) -> SandboxOutcome:
            plan = plans.get(item["user"])
            language = plan.language if plan else "fr"
            mine = {name: text for name, text in sources.get(item["lab"], {}).items()
                    if name == notebook_name(item["lab"], language)}
            files = {name: content.decode("utf-8", errors="replace")
                     for name, content in wire.decode(item["files"]).items()}
            return run_submission(engine, cohort.image, inputs, mine, files, hardening,
                                  cell_timeout=cell_timeout, deadline=deadline, owner=instance.name)

        running = {pool.submit(grade, item): item for item in todo}
        try:
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    item = running.pop(future)
                    outcome = future.result()
                    report.seconds[f"{item['user']}/{item['lab']}"] = round(sum(outcome.seconds.values()), 2)
                    batch.append(_result(item, outcome))
                    on_done(len(todo) - len(running), len(todo))
                if len(batch) >= batch_size:
                    flush()
        finally:  # interrupted or not: what was graded is recorded
            for future in running:
                future.cancel()
            flush()
    return report


def remove_stale_sandboxes(engine: docker.DockerClient, instance: Instance, cohort: str) -> None:
    """Sandboxes and inputs volumes left by an autograde that was killed (its sandboxes stop at
    their deadline; a volume still in use is left for the next run)."""
    for container in engine.containers.list(all=True, filters={"label": f"sandlab.grading.owner={instance.name}",
                                                              "status": "exited"}):
        container.remove(force=True)
    for volume in engine.volumes.list(filters={"label": "sandlab.grading=inputs"}):
        if volume.name.startswith(f"{instance.name}-{cohort}-grading-inputs-"):
            with contextlib.suppress(docker.errors.APIError):
                volume.remove()


def feedback(engine: docker.DockerClient, instance: Instance, cohort: Cohort, *, again: bool = False) -> dict:
    with InputsVolume(engine, cohort.image, cohort.pack, prefix=f"{instance.name}-{cohort.name}") as inputs:
        return Desk(instance, cohort.image, inputs)("feedback", cohort.name, {"again": again})


def gradebook(instance: Instance, cohort: Cohort) -> list[dict]:
    due = {lab: when.isoformat() for lab, when in cohort.labs.due.items()}
    return Desk(instance, cohort.image)("gradebook", cohort.name, {"due": due})["rows"]
