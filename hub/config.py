"""JupyterHub's configuration, from the hub's state folder and environment.

Environment (set by docker-compose.yml):
    SANDLAB_INSTANCE      prefix of this hub's containers, volumes and networks (sandlab)
    SANDLAB_PUBLIC_URL    where browsers reach the hub; each user's server is served on
                          <user>.<host> below it (http://localhost:8000)
    SANDLAB_IDLE_TIMEOUT  seconds before an idle server is stopped (3600)
    SANDLAB_DB_URL        JupyterHub's database (SQLite in the state folder by default)
    SANDLAB_BACKEND       docker (default: one engine) or swarm (learners as Swarm services; PostgreSQL)
    SANDLAB_LOCAL_MODEL   on (default) or off: the assistant's local model (see sandlab.assistant.model)
    SANDLAB_LOCAL_MODEL_SLOTS, SANDLAB_LOCAL_MODEL_THREADS
                          its generations at once (2) and CPU threads (2)
    SANDLAB_ASSISTANT_<NAME>_URL, _MODEL, _KEY, _CONTEXT
                          a company's endpoint for the assistant (see sandlab.assistant.upstreams)
    SANDLAB_AUTH          accounts (default: IT-created accounts) or oidc, configured by
                          OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_AUTHORIZE_URL,
                          OIDC_TOKEN_URL, OIDC_USERDATA_URL, OIDC_USERNAME_CLAIM
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from sandlab.assistant.model import MODEL_PORT
from sandlab.assistant.upstreams import PREFIX as ENDPOINT_PREFIX
from sandlab.hub.services import ASSISTANT, EXCHANGE, KPIS, LIBRARY
from sandlab.hub.spawner import SERVER_TOKEN_SCOPES, SandlabSpawner
from sandlab.hub.state import (
    STATE_DIR,
    AppliedCohort,
    accounts_file,
    exchange_dir,
    proxy_token,
    read_applied,
    warmer_token,
)
from sandlab.hub.swarm import NEEDS_POSTGRES, backend

CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
KPIS_SCOPES = ["list:users", "read:users:activity", "read:servers"]  # which servers were active, never more
CULLER_CONFIG = Path(__file__).with_name("idle_culler_config.py")  # warmed servers are held for their session
WARMER = "warmer"


def trainer_scopes(group: str) -> list[str]:
    """A trainer sees, opens, starts and stops the servers of their cohort's learners, nothing else."""
    return [f"{scope}!group={group}" for scope in
            ("list:users", "read:users", "read:servers", "admin:servers", "access:servers")] + ["admin-ui"]


def exchange_service(instance: str, state: Path) -> dict:
    """nbgrader's exchange as a hub-managed service, storing under the hub's state; learner
    containers reach it on the learners' network with their own token."""
    return {"name": EXCHANGE.name, "url": EXCHANGE.address(instance),
            "command": [sys.executable, "-m", "sandlab.grading.exchange.service", "--root", str(exchange_dir(state)),
                        "--state", str(state), "--port", str(EXCHANGE.port), "--address", "0.0.0.0"]}


def library_service(instance: str, state: Path) -> dict:
    """The lab library: trainers' servers publish and release through it; it validates labs in sandboxes
    it starts on the hub's engine (the socket the spawner uses), no learner reaches it."""
    return {"name": LIBRARY.name, "url": LIBRARY.address(instance),
            "command": [sys.executable, "-m", "sandlab.labs.library_service", "--state", str(state),
                        "--port", str(LIBRARY.port), "--address", "0.0.0.0"]}


def kpis_service(instance: str, state: Path) -> dict:
    """The KPI service: learners' containers report to it, people open its dashboard through the
    hub's OAuth on its own site (kpis--service.<host>); no consent page for the platform's own."""
    return {"name": KPIS.name, "url": KPIS.address(instance), "oauth_no_confirm": True,
            "command": [sys.executable, "-m", "sandlab.kpis.service", "--state", str(state),
                        "--port", str(KPIS.port), "--address", "0.0.0.0"]}


