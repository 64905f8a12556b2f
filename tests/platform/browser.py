"""Debian's chromium driven by Playwright, as learners and trainers use the platform."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]


def login(page, platform, name: str) -> None:
    """Log in through the hub's form and wait for the user's JupyterLab."""
    page.goto(f"{platform.hub.url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", platform.passwords[name])
    page.click("#login_submit")
    page.wait_for_url(f"http://{name}.localhost:{platform.instance.port}/user/{name}/lab*", timeout=120_000)
    page.wait_for_selector(".jp-LabShell", timeout=120_000)


def server_page(platform, name: str, path: str) -> str:
    return f"http://{name}.localhost:{platform.instance.port}/user/{name}/{path}"
