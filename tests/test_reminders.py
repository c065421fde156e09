"""Reminders and the tutors' digest (reminders/), with a frozen clock.

The Leeds cohort starts on Tuesday 5 January 2027, so session 10 ("trauma,
suicidality and risk", the session no email may name) meets on Tuesday
9 March 2027, and assignment 1 is due on Tuesday 23 February 2027.
"""

import importlib
import re
from datetime import date, datetime, time
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail, signing
from django.core.management import CommandError, call_command
from django.test import Client
from django.test.signals import template_rendered

from assessments import services as assessments
from assessments.models import Assignment, Moderation, Submission
from completion import services as completion
from courses.models import DeadlineExtension, Enrolment
from outbox.models import Email
from outbox.services import queue_email
from reflections.models import Reflection, ReflectionPrompt
from reminders.models import Kind, Preferences, SentReminder, Unsubscription
from reminders.services import send_due_reminders
from reminders.unsubscribe import make_token, read_token
from sessions.models import Lesson, Session
from tests.essays import essay_of, submitted_essay
from tests.helpers import edit, make_cohort
from tests.marking import mark
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db

SITE = "https://training.example.org"
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SESSION_SUBJECT = "Peer Support Training: a session tomorrow"
DEADLINE_SUBJECT = "Peer Support Training: a deadline in 3 days"
DIGEST_SUBJECT = "Peer Support Training: your to-do list for today"
SESSION_DAY = date(2027, 3, 9)  # session 10


def at(year, month, day, hour, minute=0, zone=LONDON) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def run_at(moment):
    """One run of the reminders at ``moment``, then the worker sends what it queued."""
    with time_machine.travel(moment, tick=False):
        counts = send_due_reminders()
        run_tasks()
    return counts


def sent(subject, to=None) -> list:
    return [m for m in mail.outbox if m.subject == subject and (to is None or m.to == [to.email])]


def wants(user, **choices):
    Preferences.objects.update_or_create(user=user, defaults=choices)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def leeds(course, alice, bob, tutor):
    return make_cohort(
        course, "Leeds", start=date(2027, 1, 5), tutors=[tutor], learners=[alice, bob]
    )


@pytest.fixture
def session_10(course):
    return Session.objects.get(number=10)


# ---------------------------------------------------------------- a session tomorrow


def test_an_opted_in_learner_gets_the_session_reminder_once_from_8_the_day_before(
    alice, bob, leeds
):
    wants(alice, session_tomorrow=True)
    assert run_at(at(2027, 3, 8, 7, 59))[Kind.SESSION_TOMORROW] == 0
    assert run_at(at(2027, 3, 8, 8, 0))[Kind.SESSION_TOMORROW] == 1
    for minute in (5, 10):  # the next runs, every few minutes
        assert run_at(at(2027, 3, 8, 8, minute))[Kind.SESSION_TOMORROW] == 0
    [reminder] = sent(SESSION_SUBJECT)
    assert reminder.to == ["alice@example.org"]
    assert "session 10 of your course meets tomorrow, Tuesday 9 March 2027" in reminder.body
    assert f"\n{SITE}/sessions/10/\n" in reminder.body
    assert not sent(SESSION_SUBJECT, to=bob)  # Bob did not turn it on


def test_the_reminder_says_when_and_where_the_cohort_meets(alice, leeds):
    edit(
        leeds,
        session_location="Room 2, Leeds Central Library",
        session_starts_at=time(10),
        session_ends_at=time(12, 30),
    )
    wants(alice, session_tomorrow=True)
    run_at(at(2027, 3, 8, 9))
    [reminder] = sent(SESSION_SUBJECT)
    assert "Tuesday 9 March 2027, 10:00–12:30 (UK time)" in reminder.body
    assert "Where: Room 2, Leeds Central Library" in reminder.body


@pytest.mark.parametrize(
    ("hour", "minute", "sends"),
    [(7, 59, False), (8, 0, True), (20, 59, True), (21, 0, False), (21, 30, False)],
)
def test_nothing_is_sent_in_quiet_hours(alice, leeds, hour, minute, sends):
    wants(alice, session_tomorrow=True)
    run_at(at(2027, 3, 8, hour, minute))
    assert len(sent(SESSION_SUBJECT)) == int(sends)


