"""Benchmark: the assistant's gateway against the model's own server called directly, in one run.

The local model (SmolLM2-135M-Instruct on llama.cpp, `python -m sandlab.assistant.model`) runs
in its own process, as on the platform. Baseline: clients post to its OpenAI-compatible server
directly. Measured: the same requests through Sandlab's gateway (identity, cohort policy,
quotas, queue, usage log), with personal data allowed (the local model's default may be
`redact`: that row adds the detector's cost, measured too). N learners at once each send the
same short requests one after another; every request asks for the same number of tokens
(temperature 0, fixed seed), so both sides generate the same work. The baseline runs before
and after the gateway at each concurrency, averaged. "vs direct" is tokens/s through the
gateway over tokens/s direct (1.00: no overhead).

    PYTHONPATH=. python bench/assistant.py --learners 1 5 20 --requests 3 --tokens 32
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from tornado.httpserver import HTTPServer

from sandlab.assistant.gateway import Gateway, make_app
from sandlab.assistant.model import SERVED_NAME, LocalModel, wait_until_ready
from sandlab.assistant.quotas import Slots
from sandlab.assistant.upstreams import LOCAL
from sandlab.assistant.usage import UsageLog
from sandlab.cohort import AssistantPolicy, Cohort, LearnerPlan, Member
from sandlab.hub.state import AppliedCohort
from tests.platform.client import free_port
from tests.webapp import serve_app  # the gateway in a thread with its own event loop, as beside the model

QUESTIONS = ["Give one tip to write a clear e-mail.", "What is a spreadsheet used for?",
             "Name two risks of sharing customer data.", "How do you check a figure in a report?"]


def start_model(model: LocalModel) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "sandlab.assistant.model", "--port", str(model.port),
                                "--parallel", str(model.parallel), "--threads", str(model.threads)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_ready(model)
    except TimeoutError as error:
        process.kill()
        raise SystemExit(str(error)) from None
    return process


def cohort(learners: int, policy: AssistantPolicy) -> AppliedCohort:
    names = [f"learner{number:02d}" for number in range(learners)]
    return AppliedCohort(cohort=Cohort(name="bench", title="Bench", pack=Path("pack"), assistant=policy,
                                       members=[Member(name=name, persona="business") for name in names]),
                         pack_volume="v", learners={name: LearnerPlan(language="en", labs=[]) for name in names})


def load(url: str, model: str, learners: int, requests: int, tokens: int) -> dict:
    """Each learner (a thread, a token) sends ``requests`` one after another; all learners at once."""
    def learner(number: int) -> list[tuple[float, int]]:
        done = []
        with httpx.Client(timeout=600, headers={"Authorization": f"Bearer tok{number:02d}"}) as client:
            for index in range(requests):
                began = time.monotonic()
                answer = client.post(f"{url}/v1/chat/completions", json={
                    "model": model, "max_tokens": tokens, "temperature": 0, "seed": 1,
                    "messages": [{"role": "user", "content": QUESTIONS[(number + index) % len(QUESTIONS)]}]})
                answer.raise_for_status()
                done.append((time.monotonic() - began, answer.json()["usage"]["completion_tokens"]))
        return done

    began = time.monotonic()
    with ThreadPoolExecutor(learners) as pool:
        results = [row for rows in pool.map(learner, range(learners)) for row in rows]
    wall = time.monotonic() - began
    latencies = sorted(seconds for seconds, _ in results)
    return {"tokens_per_s": sum(count for _, count in results) / wall,
            "p50": statistics.median(latencies), "p95": latencies[max(0, round(0.95 * len(latencies)) - 1)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--requests", type=int, default=3, help="requests per learner, one after another")
    parser.add_argument("--tokens", type=int, default=32, help="answer tokens per request")
    parser.add_argument("--parallel", type=int, default=2, help="the model's generations at once")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    model = LocalModel(port=free_port(), parallel=args.parallel, threads=args.threads)
    process = start_model(model)
    try:
        with tempfile.TemporaryDirectory() as scratch, contextlib.ExitStack() as serving:
            biggest = max(args.learners)
            gateways = {}
            for policy in ("allow", "redact"):
                applied = cohort(biggest, AssistantPolicy(personal_data=policy, requests_per_minute=600,
                                                          tokens_per_day=10_000_000))
                gateway = Gateway(cohorts=lambda applied=applied: [applied],
                                  identify=lambda handler: "learner" + handler.request.headers.get(
                                      "Authorization", "")[len("Bearer tok"):],
                                  upstreams={LOCAL: model.upstream(LOCAL)},
                                  usage=UsageLog(Path(scratch) / f"usage-{policy}.sqlite"), secret=b"b" * 32,
                                  slots=Slots(limit=model.parallel, queue=4 * biggest))
                gateways[policy] = serving.enter_context(serve_app(HTTPServer(make_app(gateway))))
            direct = f"http://127.0.0.1:{model.port}"
            for url in (direct, gateways["allow"], gateways["redact"]):  # warm-up: caches, spaCy models
                load(url, LOCAL if url != direct else SERVED_NAME, 1, 1, 4)
            print(f"{'learners':>8} {'path':<22} {'tokens/s':>9} {'p50 s':>7} {'p95 s':>7} {'vs direct':>10}")
            for learners in args.learners:
                # The baseline runs before and after the gateway's runs and is averaged: llama.cpp's prompt
                # cache and the machine's other work favour neither side.
                before = load(direct, SERVED_NAME, learners, args.requests, args.tokens)
                found = {policy: load(url, LOCAL, learners, args.requests, args.tokens)
                         for policy, url in gateways.items()}
                after = load(direct, SERVED_NAME, learners, args.requests, args.tokens)
                base = {key: (before[key] + after[key]) / 2 for key in before}
                print(f"{learners:>8} {'direct (baseline)':<22} {base['tokens_per_s']:>9.1f} {base['p50']:>7.2f} "
                      f"{base['p95']:>7.2f} {'1.00':>10}")
                for policy, figures in found.items():
                    ratio = figures["tokens_per_s"] / base["tokens_per_s"]
                    print(f"{learners:>8} {'gateway, ' + policy:<22} {figures['tokens_per_s']:>9.1f} "
                          f"{figures['p50']:>7.2f} {figures['p95']:>7.2f} {ratio:>10.2f}")
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    main()
