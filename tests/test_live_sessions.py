"""Live sessions have a time and a place (courses/learner/live.py): a cohort's
defaults and each session's own, the rules a coordinator is held to in the
admin, and what learners see on their course page and the session's page,
with the online link only from the day before."""

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from courses.learner.copies import timetable_of
from courses.learner.live import LiveSessionNow, live_session, zone_name
from courses.management.commands.seed_demo import DEMO_MEETING_URL, DEMO_ONLINE_SESSION
from courses.models import MEETING_LINK_MESSAGE, Cohort, SessionRelease
from sessions.models import Session
from tests.helpers import edit, inline_management
from tests.test_learner_pages import DASHBOARD_QUERIES, SESSION_QUERIES

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
# A Tuesday after both clock changes of 2027 (New York's on 14 March, the
# UK's on 28 March): 10:00 is 09:00 UTC in London and 14:00 UTC in New York.
SESSION_DAY = date(2027, 3, 30)
LINK = "https://meet.example.org/spring-group"


def release(cohort, number) -> SessionRelease:
    return SessionRelease.objects.get(cohort=cohort, session__number=number)


@pytest.fixture
def timetabled(cohort):
    """Alice and Bob's cohort meets 10:00–12:30 in Room 4; session 3 meets
    on SESSION_DAY and online."""
    edit(
        cohort,
        session_starts_at=time(10),
        session_ends_at=time(12, 30),
        session_location="Room 4, Park Lane Centre",
    )
    edit(release(cohort, 3), opens_on=SESSION_DAY, meeting_url=LINK)
    return cohort


def live(cohort, number=3):
    cohort = Cohort.objects.get(pk=cohort.pk)
    return live_session(
        timetable_of(cohort.pk, cohort.timetable_version), Session.objects.get(number=number)
    )


@contextmanager
def logged_in_at(user, moment):
    """A client for ``user`` with the clock stopped at ``moment``."""
    with time_machine.travel(moment, tick=False):
        client = Client()
        client.force_login(user)
        yield client


def html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# ------------------------------------------------------------ the rules a coordinator meets


def test_a_time_zone_must_be_one_the_world_uses(cohort):
    cohort.time_zone = "Europe/Lundon"
    with pytest.raises(ValidationError) as error:
        cohort.full_clean()
    assert error.value.message_dict["time_zone"] == [
        "Please choose a time zone from the list, for example Europe/London."
    ]
    cohort.time_zone = "America/New_York"
    cohort.full_clean()


def test_a_cohorts_end_time_needs_a_start_time_before_it(cohort):
    cohort.session_ends_at = time(12, 30)
    with pytest.raises(ValidationError) as error:
        cohort.full_clean()
    assert error.value.message_dict == {
        "session_starts_at": ["Please add the start time too, or leave the end time empty."]
    }
    cohort.session_starts_at = time(13)
    with pytest.raises(ValidationError) as error:
        cohort.full_clean()
    assert list(error.value.message_dict) == ["session_ends_at"]
    assert "not after the start time (13:00)" in error.value.messages[0]
    cohort.session_starts_at = time(10)
    cohort.full_clean()


def test_a_sessions_own_times_are_checked_with_what_it_inherits(timetabled):
    session = release(timetabled, 5)
    session.ends_at = time(11)  # starts at the cohort's 10:00: fine
    session.full_clean()
    session.ends_at = time(9, 30)
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "not after the start time (10:00)" in error.value.message_dict["ends_at"][0]
    session.ends_at, session.starts_at = None, time(13)  # after the cohort's 12:30
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert error.value.message_dict["starts_at"] == [
        "This is after the cohort’s usual end time (12:30): please give an end time for this "
        "session too."
    ]
    session.ends_at = time(15)
    session.full_clean()


def test_without_the_cohorts_times_a_sessions_end_needs_its_own_start(cohort):
    session = release(cohort, 5)
    session.ends_at = time(11)
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert list(error.value.message_dict) == ["starts_at"]


