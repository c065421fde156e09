"""Autosave in a real Chromium: as the learner types, across an expired
login, and without JavaScript."""

import pytest
from django.contrib.sessions.models import Session as DjangoSession
from playwright.sync_api import expect

from reflections.models import Reflection, ReflectionPrompt
from tests.browser.helpers import CHROMIUM, DESKTOP, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LESSON = "/sessions/3/a-personal-story-of-recovery/"


@pytest.fixture
def prompt(course):
    return ReflectionPrompt.objects.get(lesson__slug="a-personal-story-of-recovery", order=1)


def saved_text(learner, prompt):
    reflection = Reflection.objects.filter(learner=learner, prompt=prompt).first()
    return reflection.text if reflection else None


def test_an_answer_autosaves_as_the_learner_types(page, live_server, alice, cohort, prompt):
    log_in(page, live_server, next_url=LESSON)
    box = page.get_by_label("Your answer to: How did it feel to read this recovery story?")
    box.fill("It felt hopeful 🌱")
    status = page.locator(f"#status-{prompt.pk}")
    expect(status).to_contain_text("Saved at")
    expect(status).to_contain_text("private")
    assert saved_text(alice, prompt) == "It felt hopeful 🌱"

    page.get_by_label("Share with my tutor").first.check()
    expect(status).to_contain_text("shared with your tutor")
    assert Reflection.objects.get(learner=alice, prompt=prompt).shared_with_tutor

    box.fill("It felt hopeful, and a little sad.")
    box.blur()
    expect(status).to_contain_text("Saved at")
    page.reload()
    expect(box).to_have_value("It felt hopeful, and a little sad.")
    screenshot(page, "lesson-with-answer")


def test_an_expired_login_loses_nothing(page, live_server, alice, cohort, prompt):
    log_in(page, live_server, next_url=LESSON)
    box = page.get_by_label("Your answer to: How did it feel to read this recovery story?")
    box.fill("Saved before the login expired.")
    status = page.locator(f"#status-{prompt.pk}")
    expect(status).to_contain_text("Saved at")

    # The login expires on the server while the learner is still writing.
    DjangoSession.objects.all().delete()
    box.fill("Written after the login expired — keep me!")
    expect(status).to_contain_text("You have been logged out")
    assert saved_text(alice, prompt) == "Saved before the login expired."

    # The learner follows the message's link to log in again.
    login_link = status.get_by_role("link", name="log in again").get_attribute("href")
    assert login_link == f"/accounts/login/?next={LESSON.replace('/', '%2F')}"
    page.goto(live_server.url + login_link)
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}{LESSON}")

    expect(box).to_have_value("Written after the login expired — keep me!")
    expect(status).to_contain_text("Saved at")
    assert saved_text(alice, prompt) == "Written after the login expired — keep me!"
    # Saved, so the browser's copy is gone.
    keys = page.evaluate("Object.keys(window.localStorage)")
    assert keys == []


def test_a_lost_connection_keeps_the_text_and_saves_when_it_returns(
    page, live_server, alice, cohort, prompt
):
    log_in(page, live_server, next_url=LESSON)
    box = page.get_by_label("Your answer to: How did it feel to read this recovery story?")
    page.context.set_offline(True)
    box.fill("Typed on the train")
    status = page.locator(f"#status-{prompt.pk}")
    expect(status).to_contain_text("the connection failed")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_contain_text("Saved at")
    assert saved_text(alice, prompt) == "Typed on the train"


def test_a_refused_answer_says_why_and_stays_in_the_box(page, live_server, alice, cohort, prompt):
    log_in(page, live_server, next_url=LESSON)
    box = page.get_by_label("Your answer to: How did it feel to read this recovery story?")
    too_long = "word " * 20_001
    box.fill(too_long)
    status = page.locator(f"#status-{prompt.pk}")
    expect(status).to_contain_text("Not saved: Your answer is 100,005 characters long")
    expect(box).to_have_value(too_long)
    assert saved_text(alice, prompt) is None


def test_without_javascript_the_save_button_saves(browser, live_server, alice, cohort, prompt):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, next_url=LESSON)
        page.get_by_label("Your answer to: How did it feel to read this recovery story?").fill(
            "No JavaScript here"
        )
        page.locator(f"#prompt-{prompt.pk}").get_by_role("button", name="Save").click()
        expect(page.get_by_text("Your answer was saved at")).to_be_visible()
        assert saved_text(alice, prompt) == "No JavaScript here"
    finally:
        context.close()


def test_the_journal_prints_cleanly(page, live_server, alice, cohort, prompt):
    Reflection.objects.create(learner=alice, prompt=prompt, text="For the printer")
    log_in(page, live_server, next_url="/journal/")
    expect(page.get_by_role("button", name="Print my journal")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Print my journal")).to_be_hidden()
    expect(page.get_by_text("For the printer")).to_be_visible()
    assert CHROMIUM  # printed with Debian's Chromium
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_losing_every_cookie_says_so_too(page, live_server, alice, cohort, prompt):
    log_in(page, live_server, next_url=LESSON)
    page.context.clear_cookies()  # session and CSRF cookies both gone
    page.get_by_label("Your answer to: How did it feel to read this recovery story?").fill("Hi")
    expect(page.locator(f"#status-{prompt.pk}")).to_contain_text("You have been logged out")
    copy = page.evaluate("JSON.stringify(window.localStorage)")
    assert "Hi" in copy
