"""Helpers for the Chromium tests: the browser's settings, logging in
through the form, screenshots. The fixtures are in tests/browser/conftest.py."""

from pathlib import Path
from urllib.parse import quote

from django.contrib.auth import get_user_model

from tests.helpers import PASSWORD, current_code

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


def judge_criteria(page, outcome):
    """Judge every criterion on the marking page as ``outcome`` needs: all
    met for a Pass, the first one not yet met for a Refer."""
    fieldsets = page.locator("[data-criterion]")
    for index in range(fieldsets.count()):
        choice = "Not yet" if outcome == "refer" and index == 0 else "Met"
        fieldsets.nth(index).get_by_label(choice, exact=True).check()


def agree_on_every_criterion(page):
    """A moderator's Agree on each criterion's judgement."""
    fieldsets = page.locator("form:has([name=_moderate]) fieldset.criterion")
    for index in range(fieldsets.count()):
        agree = fieldsets.nth(index).get_by_label("Agree", exact=True)
        if agree.count():  # the last one decides on the outcome as a whole
            agree.check()
