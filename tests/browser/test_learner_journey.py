"""A learner's journey in a real Chromium, and axe on every learner page."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.helpers import DESKTOP, PHONE, log_in, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def test_learner_reads_session_three_and_marks_it_complete(page, live_server, alice, cohort):
    log_in(page, live_server)
    progress = page.locator("#course-progress")
    expect(progress).to_have_attribute("value", "0")
    page.get_by_role("link", name="Session 3 Personal Recovery").click()
    page.wait_for_url(f"{live_server.url}/sessions/3/")
    expect(page.get_by_role("heading", name="Content note")).to_be_visible()

    page.locator(".lesson-list").get_by_role("link", name="A personal story of recovery").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A personal story of recovery")
    expect(page.get_by_text("When I was 26 years old")).to_be_visible()
    expect(page.get_by_text("Why are personal stories so powerful?", exact=True)).to_be_visible()
    page.get_by_role("link", name="Previous Session 3: Personal Recovery").click()

    page.get_by_role("button", name="Mark session 3 as complete").click()
    expect(page.get_by_text("Session 3 is marked as complete")).to_be_visible()
    page.wait_for_url(f"{live_server.url}/sessions/4/")  # on to the next session
    page.get_by_role("link", name="My course").first.click()
    expect(progress).to_have_attribute("value", "1")
    expect(page.get_by_text("You have completed 1 of 11 sessions (9%).")).to_be_visible()
    screenshot(page, "dashboard-after-session-3")


def test_an_anonymous_visitor_logs_in_and_lands_where_they_were_going(
    page, live_server, alice, course
):
    page.goto(f"{live_server.url}/sessions/3/a-personal-story-of-recovery/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(f"{live_server.url}/sessions/3/a-personal-story-of-recovery/")


def test_keyboard_alone_reaches_a_lesson_and_completes_a_session(page, live_server, alice, cohort):
    log_in(page, live_server)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    # Tab through the main content until the session 3 link has focus.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == "/sessions/3/":
            break
    else:
        pytest.fail("The session 3 link could not be reached with the Tab key")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/sessions/3/")
    page.get_by_role("button", name="Mark session 3 as complete").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Session 3 is marked as complete")).to_be_visible()


LEARNER_PAGES = [
    "/",
    "/sessions/1/",
    "/sessions/3/",
    "/sessions/10/",
    "/sessions/3/a-personal-story-of-recovery/",
    "/resources/",
    "/accounts/password_change/",
    "/sessions/99/",
    "/journal/",
    "/journal/{answer}/delete/",
    "/assignments/1/",
    "/assignments/2/",
    "/account/",
    "/accounts/password_change/done/",
]
ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/accounts/reset/MQ/expired-link/",
    "/accounts/reset/done/",
    "/resources/",
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["320px", "1280px"])
def test_learner_pages_pass_axe_and_fit_a_phone(page, live_server, alice, cohort, viewport):
    from reflections.models import Reflection, ReflectionPrompt

    answer = Reflection.objects.create(
        learner=alice,
        prompt=ReflectionPrompt.objects.filter(lesson__isnull=False).first(),
        text="A *private* answer, with a [link](https://example.org).",
        shared_with_tutor=True,
    )
    axe = Axe()
    page.set_viewport_size(viewport)
    # Anything the Content-Security-Policy blocks shows in the console.
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    failures = {}
    for path in ANONYMOUS_PAGES:
        failures.update(audit(page, axe, live_server.url + path, viewport))
    log_in(page, live_server)
    for path in LEARNER_PAGES:
        failures.update(audit(page, axe, live_server.url + path.format(answer=answer.pk), viewport))
    assert failures == {}
    assert blocked == []


def audit(page, axe, url, viewport):
    page.goto(url)
    problems = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in axe.run(page, options=AXE_OPTIONS).response["violations"]
    ]
    # Nothing may scroll sideways: at 320px that is the usual failure.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"page is {overflow}px wider than the {viewport['width']}px screen")
    if viewport == PHONE:
        screenshot(page, "phone" + url.split("://", 1)[1].split("/", 1)[1].replace("/", "_"))
    return {url: problems} if problems else {}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["320px", "1280px"])
def test_waiting_and_not_enrolled_pages_pass_axe(
    page, live_server, alice, charlie, course, viewport
):
    from django.utils import timezone

    from tests.helpers import make_cohort

    make_cohort(course, "Later", start=timezone.localdate(), learners=[alice])
    axe = Axe()
    page.set_viewport_size(viewport)
    log_in(page, live_server)
    failures = {}
    for path in ["/", "/sessions/5/", "/sessions/5/a-personal-story-of-recovery/"]:
        failures.update(audit(page, axe, live_server.url + path, viewport))
    page.context.clear_cookies()
    log_in(page, live_server, username="charlie")
    failures.update(audit(page, axe, live_server.url + "/", viewport))
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not in a course group yet")
    assert failures == {}
