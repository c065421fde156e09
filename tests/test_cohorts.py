"""Cohorts and their timetable, as learners see them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Assignment
from courses.cohorts.timetable import create_timetable, open_all_sessions
from courses.models import DeadlineExtension, Enrolment, SessionRelease
from sessions.models import Session
from tests.helpers import edit, make_cohort

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def new_cohort(course, alice, tutor):
    """Alice's cohort, starting today: only session 1 is open."""
    return make_cohort(course, "Starts today", start=TODAY(), tutors=[tutor], learners=[alice])


def test_default_timetable_opens_a_session_a_week(course):
    start = TODAY() + timedelta(days=3)
    cohort = make_cohort(course, "Timetabled", start=start)
    opens = {r.session.number: r.opens_on for r in cohort.releases.select_related("session")}
    assert opens == {n: start + timedelta(weeks=n - 1) for n in range(1, 12)}
    due = {d.assignment.number: d.due_on for d in cohort.deadlines.select_related("assignment")}
    # Two weeks after the session that discusses each assignment opens (6 and 11).
    assert due == {1: start + timedelta(weeks=5 + 2), 2: start + timedelta(weeks=10 + 2)}
    assert create_timetable(cohort) == (0, 0)  # safe to run again


def test_an_unopened_session_shows_its_date_not_its_content(client, alice, new_cohort):
    client.force_login(alice)
    response = client.get("/sessions/3/")
    html = response.content.decode()
    opens_on = TODAY() + timedelta(weeks=2)
    assert response.status_code == 200
    assert f"This session opens on <strong>{opens_on:%A} {opens_on.day} {opens_on:%B %Y}" in html
    assert Session.objects.get(number=3).aim not in html
    assert "Mark session 3 as complete" not in html

    lesson = client.get("/sessions/3/a-personal-story-of-recovery/").content.decode()
    assert "This session opens on" in lesson and "When I was 26" not in lesson

    assert client.get("/sessions/1/").context["is_completed"] is False  # session 1 is open


def test_the_same_session_is_open_for_another_cohort(client, charlie, other_cohort, new_cohort):
    client.force_login(charlie)
    html = client.get("/sessions/3/").content.decode()
    assert "This session opens on" not in html
    assert Session.objects.get(number=3).aim in html


def test_an_unopened_session_cannot_be_completed(client, alice, new_cohort):
    client.force_login(alice)
    response = client.post("/sessions/3/complete/", {"completed": "1"}, follow=True)
    assert b"has not opened yet" in response.content
    assert not alice.session_completions.exists()


def test_dashboard_shows_open_completed_and_opening_dates(client, alice, new_cohort, tutor):
    client.force_login(alice)
    response = client.get("/")
    states = [entry.state for entry in response.context["progress"].sessions]
    assert states == ["open"] + ["not_open"] * 10
    html = response.content.decode()
    week_later = TODAY() + timedelta(weeks=1)
    assert f"Opens on {week_later.day} {week_later:%B %Y}" in html
    # A session not open yet is still a link: its page gives the date and its
    # content note in advance.
    assert 'href="/sessions/2/"' in html
    assert "You are in <strong>Starts today</strong>" in html
    assert "Your tutor: Tina" in html


def test_dashboard_shows_deadlines_and_a_learners_extension(client, alice, new_cohort):
    enrolment = Enrolment.objects.get(learner=alice)
    first = Assignment.objects.get(number=1)
    DeadlineExtension.objects.create(
        enrolment=enrolment, assignment=first, due_on=TODAY() + timedelta(weeks=10)
    )
    client.force_login(alice)
    due = {d.assignment.number: d for d in client.get("/").context["assignments"]}
    assert due[1].due_on == TODAY() + timedelta(weeks=10) and due[1].is_extended
    assert due[2].due_on == TODAY() + timedelta(weeks=12) and not due[2].is_extended


def test_a_coordinator_can_move_one_sessions_date(client, alice, new_cohort):
    client.force_login(alice)
    assert "This session opens on" in client.get("/sessions/3/").content.decode()
    edit(SessionRelease.objects.get(cohort=new_cohort, session__number=3), opens_on=TODAY())
    assert "This session opens on" not in client.get("/sessions/3/").content.decode()


def test_opening_everything_at_once(client, alice, new_cohort):
    client.force_login(alice)
    states = [entry.state for entry in client.get("/").context["progress"].sessions]
    assert states == ["open"] + ["not_open"] * 10
    open_all_sessions(new_cohort, TODAY())
    states = [entry.state for entry in client.get("/").context["progress"].sessions]
    assert states == ["open"] * 11


def test_a_withdrawn_learner_sees_a_kind_page_and_their_work_is_kept(client, alice, cohort):
    Session.objects.get(number=1).completions.create(learner=alice)
    Enrolment.objects.filter(learner=alice).update(withdrawn_at=timezone.now())
    client.force_login(alice)
    html = client.get("/sessions/1/").content.decode()
    assert "You are no longer enrolled on the course" in html
    assert "Everything you wrote is still kept safely" in html
    assert alice.session_completions.count() == 1


def test_staff_preview_every_session(client, tutor, course):
    client.force_login(tutor)
    response = client.get("/sessions/10/")
    assert response.status_code == 200
    assert b"You are previewing the course as staff" in response.content
    assert b"Aim of this session" in response.content


def test_a_learner_cannot_be_active_in_two_cohorts(alice, cohort, course):
    from django.db import IntegrityError

    other = make_cohort(course, "Another")
    with pytest.raises(IntegrityError):
        Enrolment.objects.create(cohort=other, learner=alice)
