"""Each process keeps a copy of the course and of each cohort's timetable
(courses/learner/copies.py). A learner's next page shows every kind of change a
coordinator makes, however it is made; test_multiprocess.py shows the same
across app servers."""

from datetime import time

import pytest
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client
from django.utils import timezone

from assessments.models import Assignment, Criterion
from courses.learner.copies import StaleCopy, structure_of
from courses.models import (
    AssignmentDeadline,
    Cohort,
    Course,
    DeadlineExtension,
    Enrolment,
    SessionRelease,
)
from reflections.models import ReflectionPrompt
from sessions.models import Lesson, Session
from tests.helpers import edit, session_form

pytestmark = pytest.mark.django_db

STORY = "/sessions/3/a-personal-story-of-recovery/"


@pytest.fixture
def learner(alice, cohort):
    client = Client()
    client.force_login(alice)
    return client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_edit_in_the_admin_shows_on_the_learners_next_page(learner, coordinator_client):
    assert "Welcome and Introductions" in page(learner, "/")
    session = Session.objects.get(number=1)
    response = coordinator_client.post(
        f"/admin/course_sessions/session/{session.pk}/change/",
        session_form(session, title="Welcome, everyone"),
    )
    assert response.status_code == 302
    dashboard = page(learner, "/")
    assert "Welcome, everyone" in dashboard and "Welcome and Introductions" not in dashboard


def test_new_and_removed_content_shows_at_once(learner, course):
    assert "What gave you hope?" not in page(learner, "/sessions/2/")
    session = Session.objects.get(number=2)
    ReflectionPrompt.objects.create(session=session, text="What gave you hope?", order=9)
    assert "What gave you hope?" in page(learner, "/sessions/2/")

    assert learner.get(STORY).status_code == 200
    Lesson.objects.get(slug="a-personal-story-of-recovery").delete()
    assert learner.get(STORY).status_code == 404

    edit(Assignment.objects.get(number=2), title="Your own practice")
    assert "Assignment 2: Your own practice" in page(learner, "/")


def copy_of_the_course():
    course = Course.objects.get()
    return structure_of(course.pk, course.structure_version)


def test_the_copy_holds_each_assignments_criteria_in_order(course):
    assignment = copy_of_the_course().assignment_by_number[1]
    stored = Criterion.objects.filter(assignment__number=1).order_by("order", "pk")
    assert assignment.criteria_in_order == list(stored)
    assert assignment.criteria_in_order[0].text.startswith("Relates your own recovery story")
    assert assignment.criteria_in_order[0].assignment is assignment  # no lazy load


def test_a_criterion_added_changed_or_removed_gives_a_new_copy(course):
    def texts(number):
        return [c.text for c in copy_of_the_course().assignment_by_number[number].criteria_in_order]

    assert len(texts(2)) == 5
    last = Criterion.objects.create(
        assignment=Assignment.objects.get(number=2), order=9, text="Uses an example"
    )
    assert texts(2)[-1] == "Uses an example"
    edit(last, text="Uses an example from practice")
    assert texts(2)[-1] == "Uses an example from practice"
    last.delete()
    assert len(texts(2)) == 5


def test_the_stale_copy_check_compares_the_criteria(course):
    copy_of_the_course()
    # A write that escapes the models' versions (as raw SQL would): the
    # suite's check (COPIES_CHECK) must notice that the copy differs.
    quietly = Criterion.objects.filter(assignment__number=1, order=1)
    models.QuerySet.update(quietly, text="Changed behind the copy's back")
    with pytest.raises(StaleCopy):
        copy_of_the_course()


def test_the_course_and_cohort_themselves_show_their_changes(learner, course, cohort):
    assert "Spring" in page(learner, "/")
    edit(course, title="Peer Support Work: a course")
    edit(cohort, name="Spring in Leeds", contact_email="leeds@example.org")
    dashboard = page(learner, "/")
    assert "Peer Support Work: a course" in dashboard
    assert "Spring in Leeds" in dashboard and "leeds@example.org" in dashboard


