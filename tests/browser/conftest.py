"""Playwright driving Debian's Chromium against pytest-django's live server.

`make test` installs Debian's chromium when it is missing; a missing browser
fails these tests rather than skipping them.
"""

import os
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import sync_playwright

from tests.conftest import PASSWORD, current_code

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach
# Google's services, which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Browser tests need the live server to see committed data, so they run in
# transactional tests, which empty the database after each test: the
# fixtures in tests/conftest.py put back what they need (the course, roles).
# Playwright's sync API runs an event loop in this thread; the live server's
# database work happens in Django's own thread, but fixtures here touch the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make test`, which installs it."
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page, live_server, username="alice", password=PASSWORD, next_url="/"):
    """Log in through the form; staff then type their authenticator's code."""
    page.goto(f"{live_server.url}/accounts/login/?next={quote(next_url)}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    user = get_user_model().objects.get(username=username)
    if user.is_staff:
        page.wait_for_url("**/accounts/two-step/**")
        page.get_by_label("Code").fill(current_code(user))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}{next_url}")


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