def test_what_fell_due_in_quiet_hours_goes_at_8_while_it_is_still_true(alice, leeds):
    wants(alice, session_tomorrow=True)
    run_at(at(2027, 3, 7, 21, 30))  # two days before: nothing due yet
    run_at(at(2027, 3, 8, 0, 1))  # due (it is the day before), but quiet
    assert not sent(SESSION_SUBJECT)
    run_at(at(2027, 3, 8, 8, 3))
    assert len(sent(SESSION_SUBJECT)) == 1


def test_a_reminder_missed_the_day_before_is_not_sent_on_the_day(alice, leeds):
    wants(alice, session_tomorrow=True)
    run_at(at(2027, 3, 8, 21, 30))
    run_at(at(2027, 3, 9, 8, 0))  # the session is today: "tomorrow" is no longer true
    assert not sent(SESSION_SUBJECT)


def test_quiet_hours_and_tomorrow_follow_the_cohorts_time_zone(alice, leeds):
    edit(leeds, time_zone="America/New_York")
    wants(alice, session_tomorrow=True)
    run_at(at(2027, 3, 8, 8, 0))  # 03:00 in New York: quiet
    run_at(at(2027, 3, 8, 7, 59, zone=NEW_YORK))
    assert not sent(SESSION_SUBJECT)
    run_at(at(2027, 3, 8, 8, 0, zone=NEW_YORK))  # 13:00 in London
    assert len(sent(SESSION_SUBJECT)) == 1


def test_tomorrow_is_counted_in_the_cohorts_zone(alice, leeds):
    edit(leeds, time_zone="America/New_York")
    wants(alice, session_tomorrow=True)
    # 01:00 on the session's day in London, but 20:00 the day before in New York.
    run_at(at(2027, 3, 9, 1, 0))
    assert len(sent(SESSION_SUBJECT)) == 1


def test_a_learner_who_did_not_opt_in_gets_nothing(alice, bob, tutor, leeds):
    for hour in (8, 12, 20):
        run_at(at(2027, 3, 8, hour))
        run_at(at(2027, 2, 20, hour))  # three days before assignment 1's deadline
    assert not mail.outbox
    assert not SentReminder.objects.exists()


def test_a_withdrawn_learner_gets_nothing(alice, leeds):
    wants(alice, session_tomorrow=True)
    Enrolment.objects.filter(learner=alice).update(withdrawn_at=at(2027, 2, 1, 9))
    run_at(at(2027, 3, 8, 9))
    assert not mail.outbox


def test_the_command_run_twice_sends_once(alice, leeds, capsys):
    wants(alice, session_tomorrow=True)
    with time_machine.travel(at(2027, 3, 8, 8, 1), tick=False):
        call_command("send_reminders")
        call_command("send_reminders")
        run_tasks()
    assert len(sent(SESSION_SUBJECT)) == 1
    out = capsys.readouterr().out
    assert "Queued 1 session reminder(s)" in out
    assert "Queued 0 session reminder(s)" in out and "1 were sent before" in out


def test_make_runs_keep_running_every_few_minutes(alice, leeds, capsys):
    wants(alice, session_tomorrow=True)
    stop = KeyboardInterrupt  # Ctrl-C, or make run stopping it
    with (
        time_machine.travel(at(2027, 3, 8, 8, 1), tick=False),
        mock.patch("time.sleep", side_effect=[None, stop]) as sleep,
        # Between runs the command drops a stale connection. In a test,
        # which is one transaction, Django would close the test's own
        # connection (PostgreSQL then refuses the next query).
        mock.patch("reminders.management.commands.send_reminders.close_old_connections"),
        pytest.raises(stop),
    ):
        call_command("send_reminders", every=300)
    sleep.assert_called_with(300)
    assert capsys.readouterr().out.count("Queued") == 2
    assert SentReminder.objects.count() == 1


