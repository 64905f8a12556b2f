"""The hub's configuration as JupyterHub receives it, from a state folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from traitlets.config import Config

from sandlab.cohort import Cohort, Member
from sandlab.hub.config import CULLER_SCOPES, configure
from sandlab.hub.state import AppliedCohort, proxy_token, read_applied, write_applied


def applied(name: str, *members: Member) -> AppliedCohort:
    return AppliedCohort(cohort=Cohort(name=name, title=name, pack=Path("pack"), members=list(members)),
                         pack_volume=f"v-{name}")


def configured(state: Path, **environ: str) -> Config:
    c = Config()
    configure(c, environ={"SANDLAB_INSTANCE": "x", **environ}, state=state)
    return c


def test_trainers_get_their_cohort_and_nothing_else(tmp_path):
    write_applied(tmp_path, applied("aa", Member(name="ana", persona="business"), Member(name="tom", role="trainer"),
                                    Member(name="ida", role="admin")))
    write_applied(tmp_path, applied("bb", Member(name="zoe", persona="technical")))
    c = configured(tmp_path)
    trainer = next(role for role in c.JupyterHub.load_roles if role["name"] == "trainer-aa")
    assert trainer["users"] == ["tom"]
    assert all(scope.endswith("!group=cohort-aa") for scope in trainer["scopes"] if scope != "admin-ui")
    assert c.JupyterHub.load_groups == {"cohort-aa": {"users": ["ana"]}, "cohort-bb": {"users": ["zoe"]}}
    assert c.Authenticator.admin_users == {"ida"}
    assert c.Authenticator.allowed_users == {"ana", "tom", "ida", "zoe"}


def test_servers_are_locked_down_and_outlive_the_hub(tmp_path):
    c = configured(tmp_path)
    spawner = c.SandlabSpawner
    assert spawner.env_keep == [] and spawner.disable_user_config and spawner.allowed_images == []
    assert spawner.pull_policy == "never" and spawner.network_name == "x-learners"
    assert c.JupyterHub.cleanup_servers is False
    assert c.JupyterHub.subdomain_host == "http://localhost:8000"
    culler = next(role for role in c.JupyterHub.load_roles if role["name"] == "idle-culler")
    assert culler["scopes"] == CULLER_SCOPES and culler["services"] == ["idle-culler"]
    assert "--timeout=3600" in c.JupyterHub.services[0]["command"]
    assert "--timeout=600" in configured(tmp_path, SANDLAB_IDLE_TIMEOUT="600").JupyterHub.services[0]["command"]


def test_the_proxy_token_is_made_once_and_private(tmp_path):
    first = proxy_token(tmp_path)
    assert proxy_token(tmp_path) == first and len(first) == 64
    assert (tmp_path / "proxy_token").stat().st_mode & 0o077 == 0


def test_bad_state_is_announced_not_fatal(tmp_path):
    write_applied(tmp_path, applied("aa", Member(name="ana", persona="business")))
    write_applied(tmp_path, applied("bb", Member(name="ana", persona="business")))
    (tmp_path / "cohorts" / "c.json").write_text("{broken")
    cohorts, problems = read_applied(tmp_path)
    assert [entry.cohort.name for entry in cohorts] == ["aa"]
    assert any("c.json" in problem for problem in problems)
    assert any("cohort bb is ignored" in problem for problem in problems)
    c = configured(tmp_path)
    assert "c.json" in c.JupyterHub.template_vars["announcement_login"]


def test_oidc_is_a_switch(tmp_path):
    c = configured(tmp_path, SANDLAB_AUTH="oidc", OIDC_CLIENT_ID="sandlab",
                   OIDC_AUTHORIZE_URL="https://idp.example/auth", SANDLAB_PUBLIC_URL="https://lab.example")
    assert c.JupyterHub.authenticator_class == "generic-oauth"
    assert c.GenericOAuthenticator.client_id == "sandlab"
    assert c.GenericOAuthenticator.oauth_callback_url == "https://lab.example/hub/oauth_callback"


def test_learners_and_their_servers_may_use_the_exchange_service_and_nothing_more(tmp_path):
    write_applied(tmp_path, applied("aa", Member(name="ana", persona="business"), Member(name="tom", role="trainer")))
    c = configured(tmp_path)
    exchange = next(service for service in c.JupyterHub.services if service["name"] == "exchange")
    assert exchange["url"] == "http://x-hub:10101" and "sandlab.grading.exchange.service" in exchange["command"]
    role = next(role for role in c.JupyterHub.load_roles if role["name"] == "exchange-user")
    assert role["users"] == ["ana"] and role["scopes"] == ["access:services!service=exchange"]
    assert "access:services!service=exchange" in c.SandlabSpawner.server_token_scopes
    assert not any(scope.startswith("access:services") and "!service=" not in scope
                   for scope in c.SandlabSpawner.server_token_scopes)


def test_everyone_may_open_the_dashboard_and_the_kpi_service_only_sees_activity(tmp_path):
    write_applied(tmp_path, applied("aa", Member(name="ana", persona="business"), Member(name="tom", role="trainer"),
                                    Member(name="ida", role="admin")))
    c = configured(tmp_path)
    kpis = next(service for service in c.JupyterHub.services if service["name"] == "kpis")
    assert kpis["url"] == "http://x-hub:10102" and "sandlab.kpis.service" in kpis["command"]
    role = next(role for role in c.JupyterHub.load_roles if role["name"] == "kpis-user")
    assert role["users"] == ["ana", "ida", "tom"] and role["scopes"] == ["access:services!service=kpis"]
    watcher = next(role for role in c.JupyterHub.load_roles if role["name"] == "kpis-watcher")
    assert watcher["services"] == ["kpis"]
    assert set(watcher["scopes"]) == {"list:users", "read:users:activity", "read:servers"}
    assert "access:services!service=kpis" in c.SandlabSpawner.server_token_scopes


def test_a_closed_cohort_lets_in_its_staff_only_and_frees_its_logins(tmp_path):
    from datetime import UTC, datetime

    from sandlab.hub.manage import apply, close

    pilot = applied("pilot", Member(name="ana", persona="business"), Member(name="tom", role="trainer"))
    apply(tmp_path, pilot, reset_passwords=False)
    wave = applied("wave", Member(name="ana", persona="business"), Member(name="zoe", persona="technical"))
    with pytest.raises(ValueError, match="ana already belong"):
        apply(tmp_path, wave, reset_passwords=False)
    closing = close(tmp_path, "pilot")
    assert closing["homes"] == ["ana", "tom"] and closing["packs_in_use"] == []
    apply(tmp_path, pilot, reset_passwords=False)  # applying the file again never reopens it
    assert not next(entry for entry in read_applied(tmp_path)[0] if entry.cohort.name == "pilot").open
    apply(tmp_path, wave, reset_passwords=False)  # ana's login is free again
    c = configured(tmp_path)
    assert c.Authenticator.allowed_users == {"tom", "ana", "zoe"}
    assert c.SandlabSpawner.cohorts["ana"].cohort.name == "wave"
    assert c.SandlabSpawner.cohorts["tom"].cohort.name == "pilot"  # the closed cohort's trainer keeps his login
    assert c.Authenticator.allow_existing_users is False
    again = close(tmp_path, "wave")
    assert again["homes"] == ["ana", "zoe"] and datetime.fromisoformat(again["closed"]) <= datetime.now(UTC)


def test_the_warmer_may_start_learners_servers_only_and_the_culler_asks_it(tmp_path):
    from sandlab.hub.config import CULLER_CONFIG

    write_applied(tmp_path, applied("aa", Member(name="ana", persona="business"), Member(name="tom", role="trainer")))
    c = configured(tmp_path)
    warmer = next(role for role in c.JupyterHub.load_roles if role["name"] == "warmer")
    assert sorted(warmer["scopes"]) == ["read:servers!group=cohort-aa", "read:users:name!group=cohort-aa",
                                        "servers!group=cohort-aa"]
    service = next(s for s in c.JupyterHub.services if s["name"] == "warmer")
    assert service["api_token"] == (tmp_path / "warmer_token").read_text().strip()
    assert oct((tmp_path / "warmer_token").stat().st_mode & 0o777) == "0o600"
    culler = next(s for s in c.JupyterHub.services if s["name"] == "idle-culler")
    assert f"--config={CULLER_CONFIG}" in culler["command"] and CULLER_CONFIG.is_file()


def test_the_assistant_is_a_service_for_learners_and_only_it_gets_the_company_endpoints(tmp_path):
    write_applied(tmp_path, applied("aa", Member(name="ana", persona="business"), Member(name="tom", role="trainer")))
    c = configured(tmp_path, SANDLAB_ASSISTANT_ACME_URL="https://models.acme.example/v1",
                   SANDLAB_ASSISTANT_ACME_KEY="sk-acme", OIDC_CLIENT_SECRET="not-for-the-assistant")
    services = {service["name"]: service for service in c.JupyterHub.services}
    gateway, model = services["assistant"], services["assistant-model"]
    assert "url" not in gateway and "sandlab.assistant.service" in gateway["command"]  # not on the public proxy
    assert gateway["environment"] == {"SANDLAB_ASSISTANT_ACME_URL": "https://models.acme.example/v1",
                                      "SANDLAB_ASSISTANT_ACME_KEY": "sk-acme"}
    assert "url" not in model and "environment" not in model  # on the loopback, no route, no secret
    role = next(role for role in c.JupyterHub.load_roles if role["name"] == "assistant-user")
    assert role["users"] == ["ana"] and role["scopes"] == ["access:services!service=assistant"]
    assert "access:services!service=assistant" in c.SandlabSpawner.server_token_scopes
    off = {service["name"] for service in configured(tmp_path, SANDLAB_LOCAL_MODEL="off").JupyterHub.services}
    assert "assistant" in off and "assistant-model" not in off


def test_a_learners_server_finds_the_assistant_unless_the_cohort_turned_it_off():
    from sandlab.cohort import AssistantPolicy
    from sandlab.hub.spawner import assistant_environment

    found = assistant_environment("x", AssistantPolicy(model="acme", personal_data="block"))
    assert found == {"OPENAI_BASE_URL": "http://x-hub:10103/v1", "SANDLAB_ASSISTANT_URL": "http://x-hub:10103/v1",
                     "SANDLAB_ASSISTANT_MODEL": "acme"}
    assert "OPENAI_API_KEY" not in found  # the learner's own token, set by their server at start
    assert assistant_environment("x", AssistantPolicy(enabled=False)) == {}


def test_swarm_is_one_setting_and_needs_postgresql(tmp_path):
    from sandlab.hub.swarm_spawner import SandlabSwarmSpawner

    postgres = "postgresql+psycopg2://sandlab:pw@postgres:5432/sandlab"
    with pytest.raises(SystemExit, match="PostgreSQL"):
        configured(tmp_path, SANDLAB_BACKEND="swarm")
    c = Config()
    import sandlab.hub.config as config

    original, config.wait_for_database = config.wait_for_database, lambda url: None  # no database here
    try:
        configure(c, environ={"SANDLAB_INSTANCE": "x", "SANDLAB_BACKEND": "swarm", "SANDLAB_DB_URL": postgres},
                  state=tmp_path)
    finally:
        config.wait_for_database = original
    assert c.JupyterHub.spawner_class is SandlabSwarmSpawner
    spawner = SandlabSwarmSpawner(config=c)  # the same lock-down, read by the Swarm spawner's own section
    assert spawner.env_keep == [] and spawner.disable_user_config and not spawner.allowed_images
    assert spawner.instance == "x" and spawner.prefix == "x-lab" and spawner.use_internal_ip
    with pytest.raises(ValueError, match="SANDLAB_BACKEND='kubernetes'"):
        configured(tmp_path, SANDLAB_BACKEND="kubernetes")
