"""A trainer's server is an authoring workspace: the labs' sources in a library of their own, the
cohort's answers, and `sandlab labs validate` in the terminal, offline, with no argument but the lab;
`sandlab labs publish` puts a lab in the platform's library once it validated in a sandbox, and
`sandlab labs release` gives that version to the trainer's cohort. What learners must never reach
of it is attacked here (the library) and in test_isolation (run on Swarm too)."""

from __future__ import annotations

import json
import re

import docker
from typer.testing import CliRunner

from sandlab.cli import app
from sandlab.hub.platform import run_on_state
from sandlab.hub.services import LIBRARY
from sandlab.labs.catalogue import load_catalogue
from sandlab.labs.library_host import library_labs
from tests.platform.browser import login, server_page
from tests.platform.test_course_loop import action
from tests.platform.test_kpis import DOCS

LAB = "l01-what-ai-is"
REPORT = """
import json, pathlib
report = json.loads((pathlib.Path.home() / 'validation.json').read_text())
print(json.dumps({'passed': [r['passed'] for r in report],
                  'problems': [p for r in report for p in r['problems'] + [x for lang in r['languages']
                                                                          for x in lang['problems']]]}))
"""


def validate_in_the_terminal(trainer) -> dict:
    """`sandlab labs validate` typed in a JupyterLab terminal, as the trainer does (French only, as a
    trainer checks the language they changed: the platform validates every language at publication)."""
    status, shown = trainer.in_terminal(f"sandlab labs validate {LAB} --language fr --json > ~/validation.json",
                                        timeout=900)
    assert "not found" not in shown, shown
    return {"rc": status, **trainer.run(REPORT)}


MARKER = "Version 2 du lab, revue par le formateur"
CHANGE_A_TASK = f"""
import json, pathlib
path = pathlib.Path.home() / 'labs' / '{LAB}' / '{LAB}.fr.ipynb'
notebook = json.loads(path.read_text())
cell = next(c for c in notebook['cells'] if c['cell_type'] == 'markdown')
cell['source'] = ['{MARKER}\\n\\n'] + (cell['source'] if isinstance(cell['source'], list) else [cell['source']])
path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False))
print(json.dumps('changed'))
"""
BREAK_A_TEST = f"""
import json, pathlib
path = pathlib.Path.home() / 'labs' / '{LAB}' / '{LAB}.fr.ipynb'
notebook = json.loads(path.read_text())
for cell in notebook['cells']:
    if cell.get('metadata', {{}}).get('nbgrader', {{}}).get('grade_id') == 'test_rule':
        cell['source'] = ['assert True  # a test that always passes\\n']
path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False))
print(json.dumps('broken'))
"""
CURRENT_RELEASE = """
import json
from pathlib import Path
from sandlab.grading.exchange.store import ExchangeStore
release = ExchangeStore(Path('/srv/sandlab/state/exchange')).current_release('{cohort}', '{lab}', '{language}')
print(json.dumps(release.version if release else None))
"""


