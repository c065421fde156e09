"""Each person's private calendar feed (/calendar/<token>.ics): what is in
it, what never is, how it follows changes, and who can read it."""

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from assessments.models import Assignment, Submission
from calendars.models import CalendarFeed
from calendars.services import feed_for
from courses.cohorts import timetable
from courses.models import AssignmentDeadline, DeadlineExtension, Enrolment, SessionRelease
from sessions.models import Lesson, Session
from tests.helpers import edit

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Tuesday 16 March 2027: sessions 1 and 2 are before the clocks go forward
# (Sunday 28 March), session 3 on 30 March is after.
START = date(2027, 3, 16)
MEETING_LINK = "https://meet.example.org/peer-support-room-4411"


@pytest.fixture
def timed_cohort(cohort):
    """Alice and Bob's cohort from 16 March 2027, meeting 10:00 to 12:30 UK
    time, online; session 4 meets in person, in the afternoon."""
    SessionRelease.objects.filter(cohort=cohort).delete()
    AssignmentDeadline.objects.filter(cohort=cohort).delete()
    edit(
        cohort,
        start_date=START,
        time_zone="Europe/London",
        session_starts_at=time(10),
        session_ends_at=time(12, 30),
        session_meeting_url=MEETING_LINK,
    )
    timetable.create_timetable(cohort)
    edit(
        SessionRelease.objects.get(cohort=cohort, session__number=4),
        starts_at=time(14),
        ends_at=time(16),
        location="Room 4, Leeds Mind",
    )
    return cohort


def feed_of(client, user):
    return client.get(f"/calendar/{feed_for(user).token}.ics")


def parse(response):
    assert response.status_code == 200, response.status_code
    return icalendar.Calendar.from_ical(response.content)


def events_by_uid(calendar) -> dict:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def session_event(calendar, cohort, number):
    session = Session.objects.get(number=number)
    uid = f"session-{cohort.pk}-{session.pk}@calendar.peer-support-training"
    return events_by_uid(calendar)[uid]


def deadline_events(calendar) -> dict:
    return {
        int(re.search(r"assignment (\d+) due", str(e["SUMMARY"])).group(1)): e
        for e in calendar.walk("VEVENT")
        if str(e["UID"]).startswith("deadline-")
    }


# ------------------------------------------------------------ what is in it


def test_one_event_per_session_at_its_time_in_the_cohorts_zone(client, alice, timed_cohort):
    calendar = parse(feed_of(client, alice))

    sessions = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("session-")]
    assert len(sessions) == Session.objects.count() == 11
    second = session_event(calendar, timed_cohort, 2)
    assert second["DTSTART"].params["TZID"] == "Europe/London"
    assert second.start == datetime(2027, 3, 23, 10, tzinfo=LONDON)
    assert second.end == datetime(2027, 3, 23, 12, 30, tzinfo=LONDON)
    assert str(second["SUMMARY"]) == "Peer Support Training — session 2"
    assert str(second["LOCATION"]) == "Online"
    # The session's page on this site, never the meeting link.
    assert str(second["URL"]) == "http://testserver/sessions/2/"
    assert "http://testserver/sessions/2/" in str(second["DESCRIPTION"])
    assert MEETING_LINK.encode() not in feed_of(client, alice).content
    # Session 4's own time and place.
    fourth = session_event(calendar, timed_cohort, 4)
    assert fourth.start == datetime(2027, 4, 6, 14, tzinfo=LONDON)
    assert str(fourth["LOCATION"]) == "Room 4, Leeds Mind"
    # The time zone is described in the file itself.
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/London"]


def test_session_times_keep_to_the_wall_clock_across_the_change_to_summer_time(
    client, alice, timed_cohort
):
    calendar = parse(feed_of(client, alice))

    before = session_event(calendar, timed_cohort, 2).start  # 23 March, GMT
    after = session_event(calendar, timed_cohort, 3).start  # 30 March, BST
    assert before.astimezone(timezone.utc) == datetime(2027, 3, 23, 10, tzinfo=timezone.utc)
    assert after.astimezone(timezone.utc) == datetime(2027, 3, 30, 9, tzinfo=timezone.utc)
    assert b"DTSTART;TZID=Europe/London:20270330T100000" in feed_of(client, alice).content


