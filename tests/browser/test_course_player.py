"""The course player in Chromium, at 360 and 1280 px: Continue, previous and
next through the whole course, the compact header, the outline, and touch
targets of at least 44 × 44 px on every learner page."""

import pytest
from playwright.sync_api import expect

from sessions.models import Session, SessionCompletion, Visit
from tests.browser.helpers import log_in, screenshot
from tests.helpers import COURSE_PAGES, STORY

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 360, "height": 740}
WIDE = {"width": 1280, "height": 900}
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["360px", "1280px"])


@VIEWPORTS
def test_from_login_the_next_unfinished_page_is_one_tap_away(
    page, live_server, alice, cohort, viewport
):
    for number in (1, 2):
        SessionCompletion.objects.create(learner=alice, session=Session.objects.get(number=number))
    Visit.objects.create(learner=alice, session=Session.objects.get(number=3))
    page.set_viewport_size(viewport)
    log_in(page, live_server)
    # The first thing on the dashboard, in the first screen.
    button = page.locator("#continue")
    expect(button).to_contain_text("Continue")
    expect(button).to_be_in_viewport()
    button.click()
    page.wait_for_url(f"{live_server.url}{STORY}")
    expect(page.get_by_role("heading", level=1)).to_have_text("A personal story of recovery")


@VIEWPORTS
def test_previous_and_next_walk_the_whole_course_and_back(
    page, live_server, alice, cohort, viewport
):
    page.set_viewport_size(viewport)
    log_in(page, live_server, next_url="/sessions/1/")
    walked = [page.url.removeprefix(live_server.url)]
    while page.locator(".pager-next").count():
        page.locator(".pager-next").click()
        page.wait_for_load_state()
        walked.append(page.url.removeprefix(live_server.url))
    assert walked == COURSE_PAGES
    back = [walked[-1]]
    while page.locator(".pager-previous").count():
        page.locator(".pager-previous").click()
        page.wait_for_load_state()
        back.append(page.url.removeprefix(live_server.url))
    assert back == COURSE_PAGES[::-1]
    # The browser's own back button still works: pages are plain links.
    page.go_back()
    assert page.url == f"{live_server.url}/sessions/2/"


def test_the_header_is_one_row_of_at_most_64px_on_a_phone(page, live_server, alice, cohort):
    page.set_viewport_size(PHONE)
    log_in(page, live_server)
    for path in ["/", "/sessions/3/", STORY, "/journal/", "/assignments/1/", "/account/"]:
        page.goto(live_server.url + path)
        header = page.locator(".site-header").bounding_box()
        assert header["height"] <= 64, (path, header)
        boxes = [
            page.locator(selector).bounding_box()
            for selector in [".site-brand", ".support-link", ".site-menu > summary"]
        ]
        # One row: each sits within the header's height, side by side.
        assert all(
            box["y"] >= header["y"] and box["y"] + box["height"] <= header["y"] + 64
            for box in boxes
        )
        assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]
    screenshot(page, "header-360")

    # The menu opens in place and holds every link.
    page.get_by_text("Menu", exact=True).click()
    menu = page.get_by_role("navigation", name="Main")
    for name in ["My course", "My journal", "Useful resources", "My account"]:
        expect(menu.get_by_role("link", name=name)).to_be_visible()
    expect(menu.get_by_role("button", name="Log out")).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()


def test_the_outline_is_a_drawer_on_a_phone_and_a_sidebar_on_a_wide_screen(
    page, live_server, alice, cohort
):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, next_url="/sessions/3/")
    outline = page.get_by_role("navigation", name="Course outline")
    expect(outline).to_be_hidden()
    page.get_by_text("Course outline", exact=True).first.click()
    expect(outline).to_be_visible()
    expect(outline.get_by_role("link", name="A personal story of recovery")).to_be_visible()
    outline.get_by_role("link", name="A personal story of recovery").click()
    page.wait_for_url(f"{live_server.url}{STORY}")

    page.set_viewport_size(WIDE)
    page.reload()
    expect(outline).to_be_visible()
    current = outline.locator('[aria-current="page"]')
    expect(current).to_contain_text("A personal story of recovery")
    expect(current).to_contain_text("Opened")
    box = outline.bounding_box()
    main = page.locator(".player-page").bounding_box()
    assert box["x"] + box["width"] <= main["x"]  # beside the page, not above it


