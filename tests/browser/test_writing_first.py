"""Writing first, in a real Chromium on a 360 × 740 phone (issue 15): the
editor within the first screen, the brief folded above it once the learner
has started, a formatting toolbar instead of Markdown, errors beside their
fields and in a summary at the top, nothing ticked or typed lost, and the
tutor's feedback first after a Refer. Screenshots at 360 and 1280 px go to
test-artifacts/."""

import time
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services
from assessments.models import Assignment, Submission
from tests.browser.helpers import DESKTOP, log_in, screenshot
from tests.browser.test_learner_journey import AXE_OPTIONS
from tests.essays import essay_of, submitted_essay
from tests.marking import mark

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ESSAY = "/assignments/1/"
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


def start_essay(learner, text):
    assignment = Assignment.objects.get(number=1)
    services.start_draft(learner, assignment)
    return services.save_draft(learner, assignment, text)


def box_of(page, selector):
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


@pytest.mark.parametrize("visit", ["first visit", "with a draft"])
def test_the_editor_starts_within_the_first_screen_of_a_phone(
    phone, live_server, alice, cohort, visit
):
    if visit == "with a draft":
        start_essay(alice, essay_of(300))
    log_in(phone, live_server, next_url=ESSAY)
    # On a first visit the brief is open, in a box that scrolls by itself.
    if visit == "first visit":
        expect(phone.locator("details.brief")).to_have_attribute("open", "")
    toolbar = box_of(phone, "[data-essay-toolbar]")
    editor = box_of(phone, "#essay-text")
    print(f"\n360 × 740, {visit}: toolbar {toolbar['y']:.0f} px, text box {editor['y']:.0f} px")
    screenshot(phone, f"writing-first-{visit.replace(' ', '-')}-360")
    # The editor's top shows before any scrolling: the toolbar and the box's
    # first lines on a first visit (under the open brief), a good part of the
    # box once the brief is folded.
    assert toolbar["y"] < editor["y"]
    assert editor["y"] + (48 if visit == "first visit" else 150) <= PHONE["height"]


def test_the_brief_is_open_on_the_first_visit_and_folded_once_a_draft_exists(
    phone, live_server, alice, cohort
):
    log_in(phone, live_server, next_url=ESSAY)
    brief = phone.locator("details.brief")
    expect(brief).to_have_attribute("open", "")
    expect(phone.get_by_role("heading", name="What to write")).to_be_visible()
    screenshot(phone, "writing-first-first-visit-360")
    phone.get_by_role("textbox", name="Your essay").fill("My first sentence.")
    expect(phone.locator("#status-essay")).to_contain_text("Saved at")
    phone.reload()
    expect(brief).not_to_have_attribute("open", "")
    expect(phone.get_by_role("heading", name="What to write")).to_be_hidden()
    phone.get_by_text("The brief", exact=True).click()  # it opens when asked
    expect(phone.get_by_role("heading", name="What to write")).to_be_visible()


def test_an_essay_refused_for_its_word_range_keeps_the_tick_and_the_text(
    phone, live_server, alice, cohort
):
    log_in(phone, live_server, next_url=ESSAY)
    text = "## My recovery\n\n" + essay_of(900)
    # Submitted straight after typing: the text goes with the Submit.
    phone.get_by_role("textbox", name="Your essay").fill(text)
    # Autosave first: the test database (SQLite in memory) refuses two writers at once.
    expect(phone.locator("#status-essay")).to_contain_text("Saved at")
    phone.get_by_label("I confirm that this essay is my own work").check()
    phone.get_by_role("button", name="Submit my essay").click()

    message = "Your essay has 902 words; the assignment asks for at least 1,500."
    summary = phone.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Something needs your attention")
    expect(summary.get_by_role("link")).to_contain_text(message)
    assert box_of(phone, "[data-error-summary]")["y"] < PHONE["height"]
    # Nothing ticked or typed is lost.
    expect(phone.get_by_label("I confirm that this essay is my own work")).to_be_checked()
    expect(phone.get_by_role("textbox", name="Your essay")).to_have_value(text)
    # The message sits beside the box it asks for, by the Submit button.
    tick = phone.get_by_label("Submit it anyway, outside the word range.")
    expect(tick).to_have_accessible_description(
        f"Error: {message} Tick the box to submit it anyway."
    )
    error = box_of(phone, "#outside-range-error")
    declaration = box_of(phone, "#declaration")
    button = box_of(phone, ".submit-essay button[type=submit]")
    print(f"\ndeclaration {declaration['y']:.0f} px, Submit {button['y']:.0f} px down")
    assert 0 < button["y"] - declaration["y"] < 250
    assert 0 < box_of(phone, "#outside-range")["y"] - error["y"] < 150
    screenshot(phone, "writing-first-refused-360")

    # The summary's link takes the learner to the box, which they tick.
    summary.get_by_role("link").click()
    expect(tick).to_be_focused()
    expect(tick).to_be_in_viewport()
    expect(phone.locator("#outside-range-error")).to_be_in_viewport()
    phone.keyboard.press("Space")
    phone.get_by_role("button", name="Submit my essay").click()
    expect(phone.locator("#assignment-state")).to_have_text("Submitted, waiting for feedback")
    assert Submission.objects.get(learner=alice).text == text
    # No copy of a submitted essay stays in the browser (one left when the
    # page went before autosave heard back goes on the next visit).
    key = f"essay:{alice.pk}:{Assignment.objects.get(number=1).pk}:1"
    phone.evaluate("key => localStorage.setItem(key, '{}')", key)
    phone.reload()
    assert phone.evaluate("Object.keys(localStorage).filter(k => k.startsWith('essay:'))") == []


