"""Queueing and delivering email (the model's docstring says why).

``queue_email`` is called inside the transaction of the change an email
reports. The ``deliver_email`` task runs on the worker (``manage.py worker``):
it claims the row with one conditional UPDATE, so two workers never send the
same email twice, writes the message and hands it to the mail server. A
failure is retried after growing delays (``MAIL_RETRY_DELAYS``); after the
last one the email is marked failed and shows on the admin's front page,
where a coordinator can retry it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from outbox.models import Email

logger = logging.getLogger(__name__)

Status = Email.Status


def queue_email(builder, recipient, description: str, **params) -> Email:
    """Queue an email to ``recipient`` (a user, or a user's id), written by
    ``builder(**params)`` when it is sent. Call it inside the transaction of
    the change it reports."""
    if not getattr(builder, "is_email_builder", False):
        raise ValueError(f"{builder!r} is not marked with @email_builder")
    with transaction.atomic():
        email = Email.objects.create(
            builder=f"{builder.__module__}.{builder.__qualname__}",
            params=params,
            recipient_id=getattr(recipient, "pk", recipient),
            description=description[:200],
            next_attempt_at=timezone.now(),
        )
        deliver_email.enqueue(email.pk)
    return email


@task()
def deliver_email(email_id: int) -> str:
    """Send one queued email, or schedule its next try."""
    now = timezone.now()
    claimed = Email.objects.filter(pk=email_id, status=Status.PENDING).update(
        status=Status.SENDING, claimed_at=now
    )
    if not claimed:
        return "already sent, being sent, or cancelled"
    email = Email.objects.select_related("recipient").get(pk=email_id)
    try:
        message = email.build()
        if message is not None:
            message.send()
    except Exception as error:  # the mail server, the network, or writing the message
        return _schedule_retry(email, error)
    email.attempts += 1
    email.status = Status.SENT if message is not None else Status.CANCELLED
    email.sent_at = timezone.now() if message is not None else None
    email.last_error = ""
    email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return email.status


def _schedule_retry(email: Email, error: Exception) -> str:
    delays = settings.MAIL_RETRY_DELAYS
    with transaction.atomic():
        email.attempts += 1
        email.last_error = f"{type(error).__name__}: {error}"[:500]
        if email.attempts <= len(delays):
            email.status = Status.PENDING
            email.next_attempt_at = timezone.now() + timedelta(seconds=delays[email.attempts - 1])
            deliver_email.using(run_after=email.next_attempt_at).enqueue(email.pk)
        else:
            email.status = Status.FAILED
        email.save(update_fields=["attempts", "status", "next_attempt_at", "last_error"])
    # The error's class only: a mail server's message can carry the address.
    logger.warning(
        "Email #%s not sent (try %s, %s): %s",
        email.pk,
        email.attempts,
        email.status,
        type(error).__name__,
    )
    return email.status


def retry(emails) -> int:
    """Send failed or stuck emails again (a coordinator's *Retry*), starting
    a fresh series of tries."""
    return _queue_again(emails.filter(Q(status=Status.FAILED) | _stalled(timezone.now())), True)


def recover_stalled() -> int:
    """Queue again every email a worker should have sent by now but has not:
    claimed by a worker that died while sending, or waiting with no task to
    send it (the task's worker died). Run when a worker starts; sending is
    at-least-once."""
    return _queue_again(Email.objects.filter(_stalled(timezone.now())), False)


def _queue_again(emails, fresh_start: bool) -> int:
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for email in emails.select_for_update():
            email.status = Status.PENDING
            email.next_attempt_at = now
            if fresh_start:
                email.attempts = 0
            email.save(update_fields=["status", "attempts", "next_attempt_at"])
            deliver_email.enqueue(email.pk)
            count += 1
    return count


def _stalled(now) -> Q:
    # An email claimed this long ago and still not sent was being sent by a
    # worker that died (a mail server answers or times out within
    # EMAIL_TIMEOUT); one due this long ago has lost its task.
    long_ago = now - timedelta(seconds=settings.MAIL_STALLED_AFTER)
    return Q(status=Status.SENDING, claimed_at__lt=long_ago) | Q(
        status=Status.PENDING, next_attempt_at__lt=long_ago
    )


def stalled_count() -> int:
    return Email.objects.filter(_stalled(timezone.now())).count()


def failed_count() -> int:
    return Email.objects.filter(status=Status.FAILED).count()