def current_release(platform, cohort: str, language: str) -> str | None:
    done = run_on_state(platform.instance, "python", "-c", CURRENT_RELEASE.format(cohort=cohort, lab=LAB,
                                                                                  language=language))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_trainer_finds_the_sources_and_answers_and_validates_a_change_in_the_terminal(platform):
    tom = platform.login("tom")
    found = tom.run("""
import json, os, pathlib
home = pathlib.Path.home()
labs = sorted(p.name for p in (home / 'labs').iterdir() if (p / 'lab.yaml').is_file())
lab = home / 'labs' / 'l01-what-ai-is'
print(json.dumps({'labs': labs, 'sources': sorted(p.name for p in lab.iterdir()),
                  'solution': 'BEGIN SOLUTION' in (lab / 'l01-what-ai-is.fr.ipynb').read_text(),
                  'answers': sorted(os.listdir(home / 'answers')),
                  'validator_sees': sorted(os.listdir(home / '.sandlab/pack/answers'))}))
""")
    assert len(found["labs"]) >= 16 and LAB in found["labs"]
    assert {f"{LAB}.fr.ipynb", f"{LAB}.en.ipynb", "lab.yaml", "wrong"} <= set(found["sources"])
    assert found["solution"]
    shipped = sorted(path.name for path in (platform.cohorts["alpha"].pack / "answers").iterdir())
    assert found["answers"] == shipped == found["validator_sees"]

    assert tom.run(CHANGE_A_TASK) == "changed"
    validated = validate_in_the_terminal(tom)
    assert validated["rc"] == 0 and validated["passed"] == [True], validated

    status, shown = tom.in_terminal("sandlab labs new l90-my-own-lab --persona support --level 3")
    assert status == 0, shown
    made = tom.run("import json, pathlib; print(json.dumps(sorted(p.name for p in (pathlib.Path.home() / 'labs' / "
                   "'l90-my-own-lab').iterdir())))")
    assert {"lab.yaml", "l90-my-own-lab.fr.ipynb", "l90-my-own-lab.en.ipynb"} <= set(made), made
    status, shown = tom.in_terminal("sandlab labs list --persona support --json | grep -c '\"l90-my-own-lab\"'")
    assert status == 0, shown  # the list is their library's, their own labs included
    status, shown = tom.in_terminal("sandlab hub up")
    assert status == 2 and "sandlab labs" in shown, shown  # IT's commands are not in the workspace


def test_a_trainer_publishes_the_change_and_releases_it_to_their_cohort_only(platform):
    omega = CliRunner().invoke(app, ["grading", "release", str(platform.cohort_file("omega")), "--instance",
                                     platform.instance.name, "--json"])  # IT's catalogue version, before
    assert omega.exit_code == 0, omega.output
    omega_before = current_release(platform, "omega", "en")
    tom = platform.login("tom")
    status, shown = tom.in_terminal(f"sandlab labs publish {LAB} --json > ~/published.json", timeout=1200)
    assert status == 0, shown
    published = tom.run("import pathlib; print((pathlib.Path.home() / 'published.json').read_text().replace("
                        "'\\n', ' '))")
    assert published["lab"] == LAB and published["author"] == "tom" and published["languages"] == ["en", "fr"]
    assert published["report"]["passed"] and len(published["report"]["languages"]) == 2

    status, shown = tom.in_terminal(f"sandlab labs release {LAB} --cohort omega")
    assert status == 2 and "not a trainer of cohort omega" in shown, shown  # only their own cohorts
    status, shown = tom.in_terminal(f"sandlab labs release {LAB} --version {published['version']}")  # theirs: alpha
    assert status == 0 and f"version {published['version']} released to cohort alpha" in shown, shown
    assert current_release(platform, "omega", "en") == omega_before  # the other cohort keeps its version

    ana = platform.login("ana")
    ana.start_server()
    action(ana, "fetch", "alpha", LAB)
    fetched = ana.run(f"""
import json, pathlib
folder = pathlib.Path.home() / 'labs' / '{LAB}'
texts = [p.read_text() for p in folder.glob('{LAB}.fr*.ipynb')]
print(json.dumps({{'marker': any({MARKER!r} in text for text in texts),
                  'solution': any('BEGIN SOLUTION' in text for text in texts if {MARKER!r} in text),
                  'version': json.loads((folder / '.sandlab-release.json').read_text())['version']}}))
""")
    assert fetched == {"marker": True, "solution": False, "version": current_release(platform, "alpha", "fr")}

    status, shown = tom.in_terminal(f"sandlab labs feedback {LAB} > /dev/null")  # next to the source
    assert status == 0, shown
    waves = tom.run(f"import json, pathlib; print(json.dumps((pathlib.Path.home() / 'labs' / '{LAB}' / "
                    "'feedback.md').read_text()))")
    assert f"alpha (version {published['version']}, " in waves and "omega" not in waves, waves  # his cohorts only

    listed = CliRunner().invoke(app, ["library", "list", "--instance", platform.instance.name, "--json"])
    assert listed.exit_code == 0, listed.output
    assert [(v["lab"], v["author"]) for v in json.loads(listed.output)] == [(LAB, "tom")]
    kept = CliRunner().invoke(app, ["library", "remove", LAB, str(published["version"]), "--instance",
                                    platform.instance.name])
    assert kept.exit_code == 2 and "alpha" in kept.output, kept.output  # IT removes no version a cohort was given
    again = CliRunner().invoke(app, ["library", "release", "alpha", LAB, "--version", str(published["version"]),
                                     "--instance", platform.instance.name])  # IT moves a cohort, as its trainers can
    assert again.exit_code == 0 and f"cohort alpha has {LAB} version {published['version']}" in again.output, \
        again.output
    assert current_release(platform, "alpha", "fr") == fetched["version"]  # the same files: nothing new to fetch
    without = [lab for lab in load_catalogue() if lab.id != LAB]  # as if it were a trainer's own lab
    named = [lab.id for lab in library_labs(docker.from_env(), platform.instance, platform.cohorts["omega"], without)]
    assert named == [LAB]  # a cohort file may name it beside the catalogue: its latest version's lab.yaml


