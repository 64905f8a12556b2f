"""Check a trainer's lab before it enters the library: validated where learners run it.

The library service starts a throw-away container of the cohort's lab image, as the
learner's uid, every capability dropped, no network, the trainer's limits, with the cohort's
pack and its answers read-only. Inside, `python -m sandlab.labs.publish_check` validates the
lab (stopping at the first language that fails: a refusal needs one reason) and, when it
passes, makes nbgrader's student version of each language. The trainer's files are copied
in; nothing of the hub is reachable from there.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

from sandlab.grading.exchange import wire

LAB_ROOT, PACK_ROOT = "/tmp/publish", "/srv/pack"
TIMEOUT_S = 900


class CheckFailed(RuntimeError):
    """The sandbox gave no verdict (crashed, timed out); the message ends with its last lines."""


@dataclass(frozen=True)
class PublishCheck:
    report: dict  # the validator's LabResult.as_dict()
    student: dict[str, bytes]  # notebook name -> nbgrader's student version, when the lab passed

    @property
    def passed(self) -> bool:
        return bool(self.report.get("passed")) and bool(self.student)

    @property
    def problems(self) -> list[str]:
        languages = self.report.get("languages", [])
        return list(self.report.get("problems", [])) + [f"[{lang['language']}] {problem}"
                                                        for lang in languages for problem in lang["problems"]]


def check(lab: str, root: Path, pack: Path) -> dict:
    """Inside the sandbox: the validator's report and, if it passed, the student versions."""
    from sandlab.grading.student import NotGenerated, student_version  # nbgrader: the lab image's, not the hub's
    from sandlab.labs.validate import validate_lab

    result = validate_lab(lab, pack, root, first_failure=True)
    student: dict[str, bytes] = {}
    if result.passed:
        try:
            for language in [lang.language for lang in result.languages]:
                student.update(student_version(lab, language, root))
        except NotGenerated as error:
            result.problems.append(str(error))
            student = {}
    return {"result": result.as_dict(), "student": wire.encode(student)}


def lab_tar(lab: str, files: dict[str, bytes]) -> bytes:
    """The lab's files under <lab>/, readable by the learner's uid."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        folders = sorted({str(Path(lab, name).parent) for name in files} | {lab})
        for folder in folders:
            info = tarfile.TarInfo(folder)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        for name, content in sorted(files.items()):
            info = tarfile.TarInfo(f"{lab}/{name}")
            info.size, info.mode = len(content), 0o644
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def check_in_sandbox(engine, image: str, lab: str, files: dict[str, bytes], pack_volume: str, answers_volume: str,
                     hardening, timeout: int = TIMEOUT_S) -> PublishCheck:
    """Run the check in a container of ``image`` (docker-py ``engine``); its verdict."""
    import requests

    container = engine.containers.create(
        image, ["python", "-m", "sandlab.labs.publish_check", lab, "--root", LAB_ROOT, "--pack", PACK_ROOT],
        **hardening.create_kwargs(), labels={"sandlab.publish-check": lab},
        volumes={pack_volume: {"bind": f"{PACK_ROOT}/public", "mode": "ro"},
                 answers_volume: {"bind": f"{PACK_ROOT}/answers", "mode": "ro"}})
    try:
        container.put_archive("/tmp", lab_tar("publish", {}))
        container.put_archive(LAB_ROOT, lab_tar(lab, files))
        container.start()
        try:
            status = container.wait(timeout=timeout)["StatusCode"]
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout):  # docker-py says either
            raise CheckFailed(f"validating {lab} took over {timeout} s; the sandbox was stopped") from None
        output = container.logs(stdout=True, stderr=False).decode(errors="replace")
        errors = container.logs(stdout=False, stderr=True).decode(errors="replace")
    finally:
        container.remove(force=True)
    verdict = next((line for line in reversed(output.splitlines()) if line.startswith("{")), None)
    if verdict is None:
        tail = " | ".join(errors.strip().splitlines()[-3:])
        raise CheckFailed(f"validating {lab} gave no verdict (exit {status}): {tail}")
    data = json.loads(verdict)
    return PublishCheck(data["result"], wire.decode(data["student"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandlab.labs.publish_check",
                                     description="Validate a lab and make its student versions (JSON on stdout).")
    parser.add_argument("lab")
    parser.add_argument("--root", type=Path, required=True, help="Folder holding <lab>/.")
    parser.add_argument("--pack", type=Path, required=True, help="Pack with public/ and answers/.")
    args = parser.parse_args(argv)
    print(json.dumps(check(args.lab, args.root, args.pack), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
