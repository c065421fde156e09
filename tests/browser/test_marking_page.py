"""The marking page in a real Chromium: the essay and the feedback panel side
by side from 1200 px (the panel staying in view as the essay scrolls),
stacked below; a passage chosen with the mouse stored at the right offsets;
the outcome following the criteria; no accessibility violations."""

import importlib
import tempfile
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from assessments import passages, services
from assessments.models import Assignment, FeedbackSnippet, PassageComment, Review
from tests.browser.helpers import log_in, screenshot
from tests.browser.test_learner_journey import AXE_OPTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots to look at after a run (/tmp/marking-1280.png, …).
SHOTS = Path(tempfile.gettempdir())
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 1000, "height": 800}
PHONE = {"width": 390, "height": 844}

PARAGRAPH = (
    "Recovery is not a straight line, and peer support taught me that hope can be shared. "
    "When I met others who had lived through similar times, I felt less alone and more "
    "able to take small steps. Their stories showed me what mutuality means in practice. "
)
ESSAY = (
    "## My recovery story\n\n" + (PARAGRAPH * 3 + "\n\n") * 3 + "## Hope and peer support\n\n"
    "A peer listened 🌱 without judging me, and that changed how I saw myself.\n\n"
    "- Mutuality: we learn from each other\n- Choice and control stay with the person\n\n"
    + (PARAGRAPH * 3 + "\n\n") * 4
    + "## What I will bring\n\n"
    + (PARAGRAPH * 3 + "\n\n") * 3
)


@pytest.fixture
def marking_roles(tutor):
    """The permissions the marking migration gives tutors (snippets), which
    a transactional test's emptied database lost."""
    from django.apps import apps

    from peersupport.roles import grant

    grant(
        apps, None, importlib.import_module("assessments.migrations.0007_grant_marking_roles").ROLES
    )


@pytest.fixture
def essay(alice, cohort, marking_roles):
    assignment = Assignment.objects.get(number=1)
    services.start_draft(alice, assignment)
    services.save_draft(alice, assignment, ESSAY)
    return services.submit(alice, assignment, declaration=True, outside_range_ok=True)


def open_page(page, live_server, essay, viewport=WIDE):
    page.set_viewport_size(viewport)
    url = f"/admin/assessments/submission/{essay.pk}/change/"
    log_in(page, live_server, username="tina", next_url=url)
    expect(page.locator("[data-essay] h2").first).to_have_text("My recovery story")
    return url


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_at_1280_the_panel_is_beside_the_essay_and_stays_in_view(page, live_server, essay):
    open_page(page, live_server, essay)
    essay_box, panel_box = box(page, ".marking-essay"), box(page, ".marking-panel")
    assert panel_box["x"] >= essay_box["x"] + essay_box["width"]  # beside, on the right
    assert panel_box["y"] < 400  # starts near the top, not below the essay
    # The essay's headings are the learner's, not the admin's coloured bars.
    heading = page.locator("[data-essay] h2").first.evaluate(
        "h => [getComputedStyle(h).backgroundColor, getComputedStyle(h).fontSize]"
    )
    assert heading[0] in ("rgba(0, 0, 0, 0)", "transparent"), heading
    size = page.locator("[data-essay] p").first.evaluate("p => getComputedStyle(p).fontSize")
    assert size == "17px"
    # About 70 characters a line, at most.
    width = page.locator("[data-essay]").evaluate("e => e.getBoundingClientRect().width")
    assert width <= 70 * 10
    page.screenshot(path=SHOTS / "marking-1280.png")

    # Scrolled to the end of the essay, the panel is still on the screen,
    # its buttons too (they stay at its foot while it scrolls on its own).
    page.locator("[data-essay] > :last-child").evaluate("e => e.scrollIntoView({block: 'end'})")
    page.wait_for_function("window.scrollY > 500")
    panel = page.locator(".marking-panel").bounding_box()
    assert -1 <= panel["y"] <= 10, panel
    assert panel["height"] <= WIDE["height"] + 1
    expect(page.get_by_role("button", name="Save as draft feedback")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Save and release to the learner")).to_be_in_viewport()
    page.screenshot(path=SHOTS / "marking-1280-scrolled.png")


def test_below_1200_the_panel_follows_the_essay(page, live_server, essay):
    open_page(page, live_server, essay, NARROW)
    essay_box, panel_box = box(page, ".marking-essay"), box(page, ".marking-panel")
    assert panel_box["y"] >= essay_box["y"] + essay_box["height"]
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=SHOTS / "marking-390.png")
    screenshot(page, "marking-390")


