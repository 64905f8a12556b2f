"""Company endpoints come from the hub's environment, each checked, their keys kept out of sight."""

from __future__ import annotations

import pytest

from sandlab.assistant.gateway import Upstream
from sandlab.assistant.upstreams import UpstreamError, company_endpoints, upstreams

SOVEREIGN = {"SANDLAB_ASSISTANT_MISTRAL_SOUVERAIN_URL": "https://models.example/v1",
             "SANDLAB_ASSISTANT_MISTRAL_SOUVERAIN_MODEL": "mistral-large",
             "SANDLAB_ASSISTANT_MISTRAL_SOUVERAIN_KEY": "sk-secret-key",
             "PATH": "/usr/bin"}


def test_an_endpoint_is_named_as_cohorts_ask_for_it_and_its_key_never_shows():
    [(name, endpoint)] = company_endpoints(SOVEREIGN).items()
    assert name == "mistral-souverain"
    assert (endpoint.url, endpoint.model, endpoint.api_key, endpoint.context_tokens) == (
        "https://models.example/v1", "mistral-large", "sk-secret-key", 8192)
    assert "sk-secret-key" not in repr(endpoint)


def test_the_local_model_is_added_and_cannot_be_shadowed():
    local = Upstream("local", "http://sandlab-model:8080/v1", "smollm2")
    assert set(upstreams(SOVEREIGN, local)) == {"mistral-souverain", "local"}
    assert upstreams({}, None) == {}
    with pytest.raises(UpstreamError, match="'local' is the platform's own model"):
        company_endpoints({"SANDLAB_ASSISTANT_LOCAL_URL": "https://x.example/v1",
                           "SANDLAB_ASSISTANT_LOCAL_MODEL": "m"})


@pytest.mark.parametrize(("change", "message"), [
    ({"SANDLAB_ASSISTANT_MISTRAL_SOUVERAIN_MODEL": ""}, "MISTRAL_SOUVERAIN_MODEL is missing"),
    ({"SANDLAB_ASSISTANT_MISTRAL_SOUVERAIN_URL": "models.example/v1"}, "MISTRAL_SOUVERAIN_URL is not an http"),
    ({"SANDLAB_ASSISTANT_MISTRAL_SOUVERAIN_CONTEXT": "lots"}, "MISTRAL_SOUVERAIN_CONTEXT must be a number"),
])
def test_a_wrong_declaration_names_its_variable_and_never_the_key(change, message):
    with pytest.raises(UpstreamError, match=message) as refused:
        company_endpoints({**SOVEREIGN, **change})
    assert "sk-secret-key" not in str(refused.value)
