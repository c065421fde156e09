"""The reminder emails and the tutors' digest, written when the worker sends
them.

They are read on lock screens and shared computers by people who may have
joined the course because of their own mental illness, so they say as little
as is useful: a session's number, date, time and place; an assignment's
number and date; counts for tutors. Never a session's or an assignment's
title, a topic, or anyone's writing. Each links to the page it is about and
carries a one-click unsubscribe link (reminders/unsubscribe.py).

A builder returns None (the email is cancelled, not sent) when the person
turned the email off since it was queued, or it is no longer true.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import dateformat, timezone

from assessments.models import Assignment, Submission
from courses.learner.copies import structure_of, timetable_of
from courses.learner.live import live_session
from courses.models import Cohort
from outbox.builders import email_builder, plain_text_email
from reminders.clock import local_now
from reminders.models import Kind, Preferences
from reminders.unsubscribe import unsubscribe_headers, unsubscribe_url

SUBJECTS = {
    Kind.SESSION_TOMORROW: "Peer Support Training: a session tomorrow",
    Kind.DEADLINE_SOON: "Peer Support Training: a deadline in 3 days",
    Kind.TUTOR_DIGEST: "Peer Support Training: your to-do list for today",
}


def _recipient(user_id: int, kind: str):
    """The person, if their account is open and they still want ``kind``."""
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None or not Preferences.of(user_id).wants(kind):
        return None
    return user


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _email(user, kind: str, template: str, context: dict):
    stop = unsubscribe_url(user.pk, kind)
    return plain_text_email(
        user,
        SUBJECTS[kind],
        template,
        {
            **context,
            "user": user,
            "unsubscribe_url": stop,
            "account_url": _absolute(reverse("account")),
        },
        headers=unsubscribe_headers(stop),
    )


@email_builder
def session_tomorrow(user_id: int, cohort_id: int, session_id: int, on: str):
    """The day before a live session: its number, when and where."""
    user = _recipient(user_id, Kind.SESSION_TOMORROW)
    cohort = (
        Cohort.objects.select_related("course")
        .filter(pk=cohort_id, enrolments__learner_id=user_id, enrolments__withdrawn_at__isnull=True)
        .first()
    )
    if user is None or cohort is None:
        return None
    structure = structure_of(cohort.course_id, cohort.course.structure_version)
    session = next((s for s in structure.sessions if s.pk == session_id), None)
    if session is None:
        return None
    live = live_session(timetable_of(cohort.pk, cohort.timetable_version), session)
    # Moved to another day since, or already that day (a late retry): no
    # longer "tomorrow".
    if live is None or live.date != date.fromisoformat(on):
        return None
    if local_now(timezone.now(), cohort.time_zone).date() >= live.date:
        return None
    return _email(
        user,
        Kind.SESSION_TOMORROW,
        "reminders/email/session_tomorrow.txt",
        {
            "number": session.number,
            "live": live,
            "online": bool(live.meeting_url),
            "page_url": _absolute(session.get_absolute_url()),
        },
    )


@email_builder
def deadline_soon(user_id: int, assignment_id: int, attempt: int, due_on: str):
    """Three days before the learner's deadline, while they have not submitted."""
    user = _recipient(user_id, Kind.DEADLINE_SOON)
    latest = (
        Submission.objects.filter(learner_id=user_id, assignment_id=assignment_id)
        .select_related("assignment")
        .order_by("-attempt")
        .only("status", "attempt", "assignment__number")
        .first()
    )
    # Submitted since, or referred and a later attempt has its own date.
    if user is None or (latest is not None and (not latest.is_draft or latest.attempt != attempt)):
        return None
    number = latest.assignment.number if latest else Assignment.objects.get(pk=assignment_id).number
    due = date.fromisoformat(due_on)
    return _email(
        user,
        Kind.DEADLINE_SOON,
        "reminders/email/deadline_soon.txt",
        {
            "number": number,
            "due_on": due,
            "due_label": dateformat.format(due, "l j F Y"),
            "page_url": _absolute(reverse("assignment_detail", args=[number])),
        },
    )


@email_builder
def tutor_digest(
    user_id: int, essays: int, longest_wait_days: int, apologies: int, moderations: int
):
    """A tutor's to-do: counts only, with the links to act on them."""
    user = _recipient(user_id, Kind.TUTOR_DIGEST)
    if user is None:
        return None
    return _email(
        user,
        Kind.TUTOR_DIGEST,
        "reminders/email/tutor_digest.txt",
        {
            "essays": essays,
            "longest_wait_days": longest_wait_days,
            "apologies": apologies,
            "moderations": moderations,
            "queue_url": _absolute(reverse("admin:assessments_submission_queue")),
            "registers_url": _absolute(reverse("admin:completion_registers")),
            "moderation_url": _absolute(reverse("admin:assessments_moderation_changelist")),
        },
    )
