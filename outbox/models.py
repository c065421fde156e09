"""Every email the app sends, from the moment the change it reports is saved.

An email is a row written in the same transaction as that change (a
submission, a release, an enrolment), together with the task that delivers
it (django-tasks' database backend: a row too). So a change and its email
commit or roll back together, and nothing is lost when a mail server refuses,
hangs or a worker restarts: the row stays until it is sent, retried with
growing delays, or marked failed for a coordinator to retry.

The row holds only what is needed to write the email when it is sent: the
function that writes it and the ids it reads. Never an essay, an answer or
feedback; never a password-reset token (it is made at sending time).
"""

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string


class Email(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed: retry it when the problem is fixed"
        CANCELLED = "cancelled", "Not sent: nobody to send it to"

    # The dotted path of a function marked with @outbox.builders.email_builder.
    builder = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="emails"
    )
    # What it is, for the people who look after the mail ("Receipt for
    # assignment 1"); no personal writing.
    description = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Recovery and the admin's "what to do next" look for waiting or
            # failed mail by status and time.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_email_status_idx"),
        ]

    def __str__(self):
        return f"Email #{self.pk}"

    def build(self):
        """The message, written now from current data; None when there is
        nobody to send it to."""
        builder = import_string(self.builder)
        if not getattr(builder, "is_email_builder", False):
            raise ValueError(f"{self.builder} is not an email builder")
        return builder(**self.params)
