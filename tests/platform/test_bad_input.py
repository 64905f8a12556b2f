"""Bad state reaches the hub anyway: it must say what is wrong, never crash-loop."""

from __future__ import annotations

import datetime
import json

import httpx
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.cohort import Cohort, Dates, Member
from sandlab.hub.platform import STATE_MOUNT, run_on_state, wait_ready
from sandlab.hub.state import AppliedCohort


def in_state(platform, *command: str, stdin: str = "") -> str:
    """Run a command of the hub image on the hub's state volume (as `sandlab hub apply` does)."""
    done = run_on_state(platform.instance, *command, stdin=stdin)
    assert done.returncode == 0, done.stderr
    return done.stdout


def restart_hub(platform) -> None:
    platform.engine.containers.get(platform.instance.hub_container).restart(timeout=10)
    wait_ready(platform.instance)


def test_a_missing_image_is_explained_on_the_spawn_page(platform):
    alpha = platform.cohorts["alpha"]
    gamma = Cohort(name="gamma", title="Image removed after apply", pack=alpha.pack, image="sandlab-lab:removed",
                   members=[Member(name="gus", persona="leaders")])
    applied = AppliedCohort(cohort=gamma, pack_volume="unused")
    passwords = in_state(platform, "python", "-m", "sandlab.hub.manage", "apply", stdin=applied.model_dump_json())
    restart_hub(platform)
    message = spawn_messages(platform.hub.login("gus", json.loads(passwords)["gus"]), "gus")
    assert "sandlab-lab:removed" in message and "sandlab images build" in message, message
    assert platform.engine.containers.get(platform.instance.hub_container).status == "running"
    assert platform.login("ana").api.get("/users/ana").status_code == 200


def test_an_unreadable_cohort_file_is_shown_at_login_and_the_hub_runs(platform):
    in_state(platform, "sh", "-c", f"echo '{{broken' > {STATE_MOUNT}/cohorts/zeta.json")
    try:
        restart_hub(platform)
        page = httpx.get(f"{platform.hub.url}/hub/login", timeout=10).text
        assert "zeta.json" in page and "sandlab hub apply" in page
        assert platform.login("ana").api.get("/users/ana").status_code == 200  # other cohorts still work
    finally:
        in_state(platform, "rm", "-f", f"{STATE_MOUNT}/cohorts/zeta.json")
        restart_hub(platform)


def write_cohort(folder, pack: str, image: str = "sandlab-lab:latest"):
    path = folder / "cohort.yaml"
    path.write_text(f"name: bad\ntitle: Bad input\npack: {pack}\nimage: {image}\n"
                    "members:\n  - {name: bea, persona: business}\n")
    return path


def test_apply_refuses_a_missing_pack_and_an_unknown_image_and_changes_nothing(platform, tmp_path):
    args = ["hub", "apply", "--instance", platform.instance.name, "--port", str(platform.instance.port)]
    missing = CliRunner().invoke(app, [*args, str(write_cohort(tmp_path, "no-such-pack"))])
    assert missing.exit_code == 2 and "not a dataset pack" in missing.output
    assert "sandlab data generate" in missing.output
    unknown = CliRunner().invoke(app, [*args, str(write_cohort(tmp_path, str(platform.cohorts["alpha"].pack),
                                                                "sandlab-lab:nope"))])
    assert unknown.exit_code == 2 and "sandlab-lab:nope" in unknown.output and "sandlab images build" in unknown.output
    listing = in_state(platform, "ls", f"{STATE_MOUNT}/cohorts")
    assert "bad.json" not in listing.split()


def test_hub_secrets_are_private(platform):
    modes = in_state(platform, "sh", "-c", f"cd {STATE_MOUNT} && stat -c '%n %a' jupyterhub_cookie_secret "
                                           "proxy_token accounts.json")
    assert dict(line.split() for line in modes.splitlines()) == {
        "jupyterhub_cookie_secret": "600", "proxy_token": "600", "accounts.json": "600"}


def test_outside_the_cohort_s_dates_a_learner_is_told_when_to_come_back(platform):
    alpha = platform.cohorts["alpha"]
    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3)
    session = soon.replace(hour=9, minute=0, second=0, microsecond=0)
    delta = Cohort(name="delta", title="Vague 2", pack=alpha.pack,
                   dates=Dates(opens=soon.date(), closes=soon.date() + datetime.timedelta(days=30), sessions=[session]),
                   members=[Member(name="dan", persona="business"), Member(name="dina", role="trainer")])
    epsilon = Cohort(name="epsilon", title="Pilot", pack=alpha.pack, language="en",
                     dates=Dates(closes=datetime.date.today() - datetime.timedelta(days=2)),
                     members=[Member(name="eli", persona="business")])
    passwords = {}
    for cohort in (delta, epsilon):
        applied = AppliedCohort(cohort=cohort, pack_volume="unused")
        passwords.update(json.loads(in_state(platform, "python", "-m", "sandlab.hub.manage", "apply",
                                             stdin=applied.model_dump_json())))
    restart_hub(platform)
    for name, expected in (("dan", ["ouvre le", f"{soon.day} ", "Prochaine séance", "09:00"]),
                           ("eli", ["closed on", "your work is kept"])):
        message = spawn_messages(platform.hub.login(name, passwords[name]), name)
        assert all(part in message for part in expected), message
        assert not platform.engine.containers.list(all=True, filters={"name": f"{platform.instance.name}-lab-{name}"})
    # trainers are not held by the dates: dina's start goes past the calendar (to the missing pack here)
    message = spawn_messages(platform.hub.login("dina", passwords["dina"]), "dina")
    assert "pack" in message and "ouvre" not in message, message


def spawn_messages(session, name: str) -> str:
    """What the spawn page shows: the start request's answer and its progress events, decoded."""
    answer = session.api.post(f"/users/{name}/server").text
    events = session.api.get(f"/users/{name}/server/progress", timeout=30).text
    return answer + " ".join(json.loads(line[len("data:"):]).get("message", "")
                             for line in events.splitlines() if line.startswith("data:"))
