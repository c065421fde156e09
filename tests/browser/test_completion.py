"""Taking the register on a phone, apologies, and the dashboard's "what you
still need", in a real Chromium."""

import pytest
from playwright.sync_api import expect

from completion.models import Attendance
from courses.models import Enrolment
from tests.browser.helpers import ARTIFACTS, log_in
from tests.marking import mark

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_390 = {"width": 390, "height": 844}


def test_a_tutor_takes_the_register_on_a_phone_by_tapping(browser, live_server, tutor, alice, bob,
                                                          cohort):  # fmt: skip
    context = browser.new_context(viewport=PHONE_390, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    url = f"/admin/completion/attendance/register/{cohort.pk}/3/"
    log_in(page, live_server, username="tina", next_url=url)
    # Count page loads: tapping must never reload the page.
    loads = []
    page.on("load", lambda _: loads.append(1))
    page.get_by_role("button", name="Mark everyone not yet marked as present").tap()
    alices_row = page.locator(f"#learner-{Enrolment.objects.get(learner=alice).pk}")
    bobs_row = page.locator(f"#learner-{Enrolment.objects.get(learner=bob).pk}")
    expect(alices_row.locator("[data-state]")).to_have_text("Present")
    expect(page.locator("[data-unmarked-count]")).to_have_text("0 not marked yet")
    bobs_row.get_by_role("button", name="Absent").tap()
    expect(bobs_row.locator("[data-state]")).to_have_text("Absent")
    expect(bobs_row.get_by_role("button", name="Absent")).to_have_attribute("aria-pressed", "true")
    # A missed session signed off as caught up, with its note.
    bobs_row.get_by_text("Caught up after missing it").tap()
    bobs_row.get_by_label("What catch-up work was done").fill("Went through it together")
    bobs_row.get_by_role("button", name="Sign off as caught up").tap()
    expect(bobs_row.locator("[data-state]")).to_have_text("Caught up")
    assert loads == []
    marks = dict(
        Attendance.objects.filter(session__number=3).values_list("enrolment__learner", "status")
    )
    assert marks == {alice.pk: "present", bob.pk: "caught_up"}
    # Every button a finger can hit: at least 44 × 44 px.
    for button in page.locator(".register-row button").all():
        if button.is_visible():
            box = button.bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44, box
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "register-phone.png", full_page=True)
    context.close()


def test_a_learner_sends_apologies_and_sees_what_is_still_needed(page, live_server, alice, tutor,
                                                                 cohort):  # fmt: skip
    from assessments import services as assessment
    from completion import services
    from sessions.models import Session
    from tests.essays import submitted_essay

    log_in(page, live_server, next_url="/sessions/4/")
    page.get_by_label("A note for your tutor (optional)").fill("I have an appointment")
    page.get_by_role("button", name="Send my apologies").click()
    expect(page.get_by_text("Your apologies are sent to your tutor")).to_be_visible()
    attendance = Attendance.objects.get()
    assert (attendance.status, attendance.apology_note) == ("apologies", "I have an appointment")

    page.goto(live_server.url + "/")
    needs = page.locator("#standing-needs")
    expect(page.locator("#standing-summary")).to_have_text("You have attended 0 of 11 sessions.")
    expect(needs).to_have_text(
        "To complete the course you still need: 9 more sessions, and a Pass on assignments 1 and 2."
    )
    enrolment = Enrolment.objects.get(learner=alice)
    for number in range(1, 10):
        services.mark(enrolment, Session.objects.get(number=number), "present", tutor)
    essay = submitted_essay(alice, number=1)
    assessment.release(mark(essay, tutor, "pass", "Good."), tutor)
    page.reload()
    expect(page.locator("#standing-summary")).to_have_text("You have attended 9 of 11 sessions.")
    expect(needs).to_have_text("To complete the course you still need: a Pass on assignment 2.")
    essay = submitted_essay(alice, number=2, words=2100)
    assessment.release(mark(essay, tutor, "pass", "Good."), tutor)
    page.reload()
    expect(needs).to_contain_text("You have done everything the course asks to complete it.")
