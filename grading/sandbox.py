"""Run a submission in its own throw-away container of the lab image, and trust only its signed result.

The container is the hardened learner-code container (sandlab.sandbox) with no network at
all, a read-only root file system, scratch space in memory-backed tmpfs (counted in the
memory limit, so it cannot fill the host's disk), the pack's public part and answers/
read-only from an inputs volume, and a wall-clock limit. The job goes in on stdin and
never touches the disk; the result comes back as one line signed with a key made for
this run (see runner.py).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import docker
import requests
from docker.types import LogConfig

from sandlab.grading.runner import Job, decode_result
from sandlab.pack import readable_tar
from sandlab.sandbox import HOME, Hardening

INPUTS = "/srv/grading"
SCRATCH_MB = 256
LOG_LIMIT = "64m"  # the kernel can write to the container's output; a flood is cut, the result is last


@dataclass
class SandboxOutcome:
    notebooks: dict[str, str] = field(default_factory=dict)  # name -> executed notebook (JSON)
    seconds: dict[str, float] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    trusted: bool = True  # False: no signed result came back; nothing of this run counts


class InputsVolume:
    """A volume holding the pack's public/ as data/ and its answers/ as answers/, owned by
    root and world-readable: mounted read-only into every grading sandbox of one run."""

    def __init__(self, engine: docker.DockerClient, image: str, pack: Path, prefix: str = "sandlab"):
        self.engine, self.name = engine, f"{prefix}-grading-inputs-{uuid.uuid4().hex[:8]}"
        engine.volumes.create(self.name, labels={"sandlab.grading": "inputs"})
        loader = engine.containers.create(image, ["true"], user="0:0", network_mode="none",
                                          volumes={self.name: {"bind": INPUTS, "mode": "rw"}})
        try:
            ok = loader.put_archive(INPUTS, readable_tar(Path(pack) / "public", prefix="data/"))
            answers = Path(pack) / "answers"
            if answers.is_dir():
                ok = ok and loader.put_archive(INPUTS, readable_tar(answers, prefix="answers/"))
        finally:
            loader.remove(force=True)
        if not ok:
            self.remove()
            raise RuntimeError(f"copying the pack {pack} into the grading inputs failed")

    def remove(self) -> None:
        with contextlib.suppress(docker.errors.NotFound):
            self.engine.volumes.get(self.name).remove(force=True)

    def __enter__(self) -> InputsVolume:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def run_submission(engine: docker.DockerClient, image: str, inputs: InputsVolume, sources: dict[str, str],
                   submission: dict[str, str], hardening: Hardening, *, cell_timeout: int = 60,
                   deadline: int = 600, owner: str = "check") -> SandboxOutcome:
    """Execute ``submission`` against the lab's ``sources`` in a fresh sandbox."""
    key = secrets.token_hex(32)
    job = Job(key=key, sources=sources, submission=submission, cell_timeout=cell_timeout, deadline=deadline)
    kwargs = hardening.create_kwargs()
    kwargs["environment"] = {**kwargs["environment"], "SANDLAB_DATA": f"{INPUTS}/data",
                             "SANDLAB_ANSWERS": f"{INPUTS}/answers", "SANDLAB_WORK": "/tmp/work"}
    container = engine.containers.create(
        image, ["python", "-m", "sandlab.grading.runner"], stdin_open=True,
        read_only=True, working_dir="/tmp",
        tmpfs={"/tmp": f"size={SCRATCH_MB}m,mode=1777", HOME: f"size={SCRATCH_MB}m,uid=1000,gid=1000,mode=0755"},
        volumes={inputs.name: {"bind": INPUTS, "mode": "ro"}},
        log_config=LogConfig(type="json-file", config={"max-size": LOG_LIMIT}),
        labels={"sandlab.grading": "sandbox", "sandlab.grading.owner": owner, "sandlab.instance": owner}, **kwargs)
    outcome = SandboxOutcome()
    try:
        stdin = container.attach_socket(params={"stdin": 1, "stream": 1})
        container.start()
        raw = getattr(stdin, "_sock", stdin)
        payload = json.dumps(job.__dict__).encode()
        raw.sendall(b"%d\n" % len(payload) + payload)
        raw.close()
        try:
            container.wait(timeout=deadline + cell_timeout + 60)
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
            container.kill()
            outcome.findings.append(f"the submission ran past the {deadline} s limit and was stopped")
        output = container.logs(stdout=True, stderr=False).decode(errors="replace")
        errors = container.logs(stdout=False, stderr=True, tail=20).decode(errors="replace")
        container.reload()
        state = container.attrs
    finally:
        container.remove(force=True)
    result = next((found for line in reversed(output.splitlines())
                   if (found := decode_result(key, line)) is not None), None)
    if result is None:
        outcome.trusted = False
        oom = state.get("State", {}).get("OOMKilled")
        outcome.findings.append("no trustworthy result came back from the sandbox"
                                + (" (memory limit reached)" if oom else "")
                                + ": the submission is graded as failed")
        if errors.strip() and not output.strip():
            outcome.findings.append("grader error: " + errors.strip().splitlines()[-1][:300])
        return outcome
    outcome.findings += result["findings"]
    for run in result["notebooks"]:
        outcome.notebooks[run["name"]] = run["notebook"]
        outcome.seconds[run["name"]] = run["seconds"]
        outcome.findings += [f"{run['name']}: {finding}" for finding in run["findings"]]
    return outcome