def assistant_services(state: Path, environ: Mapping[str, str]) -> list[dict]:
    """The assistant's gateway (learners reach it on their network) and, unless IT turned it off,
    the local model it forwards to on the hub container's loopback. Company endpoints' settings
    reach the gateway alone: a managed service gets only the environment it is given."""
    local = environ.get("SANDLAB_LOCAL_MODEL", "on") != "off"
    slots = environ.get("SANDLAB_LOCAL_MODEL_SLOTS", "2")
    threads = environ.get("SANDLAB_LOCAL_MODEL_THREADS", "2")
    gateway = {"name": ASSISTANT.name,  # no url: no route on the public proxy, learners' networks only
               "environment": {key: value for key, value in environ.items() if key.startswith(ENDPOINT_PREFIX)},
               "command": [sys.executable, "-m", "sandlab.assistant.service", "--state", str(state),
                           "--port", str(ASSISTANT.port), "--parallel", slots,
                           "--model-port", str(MODEL_PORT if local else 0)]}
    if not local:
        return [gateway]
    model = {"name": "assistant-model", "command": [sys.executable, "-m", "sandlab.assistant.model", "--port",
                                                    str(MODEL_PORT), "--parallel", slots, "--threads", threads]}
    return [gateway, model]


def warmer_service(state: Path) -> dict:
    """Warm start: starts learners' servers ahead of their cohort's sessions. Its token is kept in
    the state, so that `sandlab cohort warm` (run in the hub's container) acts as this service."""
    return {"name": WARMER, "api_token": warmer_token(state),
            "command": [sys.executable, "-m", "sandlab.hub.warmer", "serve", "--state", str(state)]}


def warmer_scopes(groups: list[str]) -> list[str]:
    """Start the servers of cohorts' learners (their groups) and see when they are ready, nothing else."""
    return [f"{scope}!group={group}" for group in groups for scope in ("read:users:name", "read:servers", "servers")]


def placements(applied: list[AppliedCohort]) -> dict[str, AppliedCohort]:
    """Who may log in, and the cohort whose settings their server gets: every member of an open
    cohort; of a closed one, its trainers and IT only (the dashboard, the gradebook), unless an
    open cohort has them."""
    found = {member.name: entry for entry in applied if entry.open for member in entry.cohort.members}
    for entry in applied:
        if not entry.open:
            for member in entry.cohort.members:
                if member.role != "learner":
                    found.setdefault(member.name, entry)
    return found


def roles_and_groups(applied: list[AppliedCohort]) -> tuple[list[dict], dict]:
    learners = sorted(name for entry in applied for name in entry.cohort.named("learner"))
    roles = [{"name": "exchange-user", "description": "Fetch and submit labs through the exchange service",
              "scopes": [EXCHANGE.access_scope], "users": learners},
             {"name": "assistant-user", "description": "Ask the AI assistant (their cohort's policy applies)",
              "scopes": [ASSISTANT.access_scope], "users": learners}] if learners else []
    members = sorted(member.name for entry in applied for member in entry.cohort.members)
    if members:
        roles.append({"name": "kpis-user", "description": "Open the training dashboard (the service decides what: "
                      "IT all, trainers their cohorts, learners themselves)",
                      "scopes": [KPIS.access_scope], "users": members})
    staff = sorted(member.name for entry in applied for member in entry.cohort.members
                   if member.role in ("trainer", "admin"))
    if staff:
        roles.append({"name": "library-user", "description": "Publish labs to the library, release them to their "
                      "cohorts (the service decides which)", "scopes": [LIBRARY.access_scope], "users": staff})
    groups = {}
    for entry in applied:
        cohort = entry.cohort
        groups[cohort.group] = {"users": cohort.named("learner")}
        if trainers := cohort.named("trainer"):
            roles.append({"name": f"trainer-{cohort.name}", "description": f"Trainers of cohort {cohort.name}",
                          "scopes": trainer_scopes(cohort.group), "users": trainers})
    return roles, groups


def _oidc(c, environ: Mapping[str, str]) -> None:
    c.JupyterHub.authenticator_class = "generic-oauth"
    c.GenericOAuthenticator.client_id = environ.get("OIDC_CLIENT_ID", "")
    c.GenericOAuthenticator.client_secret = environ.get("OIDC_CLIENT_SECRET", "")
    c.GenericOAuthenticator.authorize_url = environ.get("OIDC_AUTHORIZE_URL", "")
    c.GenericOAuthenticator.token_url = environ.get("OIDC_TOKEN_URL", "")
    c.GenericOAuthenticator.userdata_url = environ.get("OIDC_USERDATA_URL", "")
    c.GenericOAuthenticator.username_claim = environ.get("OIDC_USERNAME_CLAIM", "preferred_username")
    c.GenericOAuthenticator.scope = ["openid", "profile", "email"]
    c.GenericOAuthenticator.oauth_callback_url = environ.get("SANDLAB_PUBLIC_URL", "http://localhost:8000").rstrip(
        "/") + "/hub/oauth_callback"


