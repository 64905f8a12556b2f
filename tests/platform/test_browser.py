"""A learner in a real browser (Debian's chromium): log in, JupyterLab loads, the welcome notebook opens."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Debian's chromium (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def test_learner_logs_in_and_opens_the_welcome_notebook(platform, browser):
    page = browser.new_page()
    try:
        page.goto(f"{platform.hub.url}/hub/login")
        page.fill("#username_input", "ben")
        page.fill("#password_input", platform.passwords["ben"])
        page.click("#login_submit")
        page.wait_for_url(f"http://ben.localhost:{platform.instance.port}/user/ben/lab*", timeout=120_000)
        page.wait_for_selector(".jp-LabShell", timeout=120_000)
        page.goto(f"http://ben.localhost:{platform.instance.port}/user/ben/lab/tree/Welcome.ipynb")
        heading = page.locator(".jp-Notebook .jp-RenderedMarkdown h1", has_text="Welcome to your Sandlab sandbox")
        heading.wait_for(timeout=120_000)
    finally:
        page.close()
