"""Benchmark: autograding a cohort, Sandlab's sandboxed parallel autograde against plain
sequential nbgrader autograde on the host (unsandboxed: nbgrader's documented way), same
submissions, same run.

Submissions: LEARNERS learners x the labs below, each the lab's solution, its blank student
version or its plausible wrong answer, in turn. Sandlab's side is the real pipeline without a
hub: the submissions are put in an exchange store on a state volume, then `collect`,
`autograde --jobs N` (one sandbox per submission, the desk records) as IT runs them.

    python bench/grade.py                       # 25 learners x 4 labs = 100 submissions, 2 jobs
    python bench/grade.py --learners 5 --jobs 2
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import tempfile
import time
from pathlib import Path

import docker

from sandlab.cohort import Cohort, LearnerPlan, Limits, Member
from sandlab.datasets.company import generate_pack
from sandlab.datasets.context import GenerationSpec
from sandlab.datasets.profile import load_profile
from sandlab.engine import client
from sandlab.grading import cohort_grading
from sandlab.grading.course import Course
from sandlab.grading.desk import STATE
from sandlab.grading.exchange import wire
from sandlab.hub.platform import Instance, run_on_state
from sandlab.hub.state import course_volume
from sandlab.images.names import LAB_IMAGE
from sandlab.labs.paths import notebook_name, source_notebook, wrong_notebook

LABS = ["l01-what-ai-is", "l02-data-quality", "l03-bias-fairness", "l04-personal-data-gdpr"]
KINDS = ("solution", "blank", "wrong")


def cpu_seconds() -> float:
    """CPU time of the whole machine (user + system), so containers count too."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (fields[0] + fields[1] + fields[2]) / os.sysconf("SC_CLK_TCK")


def submissions(learners: int, work: Path) -> dict[tuple[str, str], bytes]:
    """(learner, lab) -> the notebook they hand in."""
    blanks = {}
    for lab in LABS:
        course = Course(work / "blank")
        course.add_source(lab, {notebook_name(lab, "fr"): source_notebook(lab, "fr")})
        course.generate(lab)
        blanks[lab] = (course.release_dir(lab) / notebook_name(lab, "fr")).read_bytes()
    made = {}
    for index in range(learners):
        for offset, lab in enumerate(LABS):
            kind = KINDS[(index + offset) % len(KINDS)]
            made[(f"learner{index:03d}", lab)] = {"solution": source_notebook(lab, "fr").read_bytes(),
                                                   "blank": blanks[lab],
                                                   "wrong": wrong_notebook(lab, "fr").read_bytes()}[kind]
    return made


def plain_sequential(made: dict[tuple[str, str], bytes], pack: Path, work: Path) -> float:
    """nbgrader autograde on the host, one submission after the other."""
    course = Course(work / "plain")
    for lab in LABS:
        course.add_source(lab, {notebook_name(lab, "fr"): source_notebook(lab, "fr")})
        course.generate(lab)
    for (user, lab), content in made.items():
        course.submit(lab, user, {notebook_name(lab, "fr"): content})
    os.environ.update({"SANDLAB_DATA": str(pack / "public"), "SANDLAB_ANSWERS": str(pack / "answers"),
                       "SANDLAB_WORK": str(work / "scratch")})
    started = time.monotonic()
    for user, lab in made:
        problem = course.autograde(lab, user)
        if problem:
            print(f"  plain: {user}/{lab}: {problem}")
    return time.monotonic() - started


def fill_store(instance: Instance, cohort: str, made: dict[tuple[str, str], bytes]) -> None:
    """The submissions in an exchange store on the instance's state volume, as learners leave them."""
    script = ("import json, sys\nfrom pathlib import Path\n"
              "from sandlab.grading.exchange import wire\n"
              "from sandlab.grading.exchange.store import ExchangeStore\n"
              f"store = ExchangeStore(Path('{STATE}') / 'exchange')\n"
              "for item in json.load(sys.stdin):\n"
              "    store.put_submission(item['cohort'], item['user'], item['lab'], wire.decode(item['files']))\n")
    items = [{"cohort": cohort, "user": user, "lab": lab, "files": wire.encode({notebook_name(lab, "fr"): content})}
             for (user, lab), content in made.items()]
    done = run_on_state(instance, "python", "-c", script, stdin=json.dumps(items))
    if done.returncode != 0:
        raise SystemExit(f"filling the exchange store failed: {done.stderr.strip()[-500:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=25)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    engine = client()
    with tempfile.TemporaryDirectory(prefix="sandlab-bench-grade-") as tmp:
        work = Path(tmp)
        pack = work / "pack"
        generate_pack(GenerationSpec(load_profile("fr-mid-size"), "fr_FR", seed=7, employees=300), pack)
        made = submissions(args.learners, work)
        print(f"{len(made)} submissions ({args.learners} learners x {len(LABS)} labs: solution, blank, wrong)")

        cpu = cpu_seconds()
        plain = plain_sequential(made, pack, work)
        plain_cpu = cpu_seconds() - cpu
        print(f"plain sequential nbgrader autograde (host, no sandbox): {plain:.1f} s, "
              f"{len(made) / plain * 60:.1f} submissions/min, {plain_cpu / len(made):.2f} CPU-s each")

        instance = Instance(f"slbench{secrets.token_hex(3)}")
        members = [Member(name=user, persona="business") for user in sorted({user for user, _ in made})]
        cohort = Cohort(name="bench", title="bench", pack=pack, image=LAB_IMAGE, limits=Limits(memory="2G"),
                        members=members)
        plans = {member.name: LearnerPlan(language="fr", labs=LABS) for member in members}
        engine.volumes.create(instance.state_volume)
        try:
            fill_store(instance, cohort.name, made)
            cpu, started = cpu_seconds(), time.monotonic()
            cohort_grading.collect(engine, instance, cohort, plans)
            collected = time.monotonic()
            report = cohort_grading.autograde(engine, instance, cohort, plans, jobs=args.jobs)
            sandlab = time.monotonic() - started
            sandlab_cpu = cpu_seconds() - cpu
        finally:
            for volume in (instance.state_volume, course_volume(instance.name, cohort.name)):
                with contextlib.suppress(docker.errors.NotFound):
                    engine.volumes.get(volume).remove(force=True)
        executing = sum(report.seconds.values())
        print(f"Sandlab collect + sandboxed autograde, {args.jobs} jobs: {sandlab:.1f} s "
              f"(collect {collected - started:.1f} s), {len(report.graded) / sandlab * 60:.1f} submissions/min, "
              f"{sandlab_cpu / len(made):.2f} CPU-s each, {len(report.graded)} graded, {len(report.problems)} problems")
        print(f"  notebook execution inside the sandboxes: {executing:.1f} s in all "
              f"({executing / max(1, len(report.graded)):.1f} s each); the rest is container start, "
              "kernel start and recording")
        print(f"ratio Sandlab / plain: {sandlab / plain:.2f}x wall time (target <= 1.0x), "
              f"{sandlab_cpu / plain_cpu:.2f}x CPU")


if __name__ == "__main__":
    main()