SELECT_WORDS = """words => {
  const essay = document.querySelector("[data-essay]");
  const walker = document.createTreeWalker(essay, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const at = node.data.indexOf(words);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + words.length);
    node.parentElement.scrollIntoView({block: "center"});
    const rects = range.getClientRects();
    const first = rects[0], last = rects[rects.length - 1];
    return {x1: first.left + 1, y1: first.top + first.height / 2,
            x2: last.right - 1, y2: last.top + last.height / 2};
  }
  return null;
}"""


def select_with_the_mouse(page, words):
    """Drag across ``words`` in the essay, as a tutor does."""
    where = page.evaluate(SELECT_WORDS, words)
    page.mouse.move(where["x1"], where["y1"])
    page.mouse.down()
    page.mouse.move(where["x2"], where["y2"], steps=5)
    page.mouse.up()


def test_a_passage_selected_with_the_mouse_is_stored_at_its_offsets(page, live_server, essay):
    # After an emoji: the browser counts it as two characters, the server as one.
    words = "without judging me"
    open_page(page, live_server, essay)
    select_with_the_mouse(page, words)
    button = page.get_by_role("button", name="Comment on this passage")
    expect(button).to_be_visible()
    button.click()
    comment = page.get_by_role("textbox", name="Your comment").first
    expect(comment).to_be_focused()
    expect(page.locator(".passage-list q").first).to_have_text(words)
    comment.fill("This is where the essay comes alive.")
    # The new passage is highlighted in the essay (CSS Custom Highlight API).
    assert page.evaluate("CSS.highlights.has('marking-new')")

    # A second one, chosen with the panel's button (a keyboard user's way).
    select_with_the_mouse(page, "Choice and control")
    page.get_by_role("button", name="Comment on the selected words").click()
    page.get_by_role("textbox", name="Your comment").nth(1).fill("Say more.")
    expect(page.locator(".passage-list [data-passage-number]")).to_have_text(["1", "2"])

    page.get_by_role("button", name="Save as draft feedback").click()
    expect(page.get_by_text("Feedback saved as a draft")).to_be_visible()
    plain = passages.plain_text(essay.text_html)
    saved = list(PassageComment.objects.order_by("start"))
    assert [(c.passage, c.comment) for c in saved] == [
        (words, "This is where the essay comes alive."),
        ("Choice and control", "Say more."),
    ]
    for comment in saved:
        assert (comment.start, comment.end) == (
            plain.index(comment.passage),
            plain.index(comment.passage) + len(comment.passage),
        )
    # Shown again, marked in the essay and numbered as in the panel.
    expect(page.locator("mark.passage[data-passage='1']")).to_have_text(words)
    expect(page.locator("mark.passage[data-passage='2']")).to_have_text("Choice and control")

    # Offsets still right with marks (their numbers and notes) in the essay.
    select_with_the_mouse(page, "Mutuality: we learn")
    page.get_by_role("button", name="Comment on this passage").click()
    expect(page.locator(".passage-list [data-passage-number]")).to_have_text(["1", "2", "3"])
    expect(page.locator(".passage-list q").nth(1)).to_have_text("Mutuality: we learn")
    # The saved mark after it is renumbered to match the panel.
    expect(page.locator("mark.passage").last).to_have_attribute("data-passage", "3")
    page.get_by_role("textbox", name="Your comment").nth(1).fill("Yes.")
    page.get_by_role("button", name="Save as draft feedback").click()
    expect(page.get_by_text("Feedback saved as a draft")).to_be_visible()
    third = PassageComment.objects.get(comment="Yes.")
    assert plain[third.start : third.end] == "Mutuality: we learn"


