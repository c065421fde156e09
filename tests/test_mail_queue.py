"""Mail goes through the durable queue: nobody waits on a mail server, and no
email is lost when it refuses or hangs.

A real SMTP server of the test's own (tests/smtp.py) refuses, then hangs,
then comes back; the worker runs as `manage.py worker` would
(tests/tasks.py).
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from assessments.models import Assignment, Submission
from outbox.models import Email
from outbox.services import deliver_email
from tests.essays import essay_of, submitted_essay
from tests.helpers import make_user
from tests.marking import judgement_fields, mark
from tests.smtp import SmtpServer
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db
Status = Email.Status


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend, pointed at a server of the test's own, giving up
    on it after a third of a second; a minute between tries (the tests let
    the minutes pass with ``time_passes``)."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 0.3
        settings.MAIL_RETRY_DELAYS = [60, 60, 60, 60]
        yield server


def time_passes():
    """Every retry that is waiting becomes due now."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def timed(request):
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def statuses():
    return sorted(Email.objects.values_list("status", flat=True))


def test_nobody_waits_on_a_refusing_or_hanging_mail_server_and_every_email_arrives_later(
    client, smtp, alice, bob, tutor, coordinator, cohort
):
    smtp.mode = "refuse"
    # A learner submits.
    client.force_login(alice)
    client.post("/assignments/1/draft/", {"text": essay_of(1600)})
    response, seconds = timed(
        lambda: client.post("/assignments/1/submit/", {"declaration": "on"}, follow=True)
    )
    assert (
        response.status_code == 200 and "Your essay was submitted on" in response.content.decode()
    )
    assert seconds < 1, seconds
    # A tutor releases one essay from its page, and three at once from the queue.
    others = [bob] + [make_user(f"learner{i}") for i in range(2)]
    for learner in others[1:]:
        cohort.enrolments.create(learner=learner)
    alices = Submission.objects.get(learner=alice)
    bulk = [submitted_essay(learner) for learner in others]
    for essay in bulk:
        mark(essay, tutor, "pass", "Well argued.")
    client.force_login(tutor)
    response, seconds = timed(
        lambda: client.post(
            f"/admin/assessments/submission/{alices.pk}/change/",
            {
                "outcome": "pass",
                "feedback": "Good.",
                "base_version": 0,
                "_release": "1",
                **judgement_fields(alices, "pass"),
            },  # fmt: skip
            follow=True,
        )
    )
    assert "Feedback released" in response.content.decode() and seconds < 1, seconds
    response, seconds = timed(
        lambda: client.post(
            "/admin/assessments/submission/?status__exact=submitted",
            {"action": "release_feedback", "_selected_action": [e.pk for e in bulk]},
            follow=True,
        )
    )
    assert "Feedback released on 3 essay(s)" in response.content.decode() and seconds < 1
    assert Submission.objects.filter(status=Submission.Status.PASSED).count() == 4
    # A coordinator imports three learners.
    client.force_login(coordinator)
    csv = "First,Last,Email\n" + "".join(f"New{i},Person,new{i}@example.org\n" for i in range(3))
    response, seconds = timed(
        lambda: client.post(
            f"/admin/courses/cohort/{cohort.pk}/import-learners/",
            {"file": SimpleUploadedFile("learners.csv", csv.encode())},
            follow=True,
        )
    )
    assert "3 learner(s) enrolled and invited" in response.content.decode() and seconds < 1
    # 4 receipts (Alice's, and the three essays released in bulk), 4 feedback
    # notes and 3 invitations are queued; none has been sent.
    assert Email.objects.filter(status=Status.PENDING).count() == 11
    assert smtp.connections == 0

    run_tasks()  # the server refuses
    assert smtp.connections >= 11 and smtp.messages == []
    assert statuses() == [Status.PENDING] * 11
    assert all(e.attempts == 1 and "SMTP" in e.last_error for e in Email.objects.all())

    smtp.mode = "hang"
    time_passes()
    started = time.monotonic()
    run_tasks()  # every try gives up after EMAIL_TIMEOUT
    assert time.monotonic() - started < 11 * 0.3 + 3
    assert smtp.messages == [] and statuses() == [Status.PENDING] * 11
    assert all(e.attempts == 2 and "timed out" in e.last_error for e in Email.objects.all())

    smtp.mode = "accept"
    run_tasks()
    assert smtp.messages == []  # the next tries are not due yet
    time_passes()
    run_tasks()
    assert statuses() == [Status.SENT] * 11
    subjects = smtp.subjects()
    assert len(subjects) == 11
    assert subjects.count("We have received your essay for assignment 1") == 4
    assert subjects.count("Feedback on your essay is ready") == 4
    assert subjects.count("Welcome to Peer Support Training") == 3
    recipients = sorted(str(m["To"]) for m in smtp.messages if "Welcome" in str(m["Subject"]))
    assert recipients == [f"new{i}@example.org" for i in range(3)]