def test_a_run_that_loses_the_race_to_another_worker_skips_the_reminder(alice, leeds, session_10):
    """Two workers: both found the reminder unsent; the other committed its
    row first. This one hits the unique constraint and skips, sending nothing."""
    wants(alice, session_tomorrow=True)
    SentReminder.objects.create(
        kind=Kind.SESSION_TOMORROW,
        user=alice,
        key=f"session:{leeds.pk}:{session_10.pk}:{SESSION_DAY.isoformat()}",
    )
    with mock.patch("reminders.services._already_sent", return_value=set()):
        counts = run_at(at(2027, 3, 8, 8, 0))
    assert counts[Kind.SESSION_TOMORROW] == 0 and counts["already sent"] == 1
    assert not Email.objects.filter(recipient=alice).exists()
    assert not mail.outbox


def test_a_reminder_already_recorded_is_not_sent_again(alice, leeds, session_10):
    wants(alice, session_tomorrow=True)
    SentReminder.objects.create(
        kind=Kind.SESSION_TOMORROW,
        user=alice,
        key=f"session:{leeds.pk}:{session_10.pk}:{SESSION_DAY.isoformat()}",
    )
    assert run_at(at(2027, 3, 8, 8, 0))["already sent"] == 1
    assert not mail.outbox


def test_a_run_stopped_half_way_loses_nothing_and_sends_nothing_twice(alice, bob, leeds):
    """The row and its email are one transaction: a run that dies while
    queueing leaves neither, and the next run sends each reminder once."""
    wants(alice, session_tomorrow=True)
    wants(bob, session_tomorrow=True)
    calls = []

    def dies_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the worker was killed")
        return queue_email(*args, **kwargs)

    with time_machine.travel(at(2027, 3, 8, 8, 0), tick=False):
        with (
            mock.patch("reminders.services.queue_email", dies_on_the_second),
            pytest.raises(RuntimeError),
        ):
            send_due_reminders()
        assert SentReminder.objects.count() == Email.objects.count() == 1
        send_due_reminders()
        run_tasks()
    assert sorted(m.to[0] for m in sent(SESSION_SUBJECT)) == [
        "alice@example.org",
        "bob@example.org",
    ]


def test_a_session_moved_to_another_day_is_a_new_reminder(alice, leeds, session_10):
    wants(alice, session_tomorrow=True)
    run_at(at(2027, 3, 8, 8, 0))
    release = leeds.releases.get(session=session_10)
    edit(release, opens_on=date(2027, 3, 11))
    run_at(at(2027, 3, 10, 8, 0))
    assert len(sent(SESSION_SUBJECT)) == 2
    assert "Thursday 11 March 2027" in sent(SESSION_SUBJECT)[1].body


def test_without_the_sites_address_the_command_says_what_to_set(settings):
    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="DJANGO_SITE_URL"):
        call_command("send_reminders")


# ---------------------------------------------------------------- a deadline in 3 days


def test_the_deadline_reminder_comes_three_days_before(alice, bob, leeds):
    wants(alice, deadline_soon=True)
    run_at(at(2027, 2, 19, 12))
    assert not mail.outbox
    run_at(at(2027, 2, 20, 8, 0))
    run_at(at(2027, 2, 20, 12, 0))
    [reminder] = sent(DEADLINE_SUBJECT)
    assert reminder.to == ["alice@example.org"]
    assert "assignment 1 is due in 3 days, on Tuesday 23 February 2027" in reminder.body
    assert f"\n{SITE}/assignments/1/\n" in reminder.body


def test_no_deadline_reminder_after_submitting(alice, leeds):
    wants(alice, deadline_soon=True)
    with time_machine.travel(at(2027, 2, 18, 10), tick=False):
        submitted_essay(alice)
    run_at(at(2027, 2, 20, 8, 0))
    assert not sent(DEADLINE_SUBJECT)


def test_the_deadline_reminder_follows_an_extension(alice, leeds, tutor):
    wants(alice, deadline_soon=True)
    DeadlineExtension.objects.create(
        enrolment=Enrolment.objects.get(learner=alice),
        assignment=Assignment.objects.get(number=1),
        due_on=date(2027, 3, 2),
        granted_by=tutor,
    )
    run_at(at(2027, 2, 20, 9))
    assert not sent(DEADLINE_SUBJECT)
    run_at(at(2027, 2, 27, 9))
    [reminder] = sent(DEADLINE_SUBJECT)
    assert "on Tuesday 2 March 2027" in reminder.body