def test_times_follow_the_cohorts_own_zone_not_the_sites(client, alice, timed_cohort):
    edit(timed_cohort, time_zone="America/New_York")

    calendar = parse(feed_of(client, alice))

    first = session_event(calendar, timed_cohort, 1)
    assert first["DTSTART"].params["TZID"] == "America/New_York"
    # 10:00 in New York on 16 March 2027 (summer time there since the 14th).
    assert first.start.astimezone(timezone.utc) == datetime(2027, 3, 16, 14, tzinfo=timezone.utc)
    assert [tz.tz_name for tz in calendar.timezones] == ["America/New_York"]


def test_a_session_without_a_time_is_an_all_day_event(client, alice, timed_cohort):
    edit(timed_cohort, session_starts_at=None, session_ends_at=None)

    calendar = parse(feed_of(client, alice))

    second = session_event(calendar, timed_cohort, 2)
    assert second.start == date(2027, 3, 23)
    assert second.end == date(2027, 3, 24)
    assert second["DTSTART"].params["VALUE"] == "DATE"


def test_deadlines_are_all_day_events_with_the_learners_own_extension(
    client, alice, bob, timed_cohort
):
    first, final = Assignment.objects.order_by("number")
    cohort_due = AssignmentDeadline.objects.get(cohort=timed_cohort, assignment=first).due_on
    DeadlineExtension.objects.create(
        enrolment=Enrolment.objects.get(learner=alice),
        assignment=first,
        due_on=cohort_due + timedelta(days=7),
    )

    alices = deadline_events(parse(feed_of(client, alice)))
    bobs = deadline_events(parse(feed_of(client, bob)))

    assert alices[1].start == cohort_due + timedelta(days=7)
    assert alices[1].end == cohort_due + timedelta(days=8)
    assert alices[1]["DTSTART"].params["VALUE"] == "DATE"
    assert str(alices[1]["SUMMARY"]) == "Peer Support Training — assignment 1 due"
    assert bobs[1].start == cohort_due
    final_due = AssignmentDeadline.objects.get(cohort=timed_cohort, assignment=final).due_on
    assert alices[2].start == bobs[2].start == final_due
    # Each learner's deadlines are their own events.
    assert str(alices[1]["UID"]) != str(bobs[1]["UID"])


def test_a_referred_essays_next_attempt_moves_the_deadline(client, alice, timed_cohort):
    first = Assignment.objects.get(number=1)
    before = deadline_events(parse(feed_of(client, alice)))[1]
    Submission.objects.create(learner=alice, assignment=first, attempt=2, due_on=date(2027, 7, 9))

    after = deadline_events(parse(feed_of(client, alice)))[1]

    assert after.start == date(2027, 7, 9)
    assert str(after["UID"]) == str(before["UID"])
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1


# Words of the content notes that may appear in the feed all the same.
NEUTRAL_WORDS = {"session", "support", "course", "sessions"}


def test_nothing_in_the_feed_names_a_topic(client, alice, tutor, timed_cohort):
    Lesson.objects.update(title="Trauma and suicidality")  # a lesson title, all the same
    for person in (alice, tutor):
        calendar = parse(feed_of(client, person))
        texts = [str(calendar.get(name, "")) for name in ("NAME", "X-WR-CALNAME", "DESCRIPTION")]
        for event in calendar.walk("VEVENT"):
            texts += [str(event.get(name, "")) for name in ("SUMMARY", "DESCRIPTION", "LOCATION")]
            texts += [str(event.get("URL", ""))]
        text = "\n".join(texts).lower()

        titles = [
            *Session.objects.values_list("title", flat=True),
            *Assignment.objects.values_list("title", flat=True),
            *Lesson.objects.values_list("title", flat=True),
        ]
        for title in titles:
            assert title.lower() not in text, title
        note_words = {
            word
            for note in Session.objects.values_list("content_note", flat=True)
            for word in re.findall(r"[a-z]{6,}", note.lower())
        }
        for word in [*(note_words - NEUTRAL_WORDS), "trauma", "suicid", "risk", "recovery"]:
            assert word not in text, word
        assert MEETING_LINK not in text


# ------------------------------------------------------------ changes