def test_an_email_is_sent_once_even_when_its_task_runs_twice(smtp, alice, cohort):
    submitted_essay(alice)
    email = Email.objects.get()
    deliver_email.enqueue(email.pk)  # a second task for the same email
    run_tasks()
    assert len(smtp.messages) == 1
    email.refresh_from_db()
    assert email.status == Status.SENT and email.attempts == 1


def test_after_the_last_try_an_email_is_failed_and_a_coordinator_retries_it(
    client, smtp, settings, alice, coordinator, cohort
):
    settings.MAIL_RETRY_DELAYS = []  # no retries: the first failure is the last
    smtp.mode = "refuse"
    submitted_essay(alice)
    run_tasks()
    email = Email.objects.get()
    assert email.status == Status.FAILED and email.attempts == 1
    client.force_login(coordinator)
    home = client.get("/admin/").content.decode()
    assert "1 email could not be sent" in home
    listing = client.get("/admin/outbox/email/", {"status__exact": "failed"}).content.decode()
    assert "alice@example.org" in listing and "Receipt for assignment 1" in listing
    assert "421" in listing  # the mail server's own words, for whoever fixes it

    smtp.mode = "accept"
    response = client.post(
        "/admin/outbox/email/",
        {"action": "retry_emails", "_selected_action": [email.pk]},
        follow=True,
    )
    assert "1 email(s) queued to be sent again" in response.content.decode()
    run_tasks()
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert smtp.subjects() == ["We have received your essay for assignment 1"]
    assert "could not be sent" not in client.get("/admin/").content.decode()


def test_an_email_left_unsent_by_a_worker_that_died_is_sent_by_the_next(smtp, alice, cohort):
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from outbox.services import recover_stalled

    stalled_after = timedelta(seconds=settings.MAIL_STALLED_AFTER)
    submitted_essay(alice)
    # A worker claimed it and died while talking to the mail server: its
    # task is gone (RUNNING for ever), the email says "being sent".
    Email.objects.update(status=Status.SENDING, claimed_at=timezone.now() - stalled_after * 2)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.update(status="RUNNING")
    run_tasks()
    assert smtp.messages == []  # nothing else would ever send it
    assert recover_stalled() == 1  # what `manage.py worker` does first
    run_tasks()
    assert smtp.subjects() == ["We have received your essay for assignment 1"]


def test_tutors_and_learners_cannot_see_outgoing_mail(client, tutor, alice, cohort):
    for user in (tutor, alice):
        client.force_login(user)
        assert client.get("/admin/outbox/email/").status_code in (302, 403)


def test_an_email_never_carries_the_essay(smtp, alice, tutor, cohort):
    essay = submitted_essay(alice)
    Submission.objects.filter(pk=essay.pk).update(text="SECRET-ESSAY " + essay_of(1600))
    review = mark(essay, tutor, "pass", "SECRET-FEEDBACK")
    services.release(review, tutor)
    run_tasks()
    assert len(smtp.messages) == 2
    for message in smtp.messages:
        text = message.as_string()
        assert "SECRET" not in text
        # Nor the assignment's title: an email's words can be read over a
        # shoulder or on a lock screen (issue 17); the number says enough.
        assert Assignment.objects.get(number=1).title not in message.get_content()
    assert "assignment 1" in smtp.messages[0].get_content()