def test_the_deadline_reminder_follows_a_later_attempts_own_date(alice, tutor, leeds):
    wants(alice, deadline_soon=True, feedback_released=False)
    with time_machine.travel(at(2027, 2, 18, 10), tick=False):
        essay = submitted_essay(alice)
        review = mark(essay, tutor, "refer", "Please say more.", date(2027, 3, 20))
        assessments.release(review, tutor)
    run_at(at(2027, 2, 20, 9))
    assert not sent(DEADLINE_SUBJECT)
    run_at(at(2027, 3, 17, 9))
    [reminder] = sent(DEADLINE_SUBJECT)
    assert "on Saturday 20 March 2027" in reminder.body


# ---------------------------------------------------------------- feedback released


def release_feedback(alice, tutor):
    with time_machine.travel(at(2027, 2, 18, 10), tick=False):
        essay = submitted_essay(alice)
        assessments.release(mark(essay, tutor, "pass", "Well argued."), tutor, site_url=SITE)
        run_tasks()


def test_feedback_released_is_on_by_default_with_a_one_click_unsubscribe(alice, tutor, leeds):
    release_feedback(alice, tutor)
    [message] = sent("Feedback on your essay is ready")
    header = message.message()["List-Unsubscribe"]
    assert re.fullmatch(rf"<{re.escape(SITE)}/unsubscribe/[^/>]+/>", header)
    assert message.message()["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Stop these emails: {header[1:-1]}\n" in message.body


def test_feedback_released_turned_off_sends_nothing(alice, tutor, leeds):
    wants(alice, feedback_released=False)
    release_feedback(alice, tutor)
    assert not sent("Feedback on your essay is ready")
    assert Email.objects.get(recipient=alice, description__startswith="Feedback").status == (
        Email.Status.CANCELLED
    )


# ---------------------------------------------------------------- the tutors' digest


def test_the_digest_goes_only_on_days_with_something_to_do(alice, tutor, leeds):
    run_at(at(2027, 2, 15, 9))
    assert not sent(DIGEST_SUBJECT)  # nothing waiting
    with time_machine.travel(at(2027, 2, 15, 10), tick=False):
        submitted_essay(alice)
    run_at(at(2027, 2, 18, 7, 59))  # quiet hours
    assert not sent(DIGEST_SUBJECT)
    run_at(at(2027, 2, 18, 8, 0))
    run_at(at(2027, 2, 18, 14, 0))  # once a day
    [digest] = sent(DIGEST_SUBJECT, to=tutor)
    assert "1 essay waiting for feedback; the longest has waited 2 days." in digest.body
    assert f"{SITE}/admin/assessments/submission/queue/\n" in digest.body
    assert digest.message()["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    run_at(at(2027, 2, 19, 8, 0))  # still waiting the next day: another
    assert len(sent(DIGEST_SUBJECT, to=tutor)) == 2


def test_the_digest_counts_apologies_since_the_last_one_and_moderation(
    alice, bob, tutor, other_tutor, leeds
):
    leeds.tutors.add(other_tutor)
    with time_machine.travel(at(2027, 2, 15, 10), tick=False):
        essay = submitted_essay(alice)
        review = mark(essay, other_tutor, "pass", "Well argued.")
        Moderation.objects.create(review=review)
        completion.send_apologies(
            Enrolment.objects.get(learner=bob), Session.objects.get(number=8), "A hospital visit"
        )
    run_at(at(2027, 2, 16, 8, 0))
    [digest] = sent(DIGEST_SUBJECT, to=tutor)
    assert "1 apology from learners since your last to-do email" in digest.body
    assert "1 review waiting for a second tutor's moderation" in digest.body
    assert "1 essay waiting for feedback" in digest.body
    run_at(at(2027, 2, 17, 8, 0))
    assert len(sent(DIGEST_SUBJECT, to=tutor)) == 2
    assert "apolog" not in sent(DIGEST_SUBJECT, to=tutor)[1].body  # already told


def test_a_coordinator_who_tutors_nothing_gets_no_digest(alice, leeds, coordinator):
    with time_machine.travel(at(2027, 2, 15, 10), tick=False):
        submitted_essay(alice)
    run_at(at(2027, 2, 16, 9))
    assert not sent(DIGEST_SUBJECT, to=coordinator)


def test_a_tutor_sees_only_their_own_cohorts_in_the_digest(
    alice, charlie, tutor, other_tutor, leeds, course
):
    make_cohort(course, "York", start=date(2027, 1, 5), tutors=[other_tutor], learners=[charlie])
    with time_machine.travel(at(2027, 2, 15, 10), tick=False):
        submitted_essay(charlie)
    run_at(at(2027, 2, 16, 9))
    assert not sent(DIGEST_SUBJECT, to=tutor)
    assert len(sent(DIGEST_SUBJECT, to=other_tutor)) == 1


def test_a_tutor_who_turned_the_digest_off_gets_none(alice, tutor, leeds):
    wants(tutor, tutor_digest=False)
    with time_machine.travel(at(2027, 2, 15, 10), tick=False):
        submitted_essay(alice)
    run_at(at(2027, 2, 16, 9))
    assert not sent(DIGEST_SUBJECT)


# ---------------------------------------------------------------- unsubscribing


def unsubscribe_path(user, kind=Kind.SESSION_TOMORROW) -> str:
    return f"/unsubscribe/{make_token(user.pk, kind)}/"


def test_the_one_click_post_unsubscribes_without_a_login_and_is_recorded(alice, leeds):
    wants(alice, session_tomorrow=True)
    mail_program = Client(enforce_csrf_checks=True)  # no cookie, no CSRF token
    response = mail_program.post(unsubscribe_path(alice), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Done — you can turn them back on from" in response.content.decode()
    assert not Preferences.of(alice.pk).session_tomorrow
    [record] = Unsubscription.objects.filter(user=alice)
    assert (record.kind, record.how) == (Kind.SESSION_TOMORROW, "one-click")
    run_at(at(2027, 3, 8, 9))
    assert not sent(SESSION_SUBJECT)


def test_opening_the_link_does_not_unsubscribe(client, alice, leeds):
    """Mail scanners open links: a GET only shows the button."""
    wants(alice, session_tomorrow=True)
    response = client.get(unsubscribe_path(alice))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Stop these emails</button>" in html and "alice" not in html.lower()
    assert client.head(unsubscribe_path(alice)).status_code == 200
    assert Preferences.of(alice.pk).session_tomorrow
    assert not Unsubscription.objects.exists()


def test_the_pages_button_unsubscribes_and_is_recorded_as_such(client, alice, leeds):
    response = client.post(unsubscribe_path(alice, Kind.FEEDBACK_RELEASED), {"from_page": "1"})
    assert response.status_code == 200
    assert not Preferences.of(alice.pk).feedback_released
    assert Unsubscription.objects.get(user=alice).how == "page"


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        make_token(1, Kind.SESSION_TOMORROW)[:-2] + "xx",  # tampered
        signing.Signer(salt="another.purpose").sign_object({"u": 1, "k": "session_tomorrow"}),
        signing.Signer(salt="reminders.unsubscribe").sign_object({"u": 1, "k": "everything"}),
        signing.Signer(salt="reminders.unsubscribe").sign_object([1, 2]),
        signing.dumps({"u": 1, "k": "session_tomorrow"}, salt="reminders.unsubscribe"),
    ],
)
def test_a_forged_or_broken_link_fails_kindly(client, alice, token):
    for send in (client.get, client.post):
        response = send(f"/unsubscribe/{token}/")
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    assert not Unsubscription.objects.exists()


def test_a_link_for_an_account_that_is_gone_fails_kindly(client):
    response = client.post(f"/unsubscribe/{make_token(987654, Kind.DEADLINE_SOON)}/")
    assert response.status_code == 400


def test_a_token_names_the_person_and_the_kind(alice):
    assert read_token(make_token(alice.pk, Kind.TUTOR_DIGEST)) == (alice.pk, "tutor_digest")


def test_the_reminders_headers_follow_rfc_8058_and_the_link_works(alice, leeds):
    wants(alice, session_tomorrow=True)
    run_at(at(2027, 3, 8, 9))
    [reminder] = sent(SESSION_SUBJECT)
    headers = reminder.message()
    link = re.fullmatch(r"<(https://\S+)>", headers["List-Unsubscribe"]).group(1)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Stop these emails: {link}\n" in reminder.body
    response = Client(enforce_csrf_checks=True).post(
        link.removeprefix(SITE), "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert response.status_code == 200
    assert not Preferences.of(alice.pk).session_tomorrow


# ---------------------------------------------------------------- the account page


def test_the_account_page_offers_each_person_their_own_emails(client, alice, tutor, coordinator):
    client.force_login(alice)
    form = client.get("/account/").context["reminder_form"]
    assert list(form.fields) == ["session_tomorrow", "deadline_soon", "feedback_released"]
    assert (form["session_tomorrow"].value(), form["feedback_released"].value()) == (False, True)
    client.force_login(tutor)
    assert list(client.get("/account/").context["reminder_form"].fields) == ["tutor_digest"]
    client.force_login(coordinator)
    response = client.get("/account/")
    assert response.context["reminder_form"] is None
    assert 'id="reminders-heading"' not in response.content.decode()


def test_choices_are_saved_and_turning_one_off_is_recorded(client, alice, leeds):
    client.force_login(alice)
    response = client.post("/account/reminders/", {"session_tomorrow": "on"})
    assert response.status_code == 302 and response["Location"] == "/account/#reminders"
    choices = Preferences.of(alice.pk)
    assert choices.session_tomorrow and not choices.deadline_soon
    assert not choices.feedback_released  # unticked: turned off
    [record] = Unsubscription.objects.filter(user=alice)
    assert (record.kind, record.how) == (Kind.FEEDBACK_RELEASED, "account")
    assert "Your email choices are saved." in client.get("/account/").content.decode()


def test_a_tutor_cannot_set_a_learners_reminders_or_a_learner_the_digest(client, alice, tutor):
    client.force_login(tutor)
    client.post("/account/reminders/", {"session_tomorrow": "on"})
    assert not Preferences.objects.filter(user=tutor, session_tomorrow=True).exists()
    assert not Preferences.of(tutor.pk).tutor_digest  # unticked
    client.force_login(alice)
    client.post("/account/reminders/", {"tutor_digest": ""})
    assert Preferences.of(alice.pk).tutor_digest  # not hers to set: unchanged


# ---------------------------------------------------------------- no course content in any email

# Words of the content notes that every email needs: the site's name and
# what an email is about. Each is as neutral as "email"; any other word of
# a content note in an email fails the test.
NEUTRAL_WORDS = {"session", "support", "which", "contact", "please"}

PLANTED = {
    "essay": "PLANTEDESSAYWORDS",
    "reflection": "PLANTEDREFLECTION",
    "feedback": "PLANTEDFEEDBACK",
    "apology": "PLANTEDAPOLOGY",
    "file name": "PLANTEDFILENAME",
}


def _email_builders() -> dict:
    """Every function marked @email_builder in the project, by its dotted name."""
    builders = {}
    root = Path(django_settings.BASE_DIR)
    packages = [top for top in root.iterdir() if (top / "__init__.py").exists()]
    for path in (path for top in packages if top.name != "tests" for path in top.rglob("*.py")):
        if "@email_builder" not in path.read_text(encoding="utf-8"):
            continue
        module = importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
        for value in vars(module).values():
            if getattr(value, "is_email_builder", False):
                builders[f"{value.__module__}.{value.__qualname__}"] = value
    return builders


def _email_templates() -> set[str]:
    root = Path(django_settings.BASE_DIR)
    found = set()
    for path in root.glob("*/templates/**/*.txt"):
        if path.parts[len(root.parts)] == ".venv":
            continue
        name = "/".join(path.parts[path.parts.index("templates") + 1 :])
        if "/email/" in f"/{name}" or "email" in path.name:
            found.add(name)
    for path in (root / "templates").glob("**/*email*.txt"):
        found.add(str(path.relative_to(root / "templates")))
    return found


def test_no_email_carries_course_content_or_anyones_writing(alice, bob, tutor, other_tutor, leeds):
    """Every email the project can send, written with realistic data, holds
    no session or assignment title, no word of a content note and none of the
    learners' or tutors' writing."""
    from accounts import emails as account_emails
    from courses.cohorts import emails as cohort_emails
    from reminders import emails as reminder_emails

    leeds.tutors.add(other_tutor)
    edit(
        leeds,
        session_location="Room 2",
        session_meeting_url="https://meet.example.org/x",
        session_starts_at=time(10),
    )
    wants(bob, session_tomorrow=True)
    wants(alice, deadline_soon=True)
    Reflection.objects.create(
        learner=alice, prompt=ReflectionPrompt.objects.first(), text=PLANTED["reflection"]
    )
    assignment = Assignment.objects.get(number=1)
    with time_machine.travel(at(2027, 2, 18, 10), tick=False):
        assessments.start_draft(alice, assignment)
        assessments.save_draft(alice, assignment, f"{PLANTED['essay']} {essay_of(1600)}")
        Submission.objects.filter(learner=alice).update(
            attachment_name=f"{PLANTED['file name']}.pdf", attachment_size=2048
        )
        essay = assessments.submit(alice, assignment, True, True)
        review = mark(essay, tutor, "refer", PLANTED["feedback"], date(2027, 3, 20))
        Moderation.objects.create(review=review)
        completion.send_apologies(
            Enrolment.objects.get(learner=bob), Session.objects.get(number=10), PLANTED["apology"]
        )
        assessments.release(review, tutor, site_url=SITE)
    session_10 = Session.objects.get(number=10)

    rendered = []

    def collect(sender, template, context, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(collect)
    try:
        with time_machine.travel(at(2027, 3, 8, 9), tick=False):
            messages = {
                "accounts.emails.password_reset": account_emails.password_reset(
                    alice.pk, "training.example.org", "https"
                ),
                "accounts.emails.email_change_confirmation": (
                    account_emails.email_change_confirmation(alice.pk, "new@example.org", SITE)
                ),
                "accounts.emails.email_change_notice": account_emails.email_change_notice(
                    alice.pk, "alice@example.org", "new@example.org", False
                ),
                "courses.cohorts.emails.invitation": cohort_emails.invitation(
                    alice.pk, leeds.pk, SITE
                ),
                "assessments.emails.receipt": assessment_emails().receipt(essay.pk, SITE),
                "assessments.emails.feedback_ready": assessment_emails().feedback_ready(
                    essay.pk, SITE
                ),
                "reminders.emails.session_tomorrow": reminder_emails.session_tomorrow(
                    bob.pk, leeds.pk, session_10.pk, SESSION_DAY.isoformat()
                ),
                "reminders.emails.deadline_soon": reminder_emails.deadline_soon(
                    alice.pk, assignment.pk, 2, "2027-03-20"
                ),
                "reminders.emails.tutor_digest": reminder_emails.tutor_digest(
                    tutor.pk, essays=3, longest_wait_days=4, apologies=1, moderations=1
                ),
            }
    finally:
        template_rendered.disconnect(collect)

    assert set(messages) == set(_email_builders()), "a new email: add it to this test"
    assert _email_templates() <= set(rendered), "an email template this test did not write"
    assert all(messages.values()), "every email was written (none cancelled)"

    forbidden = {s.title for s in Session.objects.all()}
    forbidden |= {lesson.title for lesson in Lesson.objects.all()}
    forbidden |= {a.title for a in Assignment.objects.all()}
    forbidden |= set(PLANTED.values())
    notes = " ".join(
        [s.content_note for s in Session.objects.all()]
        + [lesson.content_note for lesson in Lesson.objects.all()]
    )
    note_words = {w.lower() for w in re.findall(r"[A-Za-z]+", notes) if len(w) > 4}
    assert {"trauma", "suicidality", "hospital"} <= note_words
    leaks = {}
    for name, message in messages.items():
        text = f"{message.subject}\n{message.body}".lower()
        found = {phrase for phrase in forbidden if phrase.lower() in text}
        found |= (set(re.findall(r"[a-z]+", text)) & note_words) - NEUTRAL_WORDS
        if found:
            leaks[name] = found
    assert leaks == {}


def assessment_emails():
    from assessments import emails

    return emails
