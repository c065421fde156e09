"""The whole learner journey with the keyboard alone, focus always visible;
and the idle-logout warning."""

import pytest
from playwright.sync_api import expect

from assessments.models import Submission
from reflections.models import Reflection
from tests.browser.helpers import PASSWORD
from tests.essays import essay_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_IS_VISIBLE = """() => {
  const style = getComputedStyle(document.activeElement);
  return style.outlineStyle !== "none" || style.boxShadow !== "none";
}"""


def tab_to(page, describe, matches, limit=120):
    """Press Tab until ``matches`` (a JS predicate on the focused element) holds,
    checking at every stop that focus can be seen."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            continue
        focused = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
        assert page.evaluate(FOCUS_IS_VISIBLE), f"focus not visible on {focused}"
        if page.evaluate(f"(el => {matches})(document.activeElement)"):
            return
    pytest.fail(f"Could not reach {describe} with the Tab key")


def test_login_lesson_reflection_and_essay_with_the_keyboard_alone(
    page, live_server, alice, cohort
):
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, "the username box", "el.name === 'username'")
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")

    tab_to(page, "session 3", "el.getAttribute('href') === '/sessions/3/'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/sessions/3/")
    tab_to(
        page,
        "the lesson",
        "el.getAttribute('href') === '/sessions/3/a-personal-story-of-recovery/'",
    )
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/sessions/3/a-personal-story-of-recovery/")

    tab_to(page, "the first answer box", "el.tagName === 'TEXTAREA'")
    page.keyboard.type("Typed with the keyboard alone.")
    page.keyboard.press("Tab")  # leaving the box saves it
    expect(page.locator(".autosave-status").first).to_contain_text("Saved at")
    assert Reflection.objects.get(learner=alice).text == "Typed with the keyboard alone."

    # On round the page (Tab wraps) to the header's "My course", then to assignment 1.
    tab_to(page, "My course", "el.getAttribute('href') === '/' && !!el.closest('.site-nav')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    tab_to(page, "assignment 1", "el.getAttribute('href') === '/assignments/1/'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/assignments/1/")
    tab_to(page, "the essay box", "el.id === 'essay-text'")
    page.keyboard.insert_text(essay_of(1600))
    tab_to(page, "the declaration", "el.id === 'declaration'")
    page.keyboard.press("Space")
    tab_to(page, "the submit button", "el.textContent.trim() === 'Submit my essay'")
    page.keyboard.press("Enter")
    expect(page.locator("#assignment-state")).to_have_text("Submitted, waiting for feedback")
    assert Submission.objects.get(learner=alice).word_count == 1600


def test_a_warning_comes_before_the_idle_logout_and_staying_works(
    page, live_server, alice, cohort, settings
):
    from tests.browser.helpers import log_in

    settings.SESSION_COOKIE_AGE = 5 * 60 + 2  # the warning is due after 2 seconds
    log_in(page, live_server, next_url="/sessions/3/a-personal-story-of-recovery/")
    warning = page.locator("[data-idle-warning]")
    expect(warning).to_be_visible(timeout=8000)
    expect(warning).to_contain_text("You will be logged out in 5 minutes")
    expect(page.get_by_role("button", name="Stay logged in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(warning).to_be_hidden()


def test_reduced_motion_is_respected(page, live_server, alice, cohort):
    from tests.browser.helpers import log_in

    page.emulate_media(reduced_motion="reduce")
    log_in(page, live_server, next_url="/sessions/3/")
    button = page.get_by_role("button", name="Mark session 3 as complete")
    duration = button.evaluate("el => getComputedStyle(el).transitionDuration")
    assert all(float(part.rstrip("s")) <= 0.001 for part in duration.split(","))
