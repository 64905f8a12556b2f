"""A learner in a real browser (Debian's chromium): log in, the welcome notebook, the Assignments tab."""

from __future__ import annotations

from tests.platform.browser import login, server_page


def test_learner_logs_in_to_a_french_interface_and_a_welcome_with_their_path(platform, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        login(page, platform, "ben")  # a support learner of a French cohort, whose plan is l04
        page.goto(server_page(platform, "ben", "lab/tree/Welcome.ipynb"))
        heading = page.locator(".jp-Notebook .jp-RenderedMarkdown h1", has_text="Bienvenue dans votre bac à sable")
        heading.wait_for(timeout=120_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Fichier").wait_for(timeout=60_000)  # JupyterLab in French
        path = page.locator(".jp-Notebook .jp-RenderedMarkdown", has_text="Votre parcours").first
        row = path.locator("tr", has_text="l04-personal-data-gdpr")
        row.wait_for(timeout=30_000)
        assert "Niveau" in path.inner_text() and "min" in row.inner_text()
        assert "l01-what-ai-is" not in path.inner_text()  # only his own plan
        page.screenshot(path=str(platform.cohorts["alpha"].pack.parent / "welcome.png"))
    finally:
        page.close()


def open_assignments(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
    page.wait_for_selector("#released_assignments_list", timeout=60_000)


def grading_cli(platform, command: str, cohort: str) -> None:
    from typer.testing import CliRunner

    from sandlab.cli import app

    result = CliRunner().invoke(app, ["grading", command, str(platform.cohort_file(cohort)), "--instance",
                                      platform.instance.name])
    assert result.exit_code == 0, result.output


def test_a_learner_fetches_works_submits_and_reads_feedback_in_the_assignments_tab(platform, browser, tmp_path):
    grading_cli(platform, "release", "beta")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        login(page, platform, "zoe")
        page.wait_for_timeout(3000)  # JupyterLab would ask about Jupyter news about now: it must not
        assert not page.get_by_text("Jupyter news").count()
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        shown = [text for text in page.locator(".lm-Menu-content .lm-Menu-itemLabel").all_inner_texts() if text.strip()]
        assert shown == ["Assignment List"], shown
        page.keyboard.press("Escape")  # learner tools only: no formgrader, no Create Assignment, no course list
        open_assignments(page)
        released = page.locator("#released_assignments_list .list_item", has_text="l01-what-ai-is")
        released.locator("button", has_text="Fetch").click()
        fetched = page.locator("#fetched_assignments_list .list_item", has_text="l01-what-ai-is").first
        fetched.wait_for(timeout=60_000)
        page.screenshot(path=str(tmp_path / "assignments.png"))
        page.goto(server_page(platform, "zoe", "lab/tree/labs/l01-what-ai-is/l01-what-ai-is.fr.ipynb"))
        answer = page.locator(".jp-Notebook .jp-Cell .cm-content", has_text="= None").first  # an answer cell
        answer.wait_for(timeout=120_000)
        answer.click()
        page.keyboard.press("Control+a")
        page.keyboard.type("reponse = 'B'  # my answer")
        page.keyboard.press("Control+s")
        page.wait_for_timeout(1500)
        open_assignments(page)
        fetched = page.locator("#fetched_assignments_list .list_item", has_text="l01-what-ai-is").first
        fetched.locator("button", has_text="Submit").click()
        page.locator("#submitted_assignments_list .list_item", has_text="l01-what-ai-is").first.wait_for(
            timeout=60_000)
        for command in ("collect", "autograde", "feedback"):
            grading_cli(platform, command, "beta")
        page.reload()
        page.wait_for_selector(".jp-LabShell", timeout=120_000)
        open_assignments(page)
        submitted = page.locator("#submitted_assignments_list .list_item", has_text="l01-what-ai-is").first
        submitted.locator("button", has_text="Fetch Feedback").click()
        submitted.locator("a", has_text="view feedback").first.wait_for(timeout=60_000)
        saved = platform.login("zoe").server("GET", "api/contents/labs/l01-what-ai-is/feedback").json()
        folder = saved["content"][0]["path"]
        [html] = platform.login("zoe").server("GET", f"api/contents/{folder}").json()["content"]
        page.goto(server_page(platform, "zoe", f"files/{html['path']}"))
        page.get_by_text("Score").first.wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "feedback.png"))
    finally:
        page.close()
