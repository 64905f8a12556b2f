"""The assistant's gateway as a JupyterHub-managed service.

The hub runs it in its own container (``c.JupyterHub.services``), beside the local model
it forwards to on the loopback; learner containers reach it on their cohort's network at
``http://<instance>-hub:10103/services/assistant/v1`` with their own JupyterHub token.
Company endpoints come from the hub's environment (see ``sandlab.assistant.upstreams``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from tornado.httpserver import HTTPServer

from sandlab.assistant.gateway import HARD_BODY_BYTES, Gateway, make_app
from sandlab.assistant.model import LocalModel
from sandlab.assistant.quotas import Slots
from sandlab.assistant.upstreams import LOCAL, UpstreamError, upstreams
from sandlab.assistant.usage import UsageLog, UsageRow, usage_database
from sandlab.grading.exchange.service import applied_cohorts, hub_identify
from sandlab.hub.services import ASSISTANT
from sandlab.hub.state import STATE_DIR, kept_token
from sandlab.kpis.store import KpiStore, kpi_database

log = logging.getLogger("sandlab.assistant")
QUEUE = 40  # requests waiting for a generation slot before the gateway answers 429 (20 learners at once, twice)


def masking_secret(state: Path) -> bytes:
    """Made once and kept in the hub's state: a learner's surrogates stay the same across restarts."""
    return kept_token(state / "assistant" / "masking_secret").encode()


def kpi_feed(state: Path) -> Callable[[UsageRow], None]:
    """Each answered request counted for the training's KPIs (AI tool use during and after it)."""
    store = KpiStore(kpi_database(state))
    return lambda row: store.add_assistant_use(row.cohort, row.user, row.at, row.prompt_tokens + row.completion_tokens)


def build_gateway(state: Path, model: LocalModel | None, environ=os.environ) -> Gateway:
    local = model.upstream(LOCAL) if model else None
    return Gateway(cohorts=applied_cohorts(state), identify=hub_identify(), upstreams=upstreams(environ, local),
                   usage=UsageLog(usage_database(state), on_answered=kpi_feed(state)), secret=masking_secret(state),
                   slots=Slots(limit=model.parallel if model else 4, queue=QUEUE))


EXAMPLE = f"""example (as a JupyterHub-managed service, in jupyterhub_config.py):
  c.JupyterHub.services.append({{"name": "assistant", "url": "http://sandlab-hub:{ASSISTANT.port}",
      "command": ["python", "-m", "sandlab.assistant.service", "--state", "/srv/sandlab/state"]}})
Learners' tokens need the scope {ASSISTANT.access_scope}."""


def main(argv: list[str] | None = None) -> int:
    default = LocalModel()
    parser = argparse.ArgumentParser(prog="python -m sandlab.assistant.service", epilog=EXAMPLE,
                                     description="The assistant's gateway (OpenAI chat completions) for learners.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", type=Path, default=STATE_DIR, help=f"the hub's state folder (default {STATE_DIR})")
    parser.add_argument("--port", type=int, default=ASSISTANT.port, help=f"default {ASSISTANT.port}")
    parser.add_argument("--address", default="0.0.0.0", help="learner containers must reach it (default 0.0.0.0)")
    parser.add_argument("--prefix", default=os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"),
                        help="URL prefix (default: $JUPYTERHUB_SERVICE_PREFIX, else /)")
    parser.add_argument("--model-port", type=int, default=default.port,
                        help=f"the local model's port on the loopback (default {default.port}); 0: no local model")
    parser.add_argument("--parallel", type=int, default=default.parallel,
                        help=f"the local model's generations at once (default {default.parallel})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    model = LocalModel(port=args.model_port, parallel=args.parallel) if args.model_port else None
    try:
        gateway = build_gateway(args.state, model)
    except (UpstreamError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    async def serve() -> None:
        HTTPServer(make_app(gateway, args.prefix), max_body_size=HARD_BODY_BYTES,
                   idle_connection_timeout=120).listen(args.port, args.address)
        log.info("assistant gateway on %s:%d%s; models: %s", args.address, args.port, args.prefix,
                 ", ".join(sorted(gateway.upstreams)) or "none")
        await asyncio.Event().wait()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
