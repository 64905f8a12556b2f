"""The assistant on the real platform: the hub runs the gateway and the local model; learners ask
from their kernels with their own token; a company endpoint (a stand-in of this test's own on the
hub's network, recording what it receives) gets masked prompts and the key only the hub holds.
Attacks: no token, a forged one, straight to the model or the endpoint, the key looked for in a
learner's container, 20 learners at once, the gateway killed."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from sandlab.images.names import HUB_IMAGE
from tests.platform.browser import login, server_page
from tests.platform.client import connection_probe
from tests.platform.conftest import COMPANY_KEY, CROWD, standin_name

STANDIN_PORT = 8080
MODEL_PORT = 10110
GATEWAY_PORT = 10103
# An OpenAI-compatible endpoint in a dozen lines, run by the hub image's Python: it appends each
# request (headers and body) to a file and answers a fixed sentence with its token counts.
STANDIN = """
import json, http.server
class Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
        with open('/tmp/received.jsonl', 'a') as kept:
            kept.write(json.dumps({'authorization': self.headers.get('Authorization'), 'body': body}) + '\\n')
        answer = json.dumps({'id': 'x', 'object': 'chat.completion', 'model': body['model'],
                             'choices': [{'index': 0, 'finish_reason': 'stop',
                                          'message': {'role': 'assistant', 'content': 'Voici le courriel.'}}],
                             'usage': {'prompt_tokens': 30, 'completion_tokens': 5}}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
http.server.ThreadingHTTPServer(('0.0.0.0', 8080), Recorder).serve_forever()
"""
PERSONAL = "Écris un courriel à Jean Dupont (jean.dupont@exemple.fr, 06 12 34 56 78) pour lui annoncer sa prime."


@pytest.fixture(scope="module")
def standin(platform):
    container = platform.engine.containers.run(
        HUB_IMAGE, ["python", "-c", STANDIN], detach=True,
        name=standin_name(platform.instance), network=f"{platform.instance.name}-hub",
        labels={"sandlab.instance": platform.instance.name})
    try:
        yield container
    finally:
        container.remove(force=True)


def received(container) -> list[dict]:
    found = container.exec_run(["cat", "/tmp/received.jsonl"])
    return [json.loads(line) for line in found.output.decode().splitlines()] if found.exit_code == 0 else []


def hub_exec(platform, code: str) -> str:
    done = platform.engine.containers.get(platform.instance.hub_container).exec_run(["python", "-c", code])
    assert done.exit_code == 0, done.output.decode()[-2000:]
    return done.output.decode()


def usage_rows(platform) -> list[dict]:
    """The gateway's usage log, read where it is kept: the hub's state."""
    return json.loads(hub_exec(platform, "import json; from pathlib import Path; "
                                         "from sandlab.assistant.usage import UsageLog, usage_database; "
                                         "print(json.dumps(UsageLog(usage_database(Path('/srv/sandlab/state'))).rows()))"))


def test_a_learner_asks_the_local_model_with_the_openai_client_and_the_helper(platform):
    ana = platform.login("ana")
    found = ana.run(
        "import json, os\n"
        "from openai import OpenAI\n"
        "from sandlab.assistant.ask import ask\n"
        "done = OpenAI().chat.completions.create(model=os.environ['SANDLAB_ASSISTANT_MODEL'], max_tokens=24,\n"
        "    temperature=0, messages=[{'role': 'user', 'content': 'What is the capital of France?'}])\n"
        "helper = ask('Donne un conseil pour écrire un bon courriel.', max_tokens=24)\n"
        "print(json.dumps({'openai': done.choices[0].message.content, 'model': os.environ['SANDLAB_ASSISTANT_MODEL'],\n"
        "    'helper': str(helper), 'kind': type(helper).__name__, 'shown': helper._repr_markdown_(),\n"
        "    'key_is_own_token': os.environ['OPENAI_API_KEY'] == os.environ['JUPYTERHUB_API_TOKEN']}))", timeout=240)
    assert found["openai"].strip() and found["model"] == "local" and found["key_is_own_token"]
    assert found["kind"] == "Answer" and found["helper"].strip(), found
    assert "petit modèle" in found["shown"]  # a French learner is told the model is small and often wrong
    mine = [row for row in usage_rows(platform) if row["user"] == "ana"]
    assert len(mine) >= 2 and {row["outcome"] for row in mine} == {"answered"}
    assert all(row["completion_tokens"] > 0 and row["prompt"] is None for row in mine)


def test_without_a_valid_token_the_gateway_refuses_and_nothing_outside_reaches_it(platform):
    ana = platform.login("ana")
    found = ana.run(
        "import json, os, httpx\n"
        "url = os.environ['SANDLAB_ASSISTANT_URL'] + '/chat/completions'\n"
        "body = {'model': 'local', 'messages': [{'role': 'user', 'content': 'hi'}], 'max_tokens': 4}\n"
        "tries = {'none': {}, 'forged': {'Authorization': 'Bearer ' + 'f' * 32},\n"
        "         'own': {'Authorization': 'Bearer ' + os.environ['JUPYTERHUB_API_TOKEN']}}\n"
        "print(json.dumps({name: httpx.post(url, json=body, headers=headers, timeout=120).status_code\n"
        "                  for name, headers in tries.items()}))", timeout=240)
    assert found == {"none": 401, "forged": 401, "own": 200}
    # No route on the hub's public proxy: the assistant is reached on the learners' networks only.
    public = httpx.post(f"{platform.hub.url}/services/assistant/v1/chat/completions", timeout=30,
                        headers={"Authorization": f"Bearer {ana.token}"}, json={"model": "local", "messages": []})
    assert public.status_code == 404 or "choices" not in public.text


def test_a_learner_reaches_neither_the_model_nor_the_company_endpoint(platform, standin):
    standin.reload()
    standin_ip = standin.attrs["NetworkSettings"]["Networks"][f"{platform.instance.name}-hub"]["IPAddress"]
    hub = platform.instance.hub_container
    targets = [(hub, GATEWAY_PORT), (hub, MODEL_PORT), (standin.name, STANDIN_PORT), (standin_ip, STANDIN_PORT)]
    found = platform.login("kai").run(connection_probe(targets))
    assert found.pop(f"{hub}:{GATEWAY_PORT}") == "connected"  # the control: the gateway is there
    assert "connected" not in found.values(), found


def test_the_company_endpoint_gets_masked_prompts_and_the_key_stays_in_the_hub(platform, standin):
    kai = platform.login("kai")
    found = kai.run(
        "import json\n"
        "from sandlab.assistant.ask import ask\n"
        f"answer = ask({PERSONAL!r})\n"
        "print(json.dumps({'kind': type(answer).__name__, 'text': str(answer), 'masked': answer.masked,\n"
        "                  'shown': answer._repr_markdown_()}))", timeout=240)
    assert found["kind"] == "Answer" and found["text"] == "Voici le courriel.", found
    assert found["masked"]["EMAIL_ADDRESS"] == 1 and found["masked"]["PERSON"] >= 1
    assert "Données personnelles masquées" in found["shown"]
    [sent] = received(standin)
    assert sent["authorization"] == f"Bearer {COMPANY_KEY}" and sent["body"]["model"] == "big-model"
    text = json.dumps(sent, ensure_ascii=False)
    assert not any(value in text for value in ("Dupont", "jean.dupont", "06 12 34 56 78")), text
    container = platform.container("kai")
    container.reload()
    assert COMPANY_KEY not in json.dumps(container.attrs["Config"]), "the key is in the container's settings"
    search = container.exec_run(["sh", "-c", f"grep -rls -- '{COMPANY_KEY}' /home /etc /tmp /proc/[0-9]*/environ "
                                             "/proc/[0-9]*/cmdline; ps -ef 2>/dev/null; env"], user="0")
    assert COMPANY_KEY not in search.output.decode(), "the key is readable in the learner's container"


def test_quotas_are_enforced_on_the_platform(platform, standin):
    found = platform.login("kai").run(
        "import json, os, httpx\n"
        "url = os.environ['SANDLAB_ASSISTANT_URL'] + '/chat/completions'\n"
        "headers = {'Authorization': 'Bearer ' + os.environ['OPENAI_API_KEY']}\n"
        "body = {'model': 'company', 'messages': [{'role': 'user', 'content': 'Bonjour'}]}\n"
        "answers = [httpx.post(url, json=body, headers=headers, timeout=60) for _ in range(5)]\n"
        "print(json.dumps([[a.status_code, a.headers.get('Retry-After'), a.json().get('error', {}).get('code')]\n"
        "                  for a in answers]))")
    assert found[-1][0] == 429 and found[-1][2] == "requests_per_minute" and int(found[-1][1]) >= 1, found
    assert all(status == 200 for status, _, _ in found[:2]), found  # 4 a minute, one used by the previous test


def test_twenty_learners_at_once_all_get_answers_and_a_killed_gateway_loses_no_record(platform):
    ida = platform.login("ida")
    tokens = {}
    for name in CROWD:
        made = ida.api.post(f"/users/{name}/tokens", json={"scopes": ["access:services!service=assistant"],
                                                            "expires_in": 1800, "note": "test crowd"})
        assert made.status_code == 201, made.text
        tokens[name] = made.json()["token"]
    found = platform.login("ana").run(
        "import json, os, time, httpx\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "url = os.environ['SANDLAB_ASSISTANT_URL'] + '/chat/completions'\n"
        f"tokens = {list(tokens.values())!r}\n"
        "def one(token):\n"
        "    began = time.monotonic()\n"
        "    answer = httpx.post(url, headers={'Authorization': 'Bearer ' + token}, timeout=280, json={\n"
        "        'model': 'local', 'max_tokens': 16, 'messages': [{'role': 'user', 'content': 'Name a colour.'}]})\n"
        "    return [answer.status_code, round(time.monotonic() - began, 1)]\n"
        "with ThreadPoolExecutor(len(tokens)) as pool:\n"
        "    print(json.dumps(list(pool.map(one, tokens))))", timeout=300)
    assert [status for status, _ in found] == [200] * len(CROWD), found
    print("latencies (s) of 20 learners at once:", sorted(seconds for _, seconds in found))
    before = [row for row in usage_rows(platform) if row["cohort"] == "crowd"]
    assert len(before) == len(CROWD) and {row["outcome"] for row in before} == {"answered"}
    counted = hub_exec(platform, "from pathlib import Path; from sandlab.kpis.compute import cohort_kpis; "
                                 "from sandlab.kpis.store import KpiStore, kpi_database; "
                                 "print(cohort_kpis(KpiStore(kpi_database(Path('/srv/sandlab/state'))), 'crowd')"
                                 "['engagement']['assistant_requests']['value'])")
    assert float(counted) == 1.0  # the KPIs: one request per learner of the cohort

    killed = hub_exec(platform, "import os, signal\n"
                                "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
                                "    try: line = open(f'/proc/{pid}/cmdline', 'rb').read()\n"
                                "    except OSError: continue\n"
                                "    if line.split(b'\\0')[1:3] == [b'-m', b'sandlab.assistant.service']:\n"
                                "        os.kill(int(pid), signal.SIGKILL); print(pid)")
    assert killed.strip(), "no gateway process found in the hub"
    token = tokens[CROWD[0]]
    ask_again = ("import httpx\n"
                 "try:\n"
                 f"    print(httpx.post('http://127.0.0.1:{GATEWAY_PORT}/v1/chat/completions', timeout=120,\n"
                 f"        headers={{'Authorization': 'Bearer {token}'}}, json={{'model': 'local', 'max_tokens': 4,\n"
                 "        'messages': [{'role': 'user', 'content': 'hi'}]}).status_code)\n"
                 "except httpx.HTTPError:\n"
                 "    print(0)")
    deadline, status = time.monotonic() + 120, None
    while time.monotonic() < deadline:  # the hub restarts its managed service (it polls every 30 s)
        status = int(hub_exec(platform, ask_again))
        if status == 200:
            break
        time.sleep(3)
    assert status == 200, "the gateway did not come back"
    after = [row for row in usage_rows(platform) if row["cohort"] == "crowd"]
    assert after[:len(before)] == before and len(after) == len(before) + 1  # nothing lost, the new one kept


def test_a_learner_chats_with_the_assistant_in_jupyterlab(platform, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        login(page, platform, "cy")  # a French business learner
        page.goto(server_page(platform, "cy", "lab/tree/Assistant.ipynb"))
        notebook = page.locator(".jp-NotebookPanel:visible")  # other tabs JupyterLab restores stay hidden
        notebook.locator(".jp-RenderedMarkdown h1", has_text="Assistant IA").wait_for(timeout=120_000)
        request = page.locator(".sandlab-chat textarea")
        for _ in range(3):  # run the chat's cell; a click may land before the notebook is ready for it
            notebook.locator(".jp-CodeCell .cm-content").first.click()
            page.keyboard.press("Shift+Enter")
            try:
                request.wait_for(timeout=60_000)
                break
            except PlaywrightTimeout:
                continue
        request.fill("Donne un conseil pour écrire un bon courriel.")
        page.locator(".sandlab-chat button", has_text="Envoyer").click()
        page.locator(".sandlab-chat", has_text="petit modèle").wait_for(timeout=240_000)  # shown once answered
        answer = page.locator(".sandlab-chat .sandlab-chat-answer").last.inner_text()
        assert answer.startswith("Assistant") and len(answer) > len("Assistant") + 2, answer
        assert "Vous" in page.locator(".sandlab-chat").inner_text()
        page.screenshot(path=str(platform.cohorts["alpha"].pack.parent / "assistant.png"))
    finally:
        page.close()