def wait_until_saved(learner, text, seconds=5):
    """Autosave has stored ``text`` (and nothing is left to send when the
    test ends and the page goes)."""
    deadline = time.monotonic() + seconds
    while Submission.objects.get(learner=learner).text != text:
        assert time.monotonic() < deadline, "autosave did not store the text"
        time.sleep(0.1)


def select(page, start, end):
    page.locator("#essay-text").evaluate(
        "(box, [start, end]) => { box.focus(); box.setSelectionRange(start, end); }", [start, end]
    )


def selection(page):
    return page.locator("#essay-text").evaluate(
        "box => box.value.slice(box.selectionStart, box.selectionEnd)"
    )


def test_the_bold_button_wraps_the_selected_text(phone, live_server, alice, cohort):
    log_in(phone, live_server, next_url=ESSAY)
    box = phone.get_by_role("textbox", name="Your essay")
    box.fill("I found hope again.")
    expect(phone.locator("#status-essay")).to_contain_text("Saved at")
    toolbar = phone.get_by_role("toolbar", name="Formatting")
    expect(toolbar).to_be_visible()
    select(phone, 8, 13)  # "hope " with the space a double-click takes
    toolbar.get_by_role("button", name="Bold").click()
    expect(box).to_have_value("I found **hope** again.")
    assert selection(phone) == "hope"
    expect(box).to_be_focused()
    # Autosave heard it: the bold text is saved.
    expect(phone.locator("#status-essay")).to_contain_text("Saved at")
    assert Submission.objects.get(learner=alice).text == "I found **hope** again."
    # Pressed again, it takes the marks off.
    toolbar.get_by_role("button", name="Bold").click()
    expect(box).to_have_value("I found hope again.")
    assert selection(phone) == "hope"
    expect(phone.locator("#status-essay")).to_contain_text("Saved at")
    assert Submission.objects.get(learner=alice).text == "I found hope again."


def test_the_other_buttons_format_lines_and_undo_keeps_working(phone, live_server, alice, cohort):
    log_in(phone, live_server, next_url=ESSAY)
    box = phone.get_by_role("textbox", name="Your essay")
    toolbar = phone.get_by_role("toolbar", name="Formatting")
    box.fill("Recovery\nIt is a journey.\nOne\nTwo")
    select(phone, 0, 0)
    toolbar.get_by_role("button", name="Heading").click()
    expect(box).to_have_value("## Recovery\nIt is a journey.\nOne\nTwo")
    start = box.input_value().index("is a")
    select(phone, start, start + 2)  # "is"
    toolbar.get_by_role("button", name="Italic").click()
    expect(box).to_have_value("## Recovery\nIt _is_ a journey.\nOne\nTwo")
    value = box.input_value()
    select(phone, value.index("One"), len(value))
    toolbar.get_by_role("button", name="List").click()
    # A list needs an empty line before it, or it runs into the paragraph.
    expect(box).to_have_value("## Recovery\nIt _is_ a journey.\n\n- One\n- Two")
    assert selection(phone) == "- One\n- Two"
    toolbar.get_by_role("button", name="Quote").click()
    expect(box).to_have_value("## Recovery\nIt _is_ a journey.\n\n> - One\n> - Two")
    phone.keyboard.press("Control+z")
    expect(box).to_have_value("## Recovery\nIt _is_ a journey.\n\n- One\n- Two")
    # The preview shows it as the tutor will see it. (Autosave done first: the live
    # server's threads share one in-memory SQLite connection, so two requests
    # at once can trip over each other in tests, never in production.)
    expect(phone.locator("#status-essay")).to_contain_text("Saved at")
    phone.get_by_role("button", name="Preview").click()
    expect(phone.locator("[data-preview-target] h2")).to_have_text("Recovery")
    expect(phone.locator("[data-preview-target] em")).to_have_text("is")
    expect(phone.locator("[data-preview-target] li")).to_have_text(["One", "Two"])
    # The keyboard: one Tab stop, the arrow keys along the toolbar.
    toolbar.get_by_role("button", name="Bold").focus()
    phone.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Italic")).to_be_focused()
    outline = phone.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # the focus can be seen
    phone.keyboard.press("End")
    expect(toolbar.get_by_role("button", name="Quote")).to_be_focused()
    # Leaving the box saved what the buttons wrote.
    wait_until_saved(alice, box.input_value())