def test_a_broken_lab_is_refused_at_publication_with_the_validators_words_and_stays_the_trainers(platform):
    tom = platform.login("tom")
    assert tom.run(BREAK_A_TEST) == "broken"
    status, shown = tom.in_terminal(f"sandlab labs publish {LAB}", timeout=1200)
    assert status == 1 and "test_rule" in shown and "always passes" in shown, shown
    status, shown = tom.in_terminal(f"sandlab labs versions {LAB} --json > ~/versions.json")
    assert status == 0, shown
    listed = tom.run("import pathlib; print((pathlib.Path.home() / 'versions.json').read_text().replace('\\n', ' '))")
    assert len(listed[0]["versions"]) == 1  # nothing was added
    tom.stop_server()
    tom.start_server()  # a new start adds catalogue labs, never overwrites the trainer's own
    kept = tom.run(f"""
import json, pathlib
text = (pathlib.Path.home() / 'labs' / '{LAB}' / '{LAB}.fr.ipynb').read_text()
print(json.dumps('a test that always passes' in text))
""")
    assert kept is True


def test_a_learner_cannot_reach_the_library(platform):
    ana = platform.login("ana")
    tried = ana.run(f"""
import json, os, urllib.request, urllib.error
request = urllib.request.Request({LIBRARY.url(platform.instance.name)!r} + 'api/labs',
                                 headers={{'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN']}})
try:
    status = urllib.request.urlopen(request, timeout=10).status
except urllib.error.HTTPError as error:
    status = error.code
print(json.dumps({{'status': status, 'told': 'SANDLAB_LIBRARY_URL' in os.environ}}))
""")
    assert tried == {"status": 403, "told": False}


def test_a_trainer_opens_a_lab_source_in_jupyterlab(platform, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        login(page, platform, "tom")
        page.goto(server_page(platform, "tom", f"lab/tree/labs/{LAB}/{LAB}.fr.ipynb"))
        notebook = page.locator(".jp-NotebookPanel:visible")
        notebook.locator(".jp-Cell").first.wait_for(timeout=120_000)
        page.wait_for_function("document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')"
                               ".textContent.includes('BEGIN SOLUTION')", timeout=60_000)  # the source, not a copy
        page.locator(".jp-BreadCrumbs", has_text=LAB).wait_for(timeout=60_000)
        page.screenshot(path=str(platform.cohorts["alpha"].pack.parent / "trainer-workspace.png"))

        page.goto(server_page(platform, "tom", "lab/tree/publish.ipynb"))  # the same library, with buttons
        cell = page.locator(".jp-NotebookPanel:visible .jp-Cell .cm-content", has_text="desk()")
        cell.wait_for(timeout=120_000)
        page.get_by_text(re.compile(r"\| (Inactif|Idle)$")).wait_for(timeout=120_000)  # a run before is dropped
        cell.click()
        page.keyboard.press("Shift+Enter")
        shown = page.locator(".widget-vbox", has_text="Publier mes labs").first
        shown.wait_for(timeout=120_000)
        shown.locator("select").select_option(LAB)
        shown.locator("button", has_text="Retours des vagues").click()
        shown.get_by_text(f"Écrit dans labs/{LAB}/feedback.md").wait_for(timeout=60_000)
        page.screenshot(path=str(DOCS / "publish-desk.png"))
    finally:
        page.close()
