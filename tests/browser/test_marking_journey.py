"""Issue 16's journey in a real Chromium: a tutor opens the queue, opens an
essay, marks each criterion, comments on two passages, previews, saves a
draft the learner cannot see, a moderator disagrees on one criterion, the
tutor releases a Refer with a date, and the learner reads it all."""

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Assignment, CriterionModeration, Review, Submission
from courses.models import Cohort
from tests.browser.helpers import log_in, screenshot
from tests.browser.test_marking_page import (  # noqa: F401
    ESSAY,
    marking_roles,
    select_with_the_mouse,
)
from tests.helpers import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUE = "/admin/assessments/submission/queue/"
FIRST_PASSAGE = "without judging me"
SECOND_PASSAGE = "Choice and control"
FIRST_COMMENT = "This is where the essay comes alive: <b>say</b> why."
SECOND_COMMENT = "Which choices? Give one example."


def sign_in(page, live_server, username, next_url):
    page.context.clear_cookies()
    log_in(page, live_server, username=username, next_url=next_url)


def test_mark_comment_moderate_release_and_read(
    page,
    live_server,
    alice,
    tutor,
    cohort,
    marking_roles,  # noqa: F811
):
    from peersupport.roles import TUTORS

    moderator = make_user("terry", TUTORS)
    cohort.tutors.add(moderator)
    Cohort.objects.filter(pk=cohort.pk).update(requires_moderation=True)
    assignment = Assignment.objects.get(number=1)
    services.start_draft(alice, assignment)
    services.save_draft(alice, assignment, ESSAY)
    essay = services.submit(alice, assignment, declaration=True, outside_range_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    # The tutor opens the queue, and the essay from it.
    sign_in(page, live_server, "tina", QUEUE)
    page.get_by_role("link", name="Alice").click()
    expect(page.locator("#claim")).to_contain_text("You are marking this")

    # Each criterion: the first not yet met, with a comment; the rest met.
    criteria = page.locator("[data-criterion]")
    count = criteria.count()
    assert count == assignment.criteria.count() == 4
    criteria.first.get_by_label("Not yet", exact=True).check()
    criteria.first.get_by_role("textbox").fill("Name one idea from session 2 in your story.")
    for index in range(1, count):
        criteria.nth(index).get_by_label("Met", exact=True).check()
    expect(page.locator("[data-suggestion]")).to_have_text("The criteria suggest: Refer.")
    expect(page.get_by_label("Outcome:")).to_have_value("refer")

    # Two passages, chosen with the mouse.
    select_with_the_mouse(page, FIRST_PASSAGE)
    page.get_by_role("button", name="Comment on this passage").click()
    page.get_by_role("textbox", name="Your comment").first.fill(FIRST_COMMENT)
    select_with_the_mouse(page, SECOND_PASSAGE)
    page.get_by_role("button", name="Comment on this passage").click()
    page.get_by_role("textbox", name="Your comment").nth(1).fill(SECOND_COMMENT)

    # The overall feedback, previewed as the learner will see it.
    page.get_by_label("Feedback:", exact=True).fill(
        "A moving start. Please say more about **hope**."
    )
    expect(page.locator(".field-feedback_preview strong")).to_have_text("hope")
    page.get_by_label("Next attempt due:").fill("2030-03-01")
    page.get_by_role("button", name="Save as draft feedback").click()
    expect(page.get_by_text("Feedback saved as a draft")).to_be_visible()
    expect(page.locator("mark.passage")).to_have_count(2)
    screenshot(page, "marking-journey-draft")

    # The draft is the tutor's alone: the learner sees none of it.
    sign_in(page, live_server, "alice", "/assignments/1/")
    expect(page.locator("#assignment-state")).to_have_text("Submitted, waiting for feedback")
    html = page.content()
    for words in ("comes alive", SECOND_COMMENT, "Name one idea", "hope</strong>"):
        assert words not in html
    expect(page.locator("mark.passage")).to_have_count(0)

    # Chosen for moderation; the second tutor disagrees on one criterion.
    services.request_moderation([Review.objects.get(submission=essay)], None)
    sign_in(page, live_server, "terry", f"/admin/assessments/submission/{essay.pk}/change/")
    moderation = page.locator("form:has([name=_moderate])")
    judged = moderation.locator("fieldset.criterion:has(input[value=yes]):has(input[value=no])")
    judged.nth(0).get_by_label("Agree", exact=True).check()
    judged.nth(1).get_by_label("Disagree", exact=True).check()
    page.get_by_role("button", name="Record my moderation").click()
    # A disagreement needs a reason: asked for beside it, nothing lost.
    expect(
        page.get_by_text("Please say why you disagree on this criterion.", exact=True)
    ).to_be_visible()
    judged = moderation.locator("fieldset.criterion:has(input[value=yes]):has(input[value=no])")
    expect(judged.nth(1).get_by_label("Disagree", exact=True)).to_be_checked()
    judged.nth(1).get_by_role("textbox").fill("I read the peer support section as partly met.")
    for index in range(2, count):
        judged.nth(index).get_by_label("Agree", exact=True).check()
    page.get_by_label("I agree with the outcome and feedback").check()
    page.get_by_role("button", name="Record my moderation").click()
    expect(page.get_by_text("Your moderation is recorded.")).to_be_visible()
    disagreement = CriterionModeration.objects.get(agrees=False)
    assert disagreement.comment == "I read the peer support section as partly met."
    assert disagreement.result.order == 2
    assert CriterionModeration.objects.filter(agrees=True).count() == count - 1

    # The tutor releases the Refer; the queue is next (nothing else waits).
    sign_in(page, live_server, "tina", f"/admin/assessments/submission/{essay.pk}/change/")
    page.get_by_role("button", name="Save and release to the learner").click()
    expect(page.get_by_text("Feedback released")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}{QUEUE}")
    assert Submission.objects.get(pk=essay.pk).status == Submission.Status.REFERRED

    # The learner reads the criteria, both passages with their comments, the feedback.
    sign_in(page, live_server, "alice", "/assignments/1/")
    feedback = page.get_by_role("region", name="Your tutor’s feedback")
    expect(feedback).to_contain_text("Outcome: Refer")
    expect(feedback.locator(".feedback-text strong")).to_have_text("hope")
    expect(feedback).to_contain_text("The criteria: 3 of 4 met")
    not_yet = feedback.locator(".criterion-result.is-not-yet")
    expect(not_yet).to_have_count(1)
    expect(not_yet).to_contain_text("Name one idea from session 2 in your story.")
    expect(feedback.locator("mark.passage[data-passage='1']")).to_have_text(FIRST_PASSAGE)
    expect(feedback.locator("mark.passage[data-passage='2']")).to_have_text(SECOND_PASSAGE)
    notes = feedback.locator(".passage-note")
    expect(notes).to_have_count(2)
    # The comment's markup stays text.
    expect(notes.nth(0)).to_contain_text(FIRST_COMMENT)
    expect(notes.nth(1)).to_contain_text(SECOND_COMMENT)
    assert feedback.locator(".passage-note b").count() == 0
    screenshot(page, "marking-journey-learner")

    # On a phone, each comment comes below its passage.
    page.set_viewport_size({"width": 360, "height": 800})
    mark = feedback.locator("mark.passage[data-passage='1']").bounding_box()
    note = notes.nth(0).bounding_box()
    assert note["y"] > mark["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
