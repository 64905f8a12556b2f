"""A trainer's server is an authoring workspace: the labs' sources in a library of their own, the
cohort's answers, and `sandlab labs validate` in the terminal, offline, with no argument but the lab.
What learners must never reach of it is attacked in test_isolation (run on Swarm too)."""

from __future__ import annotations

from tests.platform.browser import login, server_page

LAB = "l01-what-ai-is"
REPORT = """
import json, pathlib
report = json.loads((pathlib.Path.home() / 'validation.json').read_text())
print(json.dumps({'passed': [r['passed'] for r in report],
                  'problems': [p for r in report for p in r['problems'] + [x for lang in r['languages']
                                                                          for x in lang['problems']]]}))
"""


def validate_in_the_terminal(trainer) -> dict:
    """`sandlab labs validate` typed in a JupyterLab terminal, as the trainer does; its exit status and report."""
    status, shown = trainer.in_terminal(f"sandlab labs validate {LAB} --json > ~/validation.json", timeout=900)
    assert "not found" not in shown, shown
    return {"rc": status, **trainer.run(REPORT)}


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


def test_a_trainer_finds_the_sources_and_answers_and_validates_in_the_terminal(platform):
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

    validated = validate_in_the_terminal(tom)
    assert validated["rc"] == 0 and validated["passed"] == [True], validated

    status, shown = tom.in_terminal("sandlab labs new l90-my-own-lab --persona support --level 3")
    assert status == 0, shown
    made = tom.run("import json, pathlib; print(json.dumps(sorted(p.name for p in (pathlib.Path.home() / 'labs' / "
                   "'l90-my-own-lab').iterdir())))")
    assert {"lab.yaml", "l90-my-own-lab.fr.ipynb", "l90-my-own-lab.en.ipynb"} <= set(made), made
    status, shown = tom.in_terminal("sandlab hub up")
    assert status == 2 and "sandlab labs" in shown, shown  # IT's commands are not in the workspace


def test_a_broken_lab_fails_validation_with_the_validators_words_and_stays_the_trainers(platform):
    tom = platform.login("tom")
    assert tom.run(BREAK_A_TEST) == "broken"
    validated = validate_in_the_terminal(tom)
    assert validated["rc"] == 1 and validated["passed"] == [False], validated
    assert any("test_rule" in problem and "always passes" in problem for problem in validated["problems"]), validated
    tom.stop_server()
    tom.start_server()  # a new start adds catalogue labs, never overwrites the trainer's own
    kept = tom.run(f"""
import json, pathlib
text = (pathlib.Path.home() / 'labs' / '{LAB}' / '{LAB}.fr.ipynb').read_text()
print(json.dumps('a test that always passes' in text))
""")
    assert kept is True


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
    finally:
        page.close()