def test_without_javascript_there_is_no_toolbar_and_submit_keeps_what_was_typed(
    browser, live_server, alice, cohort
):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, next_url=ESSAY)
        expect(page.get_by_role("button", name="Bold")).to_have_count(0)
        expect(page.locator("[data-essay-toolbar]")).to_be_hidden()
        text = "Typed without JavaScript, never saved. " + essay_of(100)
        page.get_by_role("textbox", name="Your essay").fill(text)
        page.get_by_label("I confirm that this essay is my own work").check()
        page.get_by_role("button", name="Submit my essay").click()
        expect(
            page.get_by_role("link", name="the assignment asks for at least 1,500")
        ).to_be_visible()
        expect(page.get_by_role("textbox", name="Your essay")).to_have_value(text)
        expect(page.get_by_label("I confirm that this essay is my own work")).to_be_checked()
    finally:
        context.close()


def test_after_a_refer_the_feedback_comes_first_with_the_tutor_and_date(
    phone, live_server, alice, tutor, cohort
):
    essay = submitted_essay(alice)
    review = mark(
        essay, tutor, "refer", "Lovely start. Please say more about **hope**.", date(2030, 3, 1), 0
    )
    services.release(review, tutor)
    log_in(phone, live_server, next_url=ESSAY)
    feedback = phone.get_by_role("region", name="Your tutor’s feedback")
    released = timezone.localtime(essay.review.released_at)
    expect(feedback).to_contain_text(f"From Tina, {released.day} {released:%B %Y}")
    expect(feedback).to_contain_text("Outcome: Refer")
    expect(feedback.locator("strong")).to_have_text("hope")
    feedback_top = box_of(phone, "#feedback-heading")["y"]
    assert feedback_top < PHONE["height"]
    assert feedback_top < box_of(phone, "#essay-text")["y"]
    expect(phone.get_by_role("textbox", name="Your essay: attempt 2")).to_be_visible()
    screenshot(phone, "writing-first-referred-360")


# Every control on the page is at least 44 × 44 px: buttons, boxes, a tick
# box with its label, and links that are not inside a sentence.
TOO_SMALL = """
() => {
  const page = document.querySelector(".writing-page");
  const small = [];
  const seen = new Set();
  for (const el of page.querySelectorAll("a[href], button, input, textarea, select, summary")) {
    if (el.type === "hidden" || !el.getClientRects().length) continue;
    let rect = el.getBoundingClientRect();
    if (el.tagName === "A") {
      const around = el.parentElement.textContent.replace(/\\s+/g, " ").trim();
      if (around !== el.textContent.replace(/\\s+/g, " ").trim()) continue;  // inside a sentence
    }
    if (el.type === "checkbox" || el.type === "radio") {
      const label = document.querySelector(`label[for="${el.id}"]`).getBoundingClientRect();
      const left = Math.min(rect.left, label.left), top = Math.min(rect.top, label.top);
      rect = {left, top, width: Math.max(rect.right, label.right) - left,
              height: Math.max(rect.bottom, label.bottom) - top};
    }
    seen.add(el);
    if (rect.width < 44 || rect.height < 44) {
      small.push(`${el.tagName} ${el.id || el.textContent.trim().slice(0, 30)}: ` +
                 `${Math.round(rect.width)} × ${Math.round(rect.height)}`);
    }
  }
  return {small, count: seen.size};
}
"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_every_control_on_the_assignment_page_is_at_least_44_px_and_axe_passes(
    page, live_server, alice, tutor, cohort, viewport
):
    page.set_viewport_size(viewport)
    blocked = []  # anything the Content-Security-Policy refuses shows in the console
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    essay = submitted_essay(alice)
    review = mark(essay, tutor, "refer", "Say more.", date(2030, 3, 1))
    services.release(review, tutor)
    log_in(page, live_server, next_url=ESSAY)
    # Every part showing: feedback, errors (the range's too), the brief, an attempt.
    box = page.get_by_role("textbox", name="Your essay")
    box.fill(essay_of(900))
    # Autosave first: the test database (SQLite in memory) refuses two writers at once.
    expect(page.locator("#status-essay")).to_contain_text("Saved at")
    page.get_by_role("button", name="Submit my essay").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    page.get_by_text("The brief", exact=True).click()
    page.get_by_text("Read what you submitted").click()
    result = page.evaluate(TOO_SMALL)
    assert result["small"] == []
    assert result["count"] >= 15  # breadcrumb, summary, brief, toolbar, box, buttons, ticks…
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert blocked == []
    screenshot(page, f"writing-first-controls-{viewport['width']}")
