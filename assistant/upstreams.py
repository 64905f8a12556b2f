"""The models the gateway may forward to: the platform's local model, and the company endpoints
IT declares in the hub's environment (their keys stay there: never in a cohort file, never in
a learner's container).

    SANDLAB_ASSISTANT_<NAME>_URL       its OpenAI-compatible base URL (https://.../v1)
    SANDLAB_ASSISTANT_<NAME>_MODEL     the model's name there
    SANDLAB_ASSISTANT_<NAME>_KEY       its API key (optional)
    SANDLAB_ASSISTANT_<NAME>_CONTEXT   its context size in tokens (optional, 8192)

A cohort asks for one by name (`assistant: {model: <name>}`, the name in lowercase with
hyphens: SANDLAB_ASSISTANT_MISTRAL_SOUVERAIN_URL is `mistral-souverain`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlparse

from sandlab.assistant.gateway import Upstream

PREFIX = "SANDLAB_ASSISTANT_"
SETTING = re.compile(rf"^{PREFIX}([A-Z0-9]+(?:_[A-Z0-9]+)*)_(URL|MODEL|KEY|CONTEXT)$")
LOCAL = "local"
DEFAULT_CONTEXT = 8192


class UpstreamError(ValueError):
    """A company endpoint declared wrongly: the message names the variable and the fix."""


def company_endpoints(environ: Mapping[str, str]) -> dict[str, Upstream]:
    settings: dict[str, dict[str, str]] = {}
    for variable, value in environ.items():
        found = SETTING.match(variable)
        if found:
            settings.setdefault(found.group(1), {})[found.group(2)] = value.strip()
    endpoints = {}
    for raw, given in sorted(settings.items()):
        name = raw.lower().replace("_", "-")
        if name == LOCAL:
            raise UpstreamError(f"{PREFIX}{raw}_*: 'local' is the platform's own model; give the endpoint "
                                "another name")
        for needed in ("URL", "MODEL"):
            if not given.get(needed):
                raise UpstreamError(f"{PREFIX}{raw}_{needed} is missing or empty: an endpoint needs its URL "
                                    "and its model's name")
        address = urlparse(given["URL"])
        if address.scheme not in ("http", "https") or not address.netloc:
            raise UpstreamError(f"{PREFIX}{raw}_URL is not an http(s) address (e.g. https://models.example/v1)")
        context = given.get("CONTEXT") or str(DEFAULT_CONTEXT)
        if not context.isdigit() or not 256 <= int(context) <= 1_000_000:
            raise UpstreamError(f"{PREFIX}{raw}_CONTEXT must be a number of tokens between 256 and 1000000")
        endpoints[name] = Upstream(name, given["URL"], given["MODEL"], api_key=given.get("KEY") or None,
                                   context_tokens=int(context))
    return endpoints


def upstreams(environ: Mapping[str, str], local: Upstream | None) -> dict[str, Upstream]:
    """Every model a cohort may name: the local one (when the platform runs it) and the company's."""
    found = company_endpoints(environ)
    if local is not None:
        found[LOCAL] = local
    return found