def test_a_changed_date_raises_the_sequence_and_keeps_the_uid(client, alice, timed_cohort):
    before = session_event(parse(feed_of(client, alice)), timed_cohort, 5)
    assert before["SEQUENCE"] == 0

    release = SessionRelease.objects.get(cohort=timed_cohort, session__number=5)
    edit(release, opens_on=release.opens_on + timedelta(days=1))
    after = session_event(parse(feed_of(client, alice)), timed_cohort, 5)

    assert str(after["UID"]) == str(before["UID"])
    assert after["SEQUENCE"] == 1
    assert after.start == before.start + timedelta(days=1)
    # Unchanged events keep theirs; asking again changes nothing.
    again = parse(feed_of(client, alice))
    assert session_event(again, timed_cohort, 5)["SEQUENCE"] == 1
    assert session_event(again, timed_cohort, 6)["SEQUENCE"] == 0


def test_the_sequence_rises_for_a_change_of_time_place_or_deadline(
    client, alice, bob, tutor, timed_cohort
):
    feed_of(client, alice)  # everyone's events as they were
    feed_of(client, tutor)
    edit(timed_cohort, session_location="The Hub, Leeds")
    # A queryset's update() too (however a date changes, the feed notices).
    SessionRelease.objects.filter(cohort=timed_cohort, session__number=7).update(starts_at=time(11))
    DeadlineExtension.objects.create(
        enrolment=Enrolment.objects.get(learner=alice),
        assignment=Assignment.objects.get(number=1),
        due_on=date(2027, 6, 30),
    )

    calendar = parse(feed_of(client, alice))
    assert session_event(calendar, timed_cohort, 2)["SEQUENCE"] == 1
    assert session_event(calendar, timed_cohort, 4)["SEQUENCE"] == 0  # its own place
    seventh = session_event(calendar, timed_cohort, 7)  # place and time: one change
    assert seventh["SEQUENCE"] == 1 and seventh.start.hour == 11
    assert deadline_events(calendar)[1]["SEQUENCE"] == 1
    assert deadline_events(calendar)[2]["SEQUENCE"] == 0
    # The tutor's copy of the same session is the same event, changed once.
    tutors = parse(feed_of(client, tutor))
    assert session_event(tutors, timed_cohort, 2)["SEQUENCE"] == 1
    assert deadline_events(tutors)[1]["SEQUENCE"] == 0  # the cohort's date did not move


# ------------------------------------------------------------ who sees what


def test_each_token_shows_its_own_persons_events_only(
    client, alice, bob, charlie, timed_cohort, other_cohort
):
    alices = events_by_uid(parse(feed_of(client, alice)))
    bobs = events_by_uid(parse(feed_of(client, bob)))
    charlies = events_by_uid(parse(feed_of(client, charlie)))

    alice_enrolment = Enrolment.objects.get(learner=alice).pk
    assert any(f"-enrolment-{alice_enrolment}@" in uid for uid in alices)
    assert not any(f"-enrolment-{alice_enrolment}@" in uid for uid in bobs | charlies)
    assert all(f"session-{other_cohort.pk}-" not in uid for uid in alices)
    assert all(f"session-{timed_cohort.pk}-" not in uid for uid in charlies)
    assert sum(uid.startswith(f"session-{other_cohort.pk}-") for uid in charlies) == 11


def test_tutors_get_the_cohorts_they_tutor(client, tutor, other_tutor, timed_cohort, other_cohort):
    tinas = parse(feed_of(client, tutor))
    uids = events_by_uid(tinas)

    assert sum(uid.startswith(f"session-{timed_cohort.pk}-") for uid in uids) == 11
    assert not any(uid.startswith(f"session-{other_cohort.pk}-") for uid in uids)
    assert {f"deadline-{a.pk}-cohort-{timed_cohort.pk}@" for a in Assignment.objects.all()} == {
        uid.split("calendar.")[0] for uid in uids if uid.startswith("deadline-")
    }
    second = session_event(tinas, timed_cohort, 2)
    assert str(second["SUMMARY"]) == "Peer Support Training — session 2 (Spring)"

    other_cohort.tutors.add(tutor)
    uids = events_by_uid(parse(feed_of(client, tutor)))
    assert sum(uid.startswith(f"session-{other_cohort.pk}-") for uid in uids) == 11


def test_a_coordinator_who_tutors_nothing_gets_an_empty_valid_calendar(client, coordinator):
    calendar = parse(feed_of(client, coordinator))

    assert calendar.walk("VEVENT") == []
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar.subcomponents  # RFC 5545: at least one component (a VTIMEZONE)