# Every interactive element on a learner page, with its box. A link inside
# a sentence is exempt, as WCAG 2.5.5 allows ("inline"); a checkbox or radio
# counts with its label, which ticks it too.
TARGETS_JS = """
() => {
  const visible = (el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.visibility !== 'hidden' && style.display !== 'none'
      && box.width > 0 && box.height > 0
      && !el.closest('[hidden], .visually-hidden, .visually-hidden-focusable');
  };
  const inline = (el) => {
    if (el.tagName !== 'A') return false;
    const block = el.closest('p, li, dd, td, figcaption, .form-text');
    if (!block) return false;
    const own = el.textContent.trim().length;
    return block.textContent.trim().length > own + 1;
  };
  const out = [];
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(selector)) {
    if (!visible(el) || inline(el)) continue;
    let box = el.getBoundingClientRect();
    let {left, top, right, bottom} = box;
    if (el.type === 'checkbox' || el.type === 'radio') {
      for (const label of el.labels || []) {
        const l = label.getBoundingClientRect();
        left = Math.min(left, l.left); top = Math.min(top, l.top);
        right = Math.max(right, l.right); bottom = Math.max(bottom, l.bottom);
      }
    }
    const width = right - left, height = bottom - top;
    if (width < 44 - 0.5 || height < 44 - 0.5) {
      const name = (el.textContent || el.name || '').trim().slice(0, 40);
      const tag = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '');
      out.push(`${tag} "${name}" ${Math.round(width)}x${Math.round(height)}`);
    }
  }
  return out;
}
"""

LEARNER_PAGES = [
    "/",
    "/sessions/3/",
    STORY,
    "/sessions/10/",  # not open yet for this cohort
    "/journal/",
    "/assignments/1/",
    "/resources/",
    "/account/",
]


@VIEWPORTS
def test_every_interactive_element_on_learner_pages_is_at_least_44px(
    page, live_server, alice, course, tutor, viewport
):
    from datetime import timedelta

    from django.utils import timezone

    from reflections.models import Reflection, ReflectionPrompt
    from tests.helpers import make_cohort

    make_cohort(
        course,
        "Autumn",
        start=timezone.localdate() - timedelta(weeks=3),
        tutors=[tutor],
        learners=[alice],
    )
    Reflection.objects.create(
        learner=alice, prompt=ReflectionPrompt.objects.first(), text="Mine", shared_with_tutor=True
    )
    page.set_viewport_size(viewport)
    small = {}
    page.goto(f"{live_server.url}/accounts/login/")
    if found := page.evaluate(TARGETS_JS):
        small["/accounts/login/"] = found
    log_in(page, live_server)
    for path in LEARNER_PAGES:
        page.goto(live_server.url + path)
        if found := page.evaluate(TARGETS_JS):
            small[path] = found
        # The menu's links too, opened, on a phone.
        if viewport is PHONE:
            page.locator(".site-menu > summary").click()
            if found := page.evaluate(TARGETS_JS):
                small[f"{path} (menu open)"] = found
    assert small == {}


@VIEWPORTS
def test_screenshots_of_the_dashboard_and_a_lesson(page, live_server, alice, cohort, viewport):
    page.set_viewport_size(viewport)
    log_in(page, live_server)
    name = f"{viewport['width']}"
    screenshot(page, f"player-dashboard-{name}")
    page.goto(live_server.url + STORY)
    screenshot(page, f"player-lesson-{name}")
    # Nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