def test_a_changed_deadline_and_tutors_show_on_the_dashboard(learner, cohort, tutor, other_tutor):
    dashboard = page(learner, "/")
    assert "Otto" not in dashboard
    new_date = timezone.localdate() + timezone.timedelta(days=40)
    edit(AssignmentDeadline.objects.get(cohort=cohort, assignment__number=1), due_on=new_date)
    assert f"{new_date:%A} {new_date.day} {new_date:%B %Y}" in page(learner, "/")

    cohort.tutors.add(other_tutor)
    assert "Your tutors:" in page(learner, "/")
    edit(other_tutor, first_name="Ottilie")
    assert "Ottilie" in page(learner, "/")
    other_tutor.tutored_cohorts.remove(cohort)  # from the tutor's side
    assert "Ottilie" not in page(learner, "/")
    cohort.tutors.add(other_tutor)
    assert "Ottilie" in page(learner, "/")
    other_tutor.delete()
    assert "Ottilie" not in page(learner, "/")


def test_an_extension_granted_or_removed_shows_at_once(learner, alice, cohort, coordinator):
    assert "your extended deadline" not in page(learner, "/")
    extension = DeadlineExtension.objects.create(
        enrolment=Enrolment.objects.get(learner=alice),
        assignment=Assignment.objects.get(number=1),
        due_on=timezone.localdate() + timezone.timedelta(days=60),
        granted_by=coordinator,
    )
    assert "your extended deadline" in page(learner, "/")
    extension.delete()
    assert "your extended deadline" not in page(learner, "/")


def test_rerendering_the_stored_html_reaches_every_page(learner):
    Session.objects.filter(number=1).update(body_html="<p>STALE</p>")
    assert "STALE" in page(learner, "/sessions/1/")
    call_command("rerender_markdown", stdout=None)
    assert "STALE" not in page(learner, "/sessions/1/")


def test_a_change_rolled_back_leaves_no_trace(learner):
    with pytest.raises(RuntimeError), transaction.atomic():
        edit(Session.objects.get(number=1), title="Never committed")
        assert "Never committed" in page(learner, "/")  # this process read it
        raise RuntimeError("roll back")
    dashboard = page(learner, "/")
    assert "Never committed" not in dashboard and "Welcome and Introductions" in dashboard


def test_a_changed_time_or_place_of_the_live_sessions_shows_at_once(learner, cohort):
    assert "Live session:" in page(learner, "/sessions/3/")
    assert "Room 4" not in page(learner, "/sessions/3/")
    edit(
        cohort, session_starts_at=time(10), session_ends_at=time(12, 30), session_location="Room 4"
    )
    session_page = page(learner, "/sessions/3/")
    assert "10:00–12:30 (UK time)" in session_page and "Where: Room 4" in session_page
    third = SessionRelease.objects.get(cohort=cohort, session__number=3)
    edit(third, starts_at=time(18), ends_at=time(20), location="Room 9")
    session_page = page(learner, "/sessions/3/")
    assert "18:00–20:00 (UK time)" in session_page and "Where: Room 9" in session_page
    edit(cohort, time_zone="America/New_York")
    assert "18:00–20:00 (New York time)" in page(learner, "/sessions/3/")


@pytest.mark.parametrize(
    ("rows", "change"),
    [
        ("release", {"location": "Changed behind the copy's back"}),
        ("release", {"starts_at": time(7)}),
        ("cohort", {"session_meeting_url": "https://meet.example.org/behind"}),
        ("cohort", {"time_zone": "Europe/Dublin"}),
    ],
)
def test_the_stale_copy_check_compares_the_live_sessions(learner, cohort, rows, change):
    page(learner, "/sessions/3/")
    quietly = (
        SessionRelease.objects.filter(cohort=cohort, session__number=3)
        if rows == "release"
        else Cohort.objects.filter(pk=cohort.pk)
    )
    models.QuerySet.update(quietly, **change)
    with pytest.raises(StaleCopy):
        learner.get("/sessions/3/")