def wait_for_database(url: str, seconds: float = 60) -> None:
    """PostgreSQL starts beside the hub: wait for it rather than fail and restart in a loop."""
    if not url.startswith("postgresql"):
        return
    import psycopg2

    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg2.connect(url.replace("+psycopg2", "", 1), connect_timeout=3).close()
            return
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def spawner_class(environ: Mapping[str, str]) -> type:
    """The single host's spawner, or Swarm's (SANDLAB_BACKEND=swarm), whose hub keeps its database
    in PostgreSQL: a manager may be replaced, the database outlives it."""
    if backend(environ) == "docker":
        return SandlabSpawner
    if not environ.get("SANDLAB_DB_URL", "").startswith("postgresql"):
        raise SystemExit(f"sandlab: {NEEDS_POSTGRES}")
    from sandlab.hub.swarm_spawner import SandlabSwarmSpawner

    return SandlabSwarmSpawner


def configure(c, environ: Mapping[str, str] = os.environ, state: Path = STATE_DIR) -> None:
    instance = environ.get("SANDLAB_INSTANCE", "sandlab")
    public_url = environ.get("SANDLAB_PUBLIC_URL", "http://localhost:8000")
    applied, problems = read_applied(state)

    c.JupyterHub.bind_url = "http://:8000"
    c.JupyterHub.hub_bind_url = "http://0.0.0.0:8081"
    c.JupyterHub.hub_connect_url = f"http://{instance}-hub:8081"
    c.JupyterHub.subdomain_host = public_url
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.db_url = environ.get("SANDLAB_DB_URL") or f"sqlite:///{state}/jupyterhub.sqlite"
    wait_for_database(c.JupyterHub.db_url)
    c.ConfigurableHTTPProxy.auth_token = proxy_token(state)
    c.JupyterHub.cleanup_servers = False
    c.JupyterHub.allow_named_servers = False

    if environ.get("SANDLAB_AUTH", "accounts") == "oidc":
        _oidc(c, environ)
    else:
        c.JupyterHub.authenticator_class = "sandlab.hub.authenticator.SandlabAuthenticator"
        c.SandlabAuthenticator.accounts_file = str(accounts_file(state))
    members = placements(applied)
    c.Authenticator.allow_all = False
    c.Authenticator.allowed_users = set(members)
    c.Authenticator.allow_existing_users = False  # a learner of a closed cohort stays in the hub's database
    c.Authenticator.admin_users = {name for entry in applied for name in entry.cohort.named("admin")}

    roles, groups = roles_and_groups(applied)
    timeout = int(environ.get("SANDLAB_IDLE_TIMEOUT", "3600"))
    c.JupyterHub.services = [{"name": "idle-culler",
                              "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={timeout}",
                                          f"--config={CULLER_CONFIG}"]},
                             exchange_service(instance, state), kpis_service(instance, state), warmer_service(state),
                             library_service(instance, state),
                             *assistant_services(state, environ)]
    roles.append({"name": "idle-culler", "description": "Stop servers idle for longer than the timeout",
                  "scopes": CULLER_SCOPES, "services": ["idle-culler"]})
    if applied:
        roles.append({"name": WARMER, "description": "Start cohorts' learners' servers ahead of their sessions",
                      "scopes": warmer_scopes([entry.cohort.group for entry in applied]), "services": [WARMER]})
    roles.append({"name": "kpis-watcher", "description": "See which servers were active, for the KPIs",
                  "scopes": KPIS_SCOPES, "services": [KPIS.name]})
    c.JupyterHub.load_roles = roles
    c.JupyterHub.load_groups = groups

    spawner = spawner_class(environ)
    c.JupyterHub.spawner_class = spawner
    settings = c[spawner.__name__]
    settings.instance = instance
    settings.cohorts = members
    settings.prefix = f"{instance}-lab"
    settings.network_name = f"{instance}-learners"
    settings.use_internal_ip = True
    if not spawner.swarm:  # a Swarm service is always removed with its server
        settings.remove = True
    settings.pull_policy = "never"
    settings.allowed_images = []
    settings.env_keep = []
    settings.disable_user_config = True
    settings.server_token_scopes = SERVER_TOKEN_SCOPES
    settings.http_timeout = 60
    settings.start_timeout = 120

    if not applied:
        problems.append("no cohort is applied yet: IT runs `sandlab hub apply COHORT.yaml`")
    if problems:
        c.JupyterHub.template_vars = {"announcement_login": " ".join(problems)}
        for problem in problems:
            print(f"sandlab: {problem}", file=sys.stderr)
