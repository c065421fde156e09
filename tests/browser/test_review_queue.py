"""The tutors' review queue in a real Chromium: it fits 1280 px with long
names and every flag, and axe finds nothing, in light and dark."""

import tempfile
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from assessments import services
from courses.models import Enrolment
from tests.browser.helpers import DESKTOP, log_in
from tests.essays import submitted_essay
from tests.helpers import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

QUEUE = "/admin/assessments/submission/queue/"
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
PHONE = {"width": 390, "height": 844}
# Where the screenshots go, to be looked at (/tmp/queue-1280.png and so on).
SHOTS = Path(tempfile.gettempdir())


@pytest.fixture
def queue(course, cohort, tutor, other_tutor, coordinator, alice, bob):
    """A queue with the longest names people have, and every flag."""
    long_names = [
        ("Maximiliana-Alexandrina", "Konstantinopoulou-Wolfeschlegelsteinhausen"),
        ("Oluwatobiloba", "Adebayo-Okonkwo-Nwachukwu"),
        ("Siobhán", "Ní Mhaoldomhnaigh-Uí Cheallaigh"),
        ("Bartholomew", "Featherstonehaugh-Cholmondeley"),
    ]
    # And a name with no spaces at all, which can only wrap anywhere.
    long_names.append(("Q" * 60, ""))
    people = [alice, bob]
    for index, (first, last) in enumerate(long_names):
        person = named(make_user(f"long{index}"), first, last)
        Enrolment.objects.create(cohort=cohort, learner=person)
        people.append(person)

    essays = [submitted_essay(people[0], number=1, words=10)]  # late, below range
    essays.append(submitted_essay(people[1], number=2, words=2600))  # above range
    essays += [submitted_essay(p, number=1, words=1600) for p in people[2:]]  # late
    review = services.save_review(essays[2], tutor, "refer", "Please say more.", None, 0)
    services.request_moderation([review], coordinator)
    cohort.tutors.add(other_tutor)
    named(other_tutor, "Ottoline", "Van der Westhuizen-Smythe")
    services.claim(essays[3], other_tutor)
    services.claim(essays[4], tutor)
    return essays


def named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save()
    return user


def problems(page, axe) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in axe.run(page, options=AXE_OPTIONS).response["violations"]
    ]


def test_the_queue_fits_1280_px_and_passes_axe_in_light_and_dark(page, live_server, queue):
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, username="tina", next_url=QUEUE)
    table = page.get_by_role("table", name="Essays waiting for feedback")
    expect(table.locator("tbody tr")).to_have_count(7)
    for flag in ("late", "below word range", "above word range", "moderation"):
        expect(table.locator(".flag", has_text=flag).first).to_be_visible()
    expect(table.locator("tbody tr").first).to_contain_text("you")
    expect(table).to_contain_text("Ottoline Van der Westhuizen-Smythe")
    expect(table).to_contain_text("Refer (not released)")
    # Nothing scrolls sideways: not the page, not the table's own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    box = page.locator(".queue-table")
    assert box.evaluate("el => el.scrollWidth - el.clientWidth") <= 0
    page.screenshot(path=SHOTS / "queue-1280.png", full_page=True)

    axe = Axe()
    assert problems(page, axe) == []
    page.emulate_media(color_scheme="dark")
    page.reload()
    assert problems(page, axe) == []
    page.screenshot(path=SHOTS / "queue-1280-dark.png", full_page=True)


def test_the_queue_on_a_phone_scrolls_only_inside_its_table(page, live_server, queue):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, username="tina", next_url=QUEUE)
    expect(page.locator(".queue-table tbody tr")).to_have_count(7)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=SHOTS / "queue-390.png", full_page=True)
    assert problems(page, Axe()) == []


def test_the_filters_work_without_javascript(browser, live_server, queue):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, username="tina", next_url=QUEUE)
        page.get_by_label("Search learners").fill("Siobhán")
        page.get_by_role("button", name="Filter").click()
        rows = page.locator(".queue-table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Ní Mhaoldomhnaigh")
        expect(page.get_by_text("1 essay", exact=True)).to_be_visible()
        page.get_by_label("Status").select_option("passed")
        page.get_by_role("button", name="Filter").click()
        expect(page.get_by_text("No essays match these filters.")).to_be_visible()
        page.get_by_role("link", name="Clear", exact=True).click()
        expect(page.locator(".queue-table tbody tr")).to_have_count(7)
    finally:
        context.close()
