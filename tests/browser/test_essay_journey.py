"""The essay's whole journey in a real Chromium: a learner drafts (across an
expired login), submits; a tutor claims it in the admin, refers it; the
learner resubmits; the tutor passes it; a second tutor moderates; the learner
sees Pass."""

import pytest
from django.contrib.sessions.models import Session as DjangoSession
from playwright.sync_api import expect

from assessments.models import Submission, count_words
from courses.models import Cohort
from tests.browser.helpers import agree_on_every_criterion, judge_criteria, log_in, screenshot
from tests.essays import essay_of
from tests.helpers import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ESSAY = "/assignments/1/"
PASSWORD = "a-long-test-password"


def sign_in(page, live_server, username, next_url):
    page.context.clear_cookies()
    log_in(page, live_server, username=username, next_url=next_url)


def test_the_whole_essay_journey(page, live_server, alice, tutor, cohort):
    from peersupport.roles import TUTORS

    moderator = make_user("terry", TUTORS)
    cohort.tutors.add(moderator)
    Cohort.objects.filter(pk=cohort.pk).update(requires_moderation=True)

    # The learner writes; the word count follows; it saves itself.
    log_in(page, live_server, next_url=ESSAY)
    box = page.get_by_role("textbox", name="Your essay")
    box.fill("## My recovery\n\n" + essay_of(1200))
    expect(page.locator("[data-word-count]")).to_have_text("1202")
    expect(page.locator("#status-essay")).to_contain_text("Saved at")

    # The login expires mid-essay: nothing is lost.
    DjangoSession.objects.all().delete()
    box.fill("## My recovery\n\n" + essay_of(1600))
    expect(page.locator("#status-essay")).to_contain_text("You have been logged out")
    href = page.locator("#status-essay a").get_attribute("href")
    page.goto(live_server.url + href)
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + ESSAY)
    expect(page.locator("#status-essay")).to_contain_text("Saved at")
    assert Submission.objects.get(learner=alice).word_count == 1602

    # Preview, then submit with the declaration.
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("[data-preview-target] h2")).to_have_text("My recovery")
    page.get_by_label("I confirm that this essay is my own work").check()
    page.get_by_role("button", name="Submit my essay").click()
    expect(page.get_by_text("Your essay was submitted on")).to_be_visible()
    expect(page.locator("#assignment-state")).to_have_text("Submitted, waiting for feedback")
    screenshot(page, "essay-submitted")

    # The tutor opens it from the queue (claiming it) and refers it.
    sign_in(page, live_server, "tina", "/admin/assessments/submission/?status__exact=submitted")
    page.get_by_role("link", name="Alice").click()
    expect(page.locator("#claim")).to_contain_text("You are marking this")
    judge_criteria(page, "refer")
    page.get_by_label("Outcome:").select_option("refer")
    page.get_by_label("Feedback:").fill("Lovely start. Please say more about **hope**.")
    expect(page.locator(".field-feedback_preview strong")).to_have_text("hope")
    page.get_by_label("Next attempt due:").fill("2030-03-01")
    page.get_by_role("button", name="Save and release to the learner").click()
    expect(page.get_by_text("Feedback released.")).to_be_visible()

    # The learner reads it and resubmits the new attempt.
    sign_in(page, live_server, "alice", ESSAY)
    expect(page.locator("#assignment-state")).to_have_text("Referred: new attempt due 1 March 2030")
    expect(page.locator(".feedback strong")).to_have_text("hope")
    box = page.get_by_role("textbox", name="Your essay")
    box.fill(box.input_value() + "\n\nHope matters because it keeps me going.")
    expect(page.locator("#status-essay")).to_contain_text("Saved at")
    page.get_by_label("I confirm that this essay is my own work").check()
    page.get_by_role("button", name="Submit my essay").click()
    expect(page.locator("#assignment-state")).to_have_text("Submitted, waiting for feedback")

    # The tutor passes it; it is in the moderation sample, so it waits.
    second = Submission.objects.get(learner=alice, attempt=2)
    from assessments import services

    sign_in(page, live_server, "tina", f"/admin/assessments/submission/{second.pk}/change/")
    judge_criteria(page, "pass")
    page.get_by_label("Outcome:").select_option("pass")
    page.get_by_label("Feedback:").fill("This is a thoughtful essay. Well done.")
    page.get_by_role("button", name="Save as draft feedback").click()
    expect(page.get_by_text("Feedback saved as a draft")).to_be_visible()
    services.request_moderation([second.review], None)

    # A second tutor agrees; then the feedback is released.
    sign_in(page, live_server, "terry", f"/admin/assessments/submission/{second.pk}/change/")
    agree_on_every_criterion(page)
    page.get_by_label("I agree with the outcome and feedback").check()
    page.get_by_role("button", name="Record my moderation").click()
    expect(page.get_by_text("Your moderation is recorded.")).to_be_visible()
    sign_in(page, live_server, "tina", f"/admin/assessments/submission/{second.pk}/change/")
    page.get_by_role("button", name="Save and release to the learner").click()
    expect(page.get_by_text("Feedback released.")).to_be_visible()

    sign_in(page, live_server, "alice", ESSAY)
    expect(page.locator("#assignment-state")).to_have_text("Passed")
    expect(page.get_by_text("Outcome: Pass")).to_be_visible()
    screenshot(page, "essay-passed")


CORPUS = [
    "",
    "One",
    "peer-led support, don't stop",
    "## Heading\n\n- one\n- **two**\n\n> quote",
    "émotions 回復 восстановление 2026 — – -",
    "tabs\tand\nnew\r\nlines   and  spaces",
    "emoji 🌱 alone 🌱🌱 and a🌱",
    "a\u200bb zero\u200bwidth",
    "[link](https://example.org) *em* _under_ `code`",
    "١٢٣ Arabic digits, हिन्दी, 한국어 텍스트",
]


def test_the_editor_counts_words_exactly_as_the_server(page, live_server, alice, cohort):
    log_in(page, live_server, next_url=ESSAY)
    for text in CORPUS:
        in_browser = page.evaluate("text => window.peerSupportCountWords(text)", text)
        assert in_browser == count_words(text), text
