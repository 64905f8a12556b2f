"""Run one submission with the lab's hidden tests: the only Sandlab code inside a grading sandbox.

`python -m sandlab.grading.runner` reads its job as JSON on stdin (the source notebooks with
hidden tests, the submitted notebooks, a one-time key) and prints one signed result line.
Learner code runs in a kernel, a child process with the same uid, so this process keeps
what the kernel must not reach out of the file system and out of the kernel's sight:

- the job never touches the disk: hidden tests and the key stay in this process's memory,
  and the process is made non-dumpable, so /proc/<pid>/mem, environ and fd are root's;
- the graded notebook is rebuilt from the trusted source (`merge`), so a deleted or edited
  test cell still runs as the trainer wrote it;
- after each test cell a canary, a test that must fail, is run: a kernel patched to hide
  failures (showtraceback, excepthook, its own execute) lets a canary pass, and every test
  it covered is then failed and reported;
- when the notebook is done, every other process of the container is killed before the
  result is written, and the result is signed (HMAC) with the key: nothing the learner's
  code prints can pass for it.
"""

from __future__ import annotations

import base64
import ctypes
import gzip
import hashlib
import hmac
import json
import os
import secrets
import signal
import sys
import time
from dataclasses import asdict, dataclass, field

import nbformat
from nbformat import NotebookNode

from sandlab.grading.merge import grade_id, is_test, merge

RESULT_PREFIX = "SANDLAB-RESULT"
PR_SET_DUMPABLE = 4
HIDDEN_FAILURES = "Sandlab: failures were being hidden when this test ran; it counts as failed."
NOT_RUN = "Sandlab: not run: {why}."


@dataclass
class Job:
    key: str
    sources: dict[str, str]  # notebook name -> source notebook (JSON text, hidden tests included)
    submission: dict[str, str]  # notebook name -> submitted notebook (JSON text)
    cell_timeout: int = 60
    deadline: int = 600  # seconds for the whole submission
    work: str = "/tmp/work"


@dataclass
class NotebookRun:
    name: str
    notebook: str  # the executed, graded notebook (JSON)
    seconds: float
    findings: list[str] = field(default_factory=list)


def sign(key: str, payload: bytes) -> str:
    return hmac.new(key.encode(), payload, hashlib.sha256).hexdigest()


def encode_result(key: str, runs: list[NotebookRun], findings: list[str]) -> str:
    payload = base64.b64encode(gzip.compress(json.dumps(
        {"notebooks": [asdict(run) for run in runs], "findings": findings}).encode())).decode()
    return f"{RESULT_PREFIX} {payload} {sign(key, payload.encode())}"


def decode_result(key: str, line: str) -> dict | None:
    """The result if ``line`` carries this job's signature, else None."""
    parts = line.strip().split(" ")
    if len(parts) != 3 or parts[0] != RESULT_PREFIX:
        return None
    if not hmac.compare_digest(sign(key, parts[1].encode()), parts[2]):
        return None
    return json.loads(gzip.decompress(base64.b64decode(parts[1])))


def error_output(text: str) -> NotebookNode:
    return nbformat.v4.new_output("error", ename="SandlabGrading", evalue=text, traceback=[text])


def _canary() -> tuple[str, str]:
    """Code that must fail, looking like any test, and the token its failure carries."""
    token = secrets.token_hex(8)
    a, b = secrets.randbelow(900) + 100, secrets.randbelow(900) + 100
    return f"assert {a} + {b} == {a + b + 1}, {token!r}", token


def _failed_with(cell: NotebookNode, token: str) -> bool:
    return any(o.get("output_type") == "error" and token in str(o.get("evalue", "")) for o in cell.outputs)


def _executor(job: Job, deadline: float, findings: list[str]):
    from nbgrader.preprocessors import Execute

    class GuardedExecute(Execute):
        """nbgrader's Execute (it already records failures whose traceback was hidden), plus a
        deadline for the whole notebook and a canary after each test cell."""

        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type != "code":
                return cell, resources
            if time.monotonic() > deadline:
                cell.outputs = [error_output(NOT_RUN.format(why="the submission ran out of time"))]
                return cell, resources
            started = time.monotonic()
            cell, resources = super().preprocess_cell(cell, resources, index)
            if time.monotonic() - started > self.timeout:
                findings.append(f"cell {grade_id(cell) or index} ran past the {self.timeout} s limit and was stopped")
            if is_test(cell):
                code, token = _canary()
                canary = nbformat.v4.new_code_cell(code)
                super().preprocess_cell(canary, resources, index)
                self.nb.cells[index] = cell  # nbclient files the last executed cell at its index
                if not _failed_with(canary, token):
                    findings.append(f"failures were hidden when test {grade_id(cell)} ran: it counts as failed")
                    cell.outputs.append(error_output(HIDDEN_FAILURES))
            return cell, resources

    return GuardedExecute(timeout=job.cell_timeout, interrupt_on_timeout=True,
                          extra_arguments=["--HistoryManager.hist_file=:memory:"])


def _mark_unrun(notebook: NotebookNode, why: str) -> None:
    """A test cell with no error output scores full marks in nbgrader: every code cell the
    kernel never answered gets an error instead."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.get("execution_count") is None and \
                not any(o.get("output_type") == "error" for o in cell.outputs):
            cell.outputs.append(error_output(NOT_RUN.format(why=why)))


def run_notebook(job: Job, name: str, deadline: float) -> NotebookRun:
    source = nbformat.reads(job.sources[name], as_version=4)
    submitted = None
    if name in job.submission:
        try:
            submitted = nbformat.reads(job.submission[name], as_version=4)
        except Exception as error:  # noqa: BLE001 - any unreadable file is the same finding
            findings = [f"{name} is not a readable notebook ({type(error).__name__}): graded as blank"]
            merged = merge(source, None)
            merged.findings[:0] = findings
        else:
            merged = merge(source, submitted)
    else:
        merged = merge(source, None)
    findings = list(merged.findings)
    notebook = merged.notebook
    started = time.monotonic()
    executor = _executor(job, deadline, findings)
    try:
        executor.preprocess(notebook, {"metadata": {"path": job.work}})
    except Exception as error:  # noqa: BLE001 - a dead kernel or a protocol failure ends the run the same way
        why = "the kernel stopped (memory or process limit, or the code ended it)"
        findings.append(f"{why}: {type(error).__name__}")
        _mark_unrun(notebook, why)
    return NotebookRun(name, nbformat.writes(notebook), round(time.monotonic() - started, 2), findings)


def kill_the_rest() -> None:
    """Kill every process of this sandbox but this one (and init): the learner's leftovers,
    daemons included, cannot touch what is written next."""
    for _ in range(5):
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def main() -> int:
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    size = int(sys.stdin.buffer.readline())  # the job's length, then the job: no need to wait for an EOF
    job = Job(**json.loads(sys.stdin.buffer.read(size)))
    os.close(0)
    os.makedirs(job.work, exist_ok=True)
    deadline = time.monotonic() + job.deadline
    findings: list[str] = []
    unknown = sorted(set(job.submission) - set(job.sources))
    if unknown:
        findings.append(f"files that are not part of the lab were ignored: {', '.join(unknown)}")
    runs = [run_notebook(job, name, deadline) for name in sorted(job.sources)]
    kill_the_rest()
    sys.stdout.write("\n" + encode_result(job.key, runs, findings) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
