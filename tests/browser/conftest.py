"""Playwright driving Debian's Chromium against pytest-django's live server.

`make test` installs Debian's chromium when it is missing; a missing browser
fails these tests rather than skipping them.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, DESKTOP

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
