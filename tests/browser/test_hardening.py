"""What only a browser shows of the hardening (tests/test_hardening.py has
the rest): the history pages under the Content-Security-Policy, the
Permissions-Policy as Chromium reads it, and autosave with an invisible NUL
character in the box."""

import pytest
from playwright.sync_api import expect

from assessments.models import Submission
from sessions.models import Session
from tests.browser.helpers import log_in
from tests.helpers import edit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def console_problems(page) -> list[str]:
    """What Chromium complains about: anything the CSP blocks, and any
    Permissions-Policy feature it does not know."""
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if "Content Security Policy" in message.text or "Permissions-Policy" in message.text
            else None
        ),
    )
    return problems


def test_history_and_revert_pages_break_no_browser_policy(page, live_server, coordinator, course):
    session = edit(Session.objects.get(number=2), title="A changed title")
    record = session.history.order_by("history_id").first()
    problems = console_problems(page)
    log_in(page, live_server, username="cora", next_url="/admin/")
    history = f"/admin/course_sessions/session/{session.pk}/history/"
    for url in [history, f"{history}{record.history_id}/"]:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
    expect(page.get_by_role("button", name="Revert")).to_be_visible()
    page.goto(live_server.url + history)
    expect(page.locator("#change-history")).to_be_visible()
    assert problems == []


def test_autosave_leaves_out_an_invisible_nul_character(page, live_server, alice, cohort):
    problems = console_problems(page)
    log_in(page, live_server, next_url="/assignments/1/")
    page.locator("#essay-text").evaluate(
        "box => { box.value = 'Pasted\\u0000 from a program.';"
        " box.dispatchEvent(new Event('input')); }"
    )
    expect(page.locator("#status-essay")).to_contain_text("Saved at")
    assert Submission.objects.get(learner=alice).text == "Pasted from a program."
    assert problems == []