def test_the_outcome_follows_the_criteria_until_chosen_by_hand(page, live_server, essay):
    open_page(page, live_server, essay)
    outcome = page.get_by_label("Outcome:")
    reason = page.get_by_label("Reason for this outcome")
    expect(reason).to_be_hidden()
    fieldsets = page.locator("[data-criterion]")
    for index in range(fieldsets.count()):
        fieldsets.nth(index).get_by_label("Met").check()
    expect(outcome).to_have_value("pass")
    expect(page.locator("[data-suggestion]")).to_have_text("The criteria suggest: Pass.")
    fieldsets.nth(1).get_by_label("Not yet").check()
    expect(outcome).to_have_value("refer")
    expect(reason).to_be_hidden()
    outcome.select_option("pass")  # the tutor decides otherwise
    expect(reason).to_be_visible()
    fieldsets.nth(1).get_by_label("Met").check()
    fieldsets.nth(1).get_by_label("Not yet").check()
    expect(outcome).to_have_value("pass")  # no longer changed for them


def test_a_snippet_goes_where_the_tutor_was_typing(page, live_server, essay, tutor):
    FeedbackSnippet.objects.create(tutor=tutor, title="Hope", text="Say more about hope.")
    open_page(page, live_server, essay)
    box_ = page.locator("[data-criterion]").first.get_by_role("textbox")
    box_.fill("Good. ")
    page.get_by_text("My feedback snippets (1)").click()
    page.get_by_role("button", name="Insert “Hope”").click()
    expect(box_).to_have_value("Good. Say more about hope.")
    # Saved from the page without leaving it.
    page.get_by_label("Title of the snippet").fill("Refs")
    page.get_by_label("Text of the snippet").fill("Please add references.")
    page.get_by_role("button", name="Save as a snippet").click()
    expect(page.locator("[data-snippet-status]")).to_have_text("Saved “Refs”.")
    expect(page.get_by_role("button", name="Insert “Refs”")).to_be_visible()
    assert FeedbackSnippet.objects.filter(tutor=tutor, title="Refs").exists()
    assert box_.input_value() == "Good. Say more about hope."


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_the_marking_page_passes_axe(page, live_server, essay, tutor, viewport):
    blocked = []  # anything the Content-Security-Policy refuses shows in the console
    page.on("console", lambda m: "Content Security Policy" in m.text and blocked.append(m.text))
    FeedbackSnippet.objects.create(tutor=tutor, title="Hope", text="Say more about hope.")
    plain = passages.plain_text(essay.text_html)
    start = plain.index("without judging me")
    services.save_review(
        essay,
        tutor,
        "refer",
        "Please say more about **hope**.",
        None,
        0,
        passage_comments=[
            services.PassageDraft("without judging me", "Lovely.", start, start + 18)
        ],
    )
    open_page(page, live_server, essay, viewport)
    page.get_by_text("My feedback snippets (1)").click()
    page.get_by_text("History of this attempt").click()
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == []
    page.emulate_media(color_scheme="dark")
    page.reload()  # no colours caught half way through the links' transition
    page.get_by_text("My feedback snippets (1)").click()
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == []
    assert blocked == []
    assert Review.objects.get().passage_comments.count() == 1
    page.screenshot(path=SHOTS / f"marking-{viewport['width']}-dark.png")


def test_leaving_with_unsaved_changes_asks_first_but_saving_does_not(page, live_server, essay):
    url = open_page(page, live_server, essay)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.get_by_role("button", name="Save as draft feedback").click()  # nothing typed yet
    expect(page.get_by_text("Feedback saved as a draft")).to_be_visible()
    assert asked == []
    box_ = page.locator("[data-criterion]").first.get_by_role("textbox")
    box_.click()
    page.keyboard.type("Half a thought")
    page.goto(live_server.url + "/admin/")
    assert asked == ["beforeunload"]
    page.goto(live_server.url + url)
    box_ = page.locator("[data-criterion]").first.get_by_role("textbox")
    box_.click()
    page.keyboard.type("A whole thought.")
    page.get_by_role("button", name="Save as draft feedback").click()
    expect(page.get_by_text("Feedback saved as a draft")).to_be_visible()
    assert asked == ["beforeunload"]
    assert Review.objects.get().criterion_results.order_by("order")[0].comment == "A whole thought."