def test_a_withdrawn_learner_gets_an_empty_calendar(client, alice, timed_cohort):
    Enrolment.objects.filter(learner=alice).update(withdrawn_at=datetime(2027, 4, 1, tzinfo=LONDON))

    assert parse(feed_of(client, alice)).walk("VEVENT") == []


def test_a_deactivated_persons_token_finds_nothing(client, alice, timed_cohort):
    token = feed_for(alice).token
    edit(alice, is_active=False)

    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_reset_token_stops_at_once_and_the_new_one_works(client, alice, timed_cohort):
    old = feed_for(alice).token
    client.force_login(alice)

    response = client.post("/account/calendar/reset/")

    assert response.status_code == 302
    assert response["Location"] == "/account/#calendar"
    new = CalendarFeed.objects.get(user=alice)
    assert new.token != old and new.reset_at is not None
    client.logout()
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new.token}.ics").status_code == 200


def test_tokens_are_long_and_random(alice, bob):
    tokens = {feed_for(alice).token, feed_for(bob).token}
    assert len(tokens) == 2
    assert all(len(token) >= 43 for token in tokens)


@pytest.mark.parametrize("token", ["not-a-token", "x" * 200, "%00", "a%00b", "a%20b", "%C3%A9"])
def test_an_unknown_token_is_not_found(client, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


# ------------------------------------------------------------ the response


def test_the_feed_is_private_and_never_indexed(client, alice, timed_cohort):
    response = feed_of(client, alice)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    # Calendar apps are asked to look again every hour.
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content
    assert b"X-PUBLISHED-TTL:PT1H" in response.content
    # Calendar apps send no cookie, so nothing of a login is set either.
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies


def test_a_calendar_app_may_ask_with_head(client, alice, timed_cohort):
    assert client.head(f"/calendar/{feed_for(alice).token}.ics").status_code == 200
    assert client.post(f"/calendar/{feed_for(alice).token}.ics").status_code == 405


def test_the_feed_takes_a_fixed_number_of_queries(
    client, alice, tutor, timed_cohort, other_cohort, django_assert_num_queries
):
    other_cohort.tutors.add(tutor)
    alices = f"/calendar/{feed_for(alice).token}.ics"
    tinas = f"/calendar/{feed_for(tutor).token}.ics"
    client.get(alices)  # the copies of the course and timetables are read, events recorded
    client.get(tinas)

    # No login, so no session. The person by the token; their active
    # enrolment with the versions of its copies, the same query every page
    # reads the login with (courses/learner/access.py); the dates of their
    # later attempts (a referred essay's); the events' revisions.
    with django_assert_num_queries(4):
        client.get(alices)
    # The person by the token; the cohorts they tutor, with the versions; the revisions.
    with django_assert_num_queries(3):
        client.get(tinas)


# ------------------------------------------------------------ the account page


def test_the_account_page_gives_the_address_and_ways_to_add_it(client, alice, timed_cohort):
    client.force_login(alice)

    response = client.get("/account/")
    client.get("/account/")

    feed = CalendarFeed.objects.get(user=alice)  # made once, on the first view
    html = response.content.decode()
    address = f"http://testserver/calendar/{feed.token}.ics"
    assert f'value="{address}"' in html
    assert f'href="webcal://testserver/calendar/{feed.token}.ics"' in html
    assert "https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Ftestserver" in html
    assert (
        "https://outlook.live.com/calendar/0/addfromweb?url=http%3A%2F%2Ftestserver%2Fcalendar%2F"
        f"{feed.token}.ics&amp;name=Peer%20Support%20Training"
    ) in html
    assert "Download this calendar (.ics)" in html
    assert 'action="/account/calendar/reset/"' in html
    assert "stops working at once" in html


def test_staff_have_a_calendar_on_their_account_page_too(client, tutor):
    client.force_login(tutor)

    html = client.get("/account/").content.decode()

    assert "the cohorts you tutor" in html
    assert CalendarFeed.objects.get(user=tutor).token in html


def test_a_reset_changes_only_ones_own_address(client, alice, bob, timed_cohort):
    alices = feed_for(alice).token
    client.force_login(bob)

    client.post("/account/calendar/reset/")

    assert CalendarFeed.objects.get(user=alice).token == alices
    assert client.get("/account/calendar/reset/").status_code == 405  # only a form resets
