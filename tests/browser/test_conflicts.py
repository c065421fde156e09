"""Two tabs on one piece of writing, in a real Chromium: the older tab's save
shows both versions, nothing is lost, and one click keeps either; and the
tutor's Refer date survives reopening the review and releasing it."""

import pytest
from playwright.sync_api import expect

from assessments.models import Review, Submission
from reflections.models import Reflection, ReflectionPrompt
from tests.browser.helpers import ARTIFACTS, judge_criteria, log_in, screenshot
from tests.essays import submitted_essay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LESSON = "/sessions/3/a-personal-story-of-recovery/"
QUESTION = "Your answer to: How did it feel to read this recovery story?"


@pytest.fixture
def prompt(course):
    return ReflectionPrompt.objects.get(lesson__slug="a-personal-story-of-recovery", order=1)


def two_tabs(page, live_server, url):
    log_in(page, live_server, next_url=url)
    other = page.context.new_page()
    other.goto(live_server.url + url)
    return page, other


def test_two_tabs_on_one_answer_show_both_and_keep_either(page, live_server, alice, cohort, prompt):
    first, second = two_tabs(page, live_server, LESSON)
    status = f"#status-{prompt.pk}"
    second.get_by_label(QUESTION).fill("Written in the second tab")
    expect(second.locator(status)).to_contain_text("Saved at")

    first.get_by_label(QUESTION).fill("Written in the first tab")
    expect(first.locator(status)).to_contain_text("two versions")
    conflict = first.locator(".writing-conflict")
    expect(conflict.get_by_label("The other version")).to_have_value("Written in the second tab")
    expect(first.get_by_label(QUESTION)).to_have_value("Written in the first tab")
    assert Reflection.objects.get(learner=alice).text == "Written in the second tab"
    # Until the learner chooses, this tab's text stays in the browser too.
    copy = first.evaluate(f"localStorage.getItem('journal:{alice.pk}:{prompt.pk}')")
    assert "Written in the first tab" in copy
    ARTIFACTS.mkdir(exist_ok=True)
    first.locator(f"#prompt-{prompt.pk}").screenshot(path=ARTIFACTS / "conflict-two-tabs.png")

    first.get_by_role("button", name="Keep this tab's version").click()
    expect(first.locator(status)).to_contain_text("Saved at")
    expect(conflict).to_have_count(0)
    assert Reflection.objects.get(learner=alice).text == "Written in the first tab"

    # Now the second tab is the older one; it keeps the other version.
    second.get_by_label(QUESTION).fill("Second tab again")
    expect(second.locator(status)).to_contain_text("two versions")
    second.get_by_role("button", name="Keep the other version").click()
    expect(second.get_by_label(QUESTION)).to_have_value("Written in the first tab")
    expect(second.locator(status)).to_contain_text("Kept the version saved at")
    assert second.evaluate("Object.keys(localStorage)") == []
    # And it goes on saving normally from there.
    second.get_by_label(QUESTION).fill("Agreed in the end")
    expect(second.locator(status)).to_contain_text("Saved at")
    assert Reflection.objects.get(learner=alice).text == "Agreed in the end"


def test_two_tabs_on_one_essay_draft_show_both(page, live_server, alice, cohort):
    first, second = two_tabs(page, live_server, "/assignments/1/")
    second.get_by_role("textbox", name="Your essay").fill("The second tab's opening.")
    expect(second.locator("#status-essay")).to_contain_text("Saved at")
    first.get_by_role("textbox", name="Your essay").fill("The first tab's opening, longer.")
    expect(first.locator("#status-essay")).to_contain_text("two versions")
    expect(first.locator(".writing-conflict textarea")).to_have_value("The second tab's opening.")
    first.get_by_role("button", name="Keep the other version").click()
    expect(first.get_by_role("textbox", name="Your essay")).to_have_value(
        "The second tab's opening."
    )
    expect(first.locator("[data-word-count]")).to_have_text("4")
    assert Submission.objects.get(learner=alice).text == "The second tab's opening."


def test_a_refers_date_survives_reopening_and_releasing(page, live_server, alice, tutor, cohort):
    essay = submitted_essay(alice)
    url = f"/admin/assessments/submission/{essay.pk}/change/"
    log_in(page, live_server, username="tina", next_url=url)
    judge_criteria(page, "refer")
    page.get_by_label("Outcome:").select_option("refer")
    page.get_by_label("Feedback:", exact=True).fill("Please develop the second part.")
    page.get_by_label("Next attempt due:").fill("2027-01-15")
    page.get_by_role("button", name="Save as draft feedback").click()
    expect(page.get_by_text("Feedback saved as a draft")).to_be_visible()

    page.goto(live_server.url + url)  # reopened later
    expect(page.get_by_label("Next attempt due:")).to_have_value("2027-01-15")
    page.get_by_role("button", name="Save and release to the learner").click()
    expect(page.get_by_text("Feedback released")).to_be_visible()
    review = Review.objects.get(submission=essay)
    assert review.is_released and review.resubmit_by.isoformat() == "2027-01-15"
    assert Submission.objects.get(learner=alice, attempt=2).due_on.isoformat() == "2027-01-15"


def test_admin_previews_look_as_learners_see_them(page, live_server, coordinator, course):
    from sessions.models import Session

    session = Session.objects.get(number=2)
    log_in(page, live_server, username="cora", next_url="/admin/")
    page.goto(f"{live_server.url}/admin/course_sessions/session/{session.pk}/change/")
    body = page.get_by_label("Body:")
    body.fill("## A heading\n\n- one\n- two\n\n> A quotation")
    preview = page.locator(".field-body_preview .markdown-preview")
    expect(preview.locator("h2")).to_have_text("A heading")
    heading = preview.locator("h2").evaluate(
        "h => [getComputedStyle(h).backgroundColor, getComputedStyle(h).color]"
    )
    assert heading[0] in ("rgba(0, 0, 0, 0)", "transparent"), heading
    bullet = preview.locator("li").first.evaluate("li => getComputedStyle(li).listStyleType")
    assert bullet == "disc"
    screenshot(page, "admin-preview")