@pytest.mark.parametrize(
    "link", ["http://meet.example.org/x", "javascript:alert(1)", "ftp://meet.example.org/x"]
)
def test_only_https_meeting_links_are_taken(cohort, link):
    # (Outside the admin, Django's own "Enter a valid URL." may come first;
    # the admin shows the kind message alone: see below.)
    cohort.session_meeting_url = link
    with pytest.raises(ValidationError) as error:
        cohort.full_clean()
    assert MEETING_LINK_MESSAGE in error.value.message_dict["session_meeting_url"]
    session = release(cohort, 2)
    session.meeting_url = link
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert MEETING_LINK_MESSAGE in error.value.message_dict["meeting_url"]


# ------------------------------------------------------------ the admin


def cohort_form(cohort, releases=(), **changes) -> dict:
    """The cohort's admin form as saved unchanged, but for ``changes``;
    ``releases``: {session number: {field: value}} for the timetable rows."""
    data = {
        "course": cohort.course_id,
        "name": cohort.name,
        "start_date": cohort.start_date.isoformat(),
        "contact_email": cohort.contact_email,
        "tutors": [t.pk for t in cohort.tutors.all()],
        "time_zone": cohort.time_zone,
        "session_starts_at": "",
        "session_ends_at": "",
        "session_location": "",
        "session_meeting_url": "",
        **inline_management("releases", "deadlines", "enrolments"),
        **changes,
    }
    rows = list(cohort.releases.order_by("session__number"))
    if releases:
        data["releases-TOTAL_FORMS"] = data["releases-INITIAL_FORMS"] = str(len(rows))
        for index, row in enumerate(rows):
            own = releases.get(row.session.number, {})
            data.update(
                {
                    f"releases-{index}-id": row.pk,
                    f"releases-{index}-cohort": cohort.pk,
                    f"releases-{index}-session": row.session_id,
                    f"releases-{index}-opens_on": row.opens_on.isoformat(),
                    f"releases-{index}-starts_at": own.get("starts_at", ""),
                    f"releases-{index}-ends_at": own.get("ends_at", ""),
                    f"releases-{index}-location": own.get("location", ""),
                    f"releases-{index}-meeting_url": own.get("meeting_url", ""),
                }
            )
    return data


def change_url(cohort) -> str:
    return f"/admin/courses/cohort/{cohort.pk}/change/"


