"""The course player through HTTP: the outline and each session's state,
previous and next across sessions, Continue, and forewarning of content notes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import Session, SessionCompletion, Visit
from tests.helpers import COURSE_PAGES, STORY, make_cohort

pytestmark = pytest.mark.django_db


def neighbours(client, url):
    context = client.get(url).context
    before, after = context["previous_page"], context["next_page"]
    return (before.url if before else None, after.url if after else None)


def test_previous_and_next_walk_the_whole_course_in_order_and_back(alice_client):
    for index, url in enumerate(COURSE_PAGES):
        before, after = neighbours(alice_client, url)
        assert before == (COURSE_PAGES[index - 1] if index else None)
        assert after == (COURSE_PAGES[index + 1] if index + 1 < len(COURSE_PAGES) else None)
    html = alice_client.get(STORY).content.decode()
    assert 'rel="prev"' in html and 'href="/sessions/3/"' in html
    assert 'rel="next"' in html and "Session 4: What is Peer Support?" in html


def states(client):
    return {
        entry.session.number: entry.state for entry in client.get("/sessions/1/").context["outline"]
    }


def test_the_outline_shows_each_sessions_state(client, course, alice, bob, tutor):
    # Sessions 1 to 4 open; 5 to 11 not yet.
    start = timezone.localdate() - timedelta(weeks=3)
    make_cohort(course, "Autumn", start=start, tutors=[tutor], learners=[alice, bob])
    client.force_login(alice)
    SessionCompletion.objects.create(learner=alice, session=Session.objects.get(number=2))
    client.get(STORY)  # opens a lesson of session 3: started
    shown = states(client)  # opening session 1 starts it too
    assert shown == {
        1: "in_progress",
        2: "completed",
        3: "in_progress",
        4: "open",
        **{n: "not_open" for n in range(5, 12)},
    }
    html = client.get("/sessions/1/").content.decode()
    assert "In progress" in html and "Completed" in html and "Opens on" in html
    # The page shown is marked in the outline, and opened lessons say so.
    assert 'aria-current="page"' in html
    story_html = client.get(STORY).content.decode()
    assert "Opened" in story_html

    # Bob's outline is his own.
    client.force_login(bob)
    assert states(client)[2] == "open"


def test_a_visit_is_recorded_once_and_never_in_a_staff_preview(
    alice_client, alice, coordinator, client
):
    for _ in range(3):
        alice_client.get(STORY)
    assert Visit.objects.filter(learner=alice, lesson__isnull=False).count() == 1
    alice_client.get("/sessions/3/")
    alice_client.get("/sessions/3/")
    assert Visit.objects.filter(learner=alice).count() == 2

    client.force_login(coordinator)
    client.get(STORY)
    assert not Visit.objects.filter(learner=coordinator).exists()


def test_a_session_not_open_yet_records_no_visit(client, course, alice):
    make_cohort(course, "Today", start=timezone.localdate(), learners=[alice])
    client.force_login(alice)
    client.get("/sessions/5/")
    assert not Visit.objects.filter(learner=alice).exists()


def continue_url(client):
    page = client.get("/").context["next_page"]
    return page.url if page else None


def test_continue_leads_to_the_next_unfinished_page(alice_client, alice):
    assert continue_url(alice_client) == "/sessions/1/"
    html = alice_client.get("/").content.decode()
    assert 'id="continue"' in html and "Start the course" in html
    assert html.index('id="continue"') < html.index('id="progress-heading"')

    alice_client.get("/sessions/1/")
    assert continue_url(alice_client) == "/sessions/1/"  # opened, not yet complete
    alice_client.post("/sessions/1/complete/", {"completed": "1"})
    alice_client.post("/sessions/2/complete/", {"completed": "1"})
    assert continue_url(alice_client) == "/sessions/3/"
    alice_client.get("/sessions/3/")
    assert continue_url(alice_client) == STORY  # the page of session 3 not yet opened
    assert "Continue" in alice_client.get("/").content.decode()
    alice_client.get(STORY)
    assert continue_url(alice_client) == "/sessions/3/"  # all opened: mark it complete


def test_continue_says_when_the_next_session_opens_once_all_open_ones_are_done(
    client, course, alice
):
    make_cohort(course, "Today", start=timezone.localdate(), learners=[alice])
    client.force_login(alice)
    client.post("/sessions/1/complete/", {"completed": "1"})
    response = client.get("/")
    assert response.context["next_page"] is None
    html = response.content.decode()
    opens = timezone.localdate() + timedelta(weeks=1)
    assert "You are up to date." in html
    assert f"opens on {opens:%A} {opens.day} {opens:%B}" in html


def test_every_session_complete_points_to_the_assignments(alice_client, alice):
    for session in Session.objects.all():
        SessionCompletion.objects.create(learner=alice, session=session)
    html = alice_client.get("/").content.decode()
    assert "You have completed every session." in html
    assert 'href="#assignments-heading"' in html


def test_mark_complete_is_offered_on_the_page_that_ends_the_session(alice_client):
    assert "Mark session 3 as complete" in alice_client.get(STORY).content.decode()
    assert "Mark session 2 as complete" in alice_client.get("/sessions/2/").content.decode()
    assert "Then on to session 3." in alice_client.get("/sessions/2/").content.decode()


def test_content_notes_are_shown_in_advance(client, course, alice):
    make_cohort(course, "Today", start=timezone.localdate(), learners=[alice])
    client.force_login(alice)
    ten = Session.objects.get(number=10)
    assert ten.content_note  # trauma, suicidality and risk
    dashboard = client.get("/").content.decode()
    row = dashboard[dashboard.index("Session 10</span>") :]
    row = row[: row.index("</li>")]
    assert "Content note" in row
    assert "Content note" not in dashboard[dashboard.index("Session 2</span>") :][:400]

    page = client.get("/sessions/10/").content.decode()
    assert "This session opens on" in page
    assert "Content note, so you can prepare" in page
    assert ten.content_note_html in page
    assert ten.aim_html not in page  # the session's content itself waits


def test_the_outline_and_pager_are_in_the_pages_own_order_for_staff_too(coordinator_client):
    # A staff preview sees every session open and records nothing.
    context = coordinator_client.get("/sessions/11/").context
    assert context["next_page"] is None
    assert context["previous_page"].url == "/sessions/10/"
    assert {entry.state for entry in context["outline"]} == {"open"}
