"""A learner logs in, gets a server, reads the pack and keeps their work."""

from __future__ import annotations

import httpx
import pytest
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.labs.reference import EMPLOYEES
from tests.platform.client import LoginFailed


def test_wrong_password_and_unknown_user_are_refused_and_nobody_signs_up(platform):
    assert httpx.get(f"{platform.hub.url}/hub/signup", timeout=10).status_code == 404
    with pytest.raises(LoginFailed):
        platform.hub.login("ana", platform.passwords["ana"] + "x")
    with pytest.raises(LoginFailed):
        platform.hub.login("mallory", platform.passwords["ana"])


def test_learner_reads_the_pack_and_writes_work(platform):
    ana = platform.login("ana")
    ana.start_server()
    kernel = ana.kernel()
    try:
        run = kernel.execute(
            "import json, os, pandas as pd\n"
            "from pathlib import Path\n"
            "data = Path(os.environ['SANDLAB_DATA'])\n"
            "employees = pd.read_parquet(data / 'tables' / 'employees.parquet')\n"
            "(Path.home() / 'work' / 'headcount.txt').write_text(str(len(employees)))\n"
            "print(json.dumps({'rows': len(employees), 'answers': (data / 'answers').exists(),\n"
            "                  'home': str(Path.home()), 'cohort': os.environ['SANDLAB_COHORT'],\n"
            "                  'persona': os.environ['SANDLAB_PERSONA']}))")
    finally:
        kernel.close()
    assert run.error is None, run.error
    found = run.json()
    assert found == {"rows": EMPLOYEES, "answers": False, "home": "/home/learner", "cohort": "alpha",
                     "persona": "business"}
    saved = ana.server("GET", "api/contents/work/headcount.txt", params={"content": "1"})
    assert saved.status_code == 200 and saved.json()["content"] == str(EMPLOYEES)


def test_welcome_notebook_is_in_the_home(platform):
    ana = platform.login("ana")
    ana.start_server()
    listing = ana.server("GET", "api/contents/").json()
    assert {"Welcome.ipynb", "work", "data"} <= {item["name"] for item in listing["content"]}


def test_status_lists_the_hub_and_the_learner_servers(platform):
    platform.login("ana").start_server()
    shown = CliRunner().invoke(app, ["hub", "status", "--instance", platform.instance.name])
    assert shown.exit_code == 0, shown.output
    assert f"{platform.instance.name}-hub" in shown.output and f"{platform.instance.name}-lab-ana" in shown.output