def test_coordinators_set_the_cohorts_time_and_place_and_a_sessions_own(coordinator_client, cohort):
    page = coordinator_client.get(change_url(cohort)).content.decode()
    assert "Live sessions" in page and 'name="session_meeting_url"' in page
    # The site's zone first in the list, and chosen.
    zones = page[page.index('name="time_zone"') :]
    assert zones.index('value="Europe/London" selected') < zones.index('value="Africa/Abidjan"')
    assert 'placeholder="cohort’s default"' in page and 'name="releases-0-starts_at"' in page

    response = coordinator_client.post(
        change_url(cohort),
        cohort_form(
            cohort,
            releases={4: {"starts_at": "14:00", "ends_at": "16:30", "meeting_url": LINK}},
            time_zone="America/New_York",
            session_starts_at="10:00",
            session_ends_at="12:30",
            session_location="Room 4",
            # "https://" is taken as meant when left out.
            session_meeting_url="meet.example.org/spring",
        ),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    cohort.refresh_from_db()
    assert (cohort.time_zone, cohort.session_starts_at, cohort.session_ends_at) == (
        "America/New_York",
        time(10),
        time(12, 30),
    )
    assert cohort.session_meeting_url == "https://meet.example.org/spring"
    fourth = release(cohort, 4)
    assert (fourth.starts_at, fourth.ends_at, fourth.meeting_url) == (time(14), time(16, 30), LINK)
    assert release(cohort, 5).starts_at is None


@pytest.mark.parametrize("link", ["http://meet.example.org/x", "javascript:alert(1)"])
def test_the_admin_refuses_an_unsafe_link_kindly_beside_the_field(coordinator_client, cohort, link):
    response = coordinator_client.post(
        change_url(cohort), cohort_form(cohort, session_meeting_url=link)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "session_meeting_url": [MEETING_LINK_MESSAGE]
    }
    assert "Only secure links can be shown to learners" in response.content.decode()

    response = coordinator_client.post(
        change_url(cohort), cohort_form(cohort, releases={2: {"meeting_url": link}})
    )
    assert response.status_code == 200
    rows = response.context["inline_admin_formsets"][0].formset.errors
    assert rows[1] == {"meeting_url": [MEETING_LINK_MESSAGE]}


def test_the_admin_checks_a_sessions_end_against_the_cohorts_new_start(coordinator_client, cohort):
    response = coordinator_client.post(
        change_url(cohort),
        cohort_form(cohort, releases={6: {"ends_at": "10:30"}}, session_starts_at="11:00"),
    )
    assert response.status_code == 200
    rows = response.context["inline_admin_formsets"][0].formset.errors
    assert list(rows[5]) == ["ends_at"] and "(11:00)" in rows[5]["ends_at"][0]


def test_the_admin_refuses_an_unknown_time_zone_kindly(coordinator_client, cohort):
    response = coordinator_client.post(
        change_url(cohort), cohort_form(cohort, time_zone="Mars/Olympus_Mons")
    )
    assert response.context["adminform"].form.errors == {
        "time_zone": ["Please choose a time zone from the list, for example Europe/London."]
    }


def test_a_form_without_a_time_zone_keeps_the_cohorts(coordinator_client, cohort):
    edit(cohort, time_zone="Europe/Dublin")
    data = cohort_form(cohort)
    del data["time_zone"]
    assert coordinator_client.post(change_url(cohort), data).status_code == 302
    cohort.refresh_from_db()
    assert cohort.time_zone == "Europe/Dublin"


def test_tutors_read_the_time_and_place_but_cannot_change_them(client, tutor, timetabled):
    client.force_login(tutor)
    page = client.get(change_url(timetabled)).content.decode()
    assert "Live sessions" in page and "Room 4, Park Lane Centre" in page
    assert 'name="session_location"' not in page and 'name="releases-0-starts_at"' not in page
    response = client.post(change_url(timetabled), cohort_form(timetabled, session_location="X"))
    assert response.status_code == 403


# ------------------------------------------------------------ the one rule


def test_a_session_has_the_cohorts_time_and_place_unless_it_has_its_own(timetabled):
    third = live(timetabled)
    assert third.date == SESSION_DAY
    assert third.starts_at == datetime(2027, 3, 30, 10, tzinfo=LONDON)
    assert third.ends_at == datetime(2027, 3, 30, 12, 30, tzinfo=LONDON)
    assert third.location == "Room 4, Park Lane Centre"
    assert third.meeting_url == LINK  # its own; the cohort has none
    assert third.when_label == "Tuesday 30 March 2027, 10:00–12:30 (UK time)"

    edit(release(timetabled, 3), starts_at=time(18), ends_at=time(20), location="Online")
    third = live(timetabled)
    assert third.time_label == "18:00–20:00" and third.location == "Online"

    fifth = live(timetabled, 5)
    assert fifth.meeting_url == "" and fifth.location == "Room 4, Park Lane Centre"
    assert fifth.starts_at.time() == time(10)


def test_without_times_a_session_is_just_its_day(cohort):
    edit(release(cohort, 3), opens_on=SESSION_DAY)
    third = live(cohort)
    assert third.starts_at is None and third.ends_at is None and third.location == ""
    assert third.when_label == "Tuesday 30 March 2027"


def test_times_are_the_cohorts_wall_clock_across_a_change_of_the_clocks(timetabled, course):
    london = live(timetabled)
    assert london.starts_at.utcoffset() == timedelta(hours=1)  # British Summer Time
    assert london.starts_at.astimezone(ZoneInfo("UTC")).hour == 9

    edit(release(timetabled, 2), opens_on=date(2027, 3, 23))  # a week before: GMT
    assert live(timetabled, 2).starts_at.astimezone(ZoneInfo("UTC")).hour == 10

    edit(timetabled, time_zone="America/New_York")
    new_york = live(timetabled)
    assert new_york.starts_at == datetime(2027, 3, 30, 10, tzinfo=NEW_YORK)
    assert new_york.starts_at.astimezone(ZoneInfo("UTC")).hour == 14
    assert new_york.when_label == "Tuesday 30 March 2027, 10:00–12:30 (New York time)"


def test_the_link_shows_from_24_real_hours_before_even_across_the_clock_change(timetabled):
    # Sunday 28 March 2027: the UK's clocks go forward at 01:00 UTC.
    edit(release(timetabled, 3), opens_on=date(2027, 3, 28))
    third = live(timetabled)
    # 10:00 BST on Sunday is 09:00 UTC; 24 hours before is 09:00 GMT on Saturday.
    assert third.link_visible_from == datetime(2027, 3, 27, 9, tzinfo=LONDON)
    assert not third.link_visible(datetime(2027, 3, 27, 8, 59, tzinfo=LONDON))
    assert third.link_visible(datetime(2027, 3, 27, 9, tzinfo=LONDON))


def test_the_link_shows_from_the_day_before_until_the_day_ends(timetabled):
    third = live(timetabled)
    start = third.starts_at
    assert not third.link_visible(start - timedelta(days=2))
    assert not third.link_visible(start - timedelta(hours=24, minutes=1))
    assert third.link_visible(start - timedelta(hours=23))
    assert third.link_visible(start + timedelta(hours=13))  # 23:00 that evening
    assert not third.link_visible(datetime(2027, 3, 31, tzinfo=LONDON))
    assert third.is_over(datetime(2027, 3, 31, tzinfo=LONDON))
    # Any zone's clock may ask: 07:00 in New York is 12:00 in London.
    assert third.link_visible(datetime(2027, 3, 30, 7, tzinfo=NEW_YORK))


def test_without_a_start_time_the_link_shows_from_midnight_the_day_before_in_the_cohorts_zone(
    cohort,
):
    edit(cohort, time_zone="America/New_York", session_meeting_url=LINK)
    edit(release(cohort, 3), opens_on=SESSION_DAY)
    third = live(cohort)
    assert third.link_visible_from == datetime(2027, 3, 29, tzinfo=NEW_YORK)
    assert not third.link_visible(datetime(2027, 3, 28, 23, 59, tzinfo=NEW_YORK))
    assert third.link_visible(datetime(2027, 3, 29, tzinfo=NEW_YORK))
    assert third.link_visible(datetime(2027, 3, 30, 23, 59, tzinfo=NEW_YORK))
    assert not third.link_visible(datetime(2027, 3, 31, tzinfo=NEW_YORK))


def test_no_link_is_never_visible(timetabled):
    fifth = live(timetabled, 5)
    assert not fifth.link_visible(fifth.starts_at)
    assert LiveSessionNow.at(fifth, fifth.starts_at).link_later is False


def test_a_staff_preview_has_no_cohort_so_no_live_session(course):
    class Preview:
        timetable = None

    assert live_session(Preview(), Session.objects.get(number=3)) is None


def test_zones_are_named_plainly():
    assert zone_name("Europe/London") == "UK time"
    assert zone_name("America/New_York") == "New York time"
    assert zone_name("UTC") == "UTC"


# ------------------------------------------------------------ what learners see

TWO_DAYS_BEFORE = datetime(2027, 3, 28, 10, tzinfo=LONDON)
A_DAY_BEFORE = datetime(2027, 3, 29, 11, tzinfo=LONDON)  # 23 hours before 10:00
DURING = datetime(2027, 3, 30, 11, tzinfo=LONDON)
THE_DAY_AFTER = datetime(2027, 3, 31, 9, tzinfo=LONDON)
WHEN = "Tuesday 30 March 2027, 10:00–12:30 (UK time)"


def test_the_session_page_shows_when_and_where_and_the_link_only_from_the_day_before(
    alice, timetabled
):
    with logged_in_at(alice, TWO_DAYS_BEFORE) as client:
        response = client.get("/sessions/3/")
        page = response.content.decode()
        assert "This session opens on" in page  # not open yet: the day it meets
        assert f'Live session:</strong> <time datetime="2027-03-30T10:00:00+01:00">{WHEN}' in (page)
        assert "Where: Room 4, Park Lane Centre" in page
        assert "Online: the link to join appears here the day before." in page
        assert LINK not in page
        assert response.context["live"].link_later
    with logged_in_at(alice, A_DAY_BEFORE) as client:
        page = html(client, "/sessions/3/")
        assert f'href="{LINK}"' in page and "Join the online session" in page
        assert f"Tomorrow, {WHEN}" in page
        assert "appears here the day before" not in page
    with logged_in_at(alice, DURING) as client:
        page = html(client, "/sessions/3/")
        assert "Aim of this session" in page  # open now
        assert f"Today, {WHEN}" in page and "Join the online session" in page
    with logged_in_at(alice, THE_DAY_AFTER) as client:
        page = html(client, "/sessions/3/")
        assert WHEN in page
        assert LINK not in page and "appears here the day before" not in page


def test_the_dashboard_shows_the_next_live_session(alice, timetabled):
    with logged_in_at(alice, TWO_DAYS_BEFORE) as client:
        response = client.get("/")
        page = response.content.decode()
        assert response.context["progress"].next_live.live.session.number == 3
        assert "Next live session" in page and WHEN in page
        assert 'Session 3: <a href="/sessions/3/">Personal Recovery</a>' in page
        assert "Where: Room 4, Park Lane Centre" in page
        assert "Online: the link to join appears here the day before." in page and LINK not in page
    with logged_in_at(alice, A_DAY_BEFORE) as client:
        assert f'href="{LINK}"' in html(client, "/")
    with logged_in_at(alice, THE_DAY_AFTER) as client:
        # Every other session met months before (the cohort started long ago).
        response = client.get("/")
        assert response.context["progress"].next_live is None
        assert "Next live session" not in response.content.decode()


def test_page_titles_say_nothing_of_the_live_session(alice, timetabled):
    with logged_in_at(alice, A_DAY_BEFORE) as client:
        for url in ("/", "/sessions/3/"):
            page = html(client, url)
            title = page[page.index("<title>") : page.index("</title>")]
            assert "Live" not in title and "Room 4" not in title and "10:00" not in title


def test_a_staff_preview_shows_what_learners_will_see_here_and_no_link(coordinator, timetabled):
    with logged_in_at(coordinator, A_DAY_BEFORE) as client:
        response = client.get("/sessions/3/")
    page = response.content.decode()
    assert response.context["live"] is None
    assert "Learners see here when and where their cohort meets" in page
    assert LINK not in page


def test_another_cohorts_learner_never_sees_this_cohorts_link(charlie, timetabled, other_cohort):
    edit(other_cohort, session_meeting_url="https://meet.example.org/autumn")
    edit(release(other_cohort, 3), opens_on=SESSION_DAY)
    with logged_in_at(charlie, A_DAY_BEFORE) as client:
        for url in ("/", "/sessions/3/"):
            page = html(client, url)
            assert "https://meet.example.org/autumn" in page  # their own
            assert LINK not in page and "Room 4" not in page


def test_a_withdrawn_learner_sees_no_link(alice, timetabled):
    alice.enrolments.update(withdrawn_at=datetime(2027, 1, 1, tzinfo=LONDON))
    with logged_in_at(alice, A_DAY_BEFORE) as client:
        for url in ("/", "/sessions/3/"):
            assert LINK not in client.get(url).content.decode()


def test_live_sessions_cost_the_pages_no_query(alice_client, timetabled, django_assert_num_queries):
    # Today's session, with its link showing: everything comes from the copy.
    edit(release(timetabled, 3), opens_on=timezone.localdate())
    alice_client.get("/")
    alice_client.get("/sessions/3/")  # the first view records the visit
    with django_assert_num_queries(DASHBOARD_QUERIES):
        assert "Join the online session" in alice_client.get("/").content.decode()
    with django_assert_num_queries(SESSION_QUERIES):
        assert "Join the online session" in alice_client.get("/sessions/3/").content.decode()


# ------------------------------------------------------------ the demo


def test_the_demo_cohort_meets_at_a_time_and_place_with_one_session_online(course, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    cohort = Cohort.objects.get(name="Demo cohort")
    assert (cohort.session_starts_at, cohort.session_ends_at) == (time(10), time(12, 30))
    assert cohort.session_location
    online = release(cohort, DEMO_ONLINE_SESSION)
    assert online.meeting_url == DEMO_MEETING_URL
    cohort.full_clean()
    online.full_clean()
    edit(cohort, session_location="Elsewhere")
    call_command("seed_demo", stdout=None)  # again: a coordinator's change is kept
    cohort.refresh_from_db()
    assert cohort.session_location == "Elsewhere"


def test_a_zone_saved_past_the_check_falls_back_to_the_sites(timetabled):
    Cohort.objects.filter(pk=timetabled.pk).update(time_zone="Nowhere/Atlantis")
    assert live(timetabled).starts_at == datetime(2027, 3, 30, 10, tzinfo=LONDON)
