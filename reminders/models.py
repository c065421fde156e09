"""Reminders and the tutors' digest: who wants which email, which were sent,
and who turned one off.

Every reminder is opt-in or opt-out per person (``Preferences``); a person
with no row has the defaults, so nobody needs a row until they change
something. ``SentReminder`` is written in the same transaction as the email
it stands for, and its unique constraint is what makes a reminder go at most
once, whatever runs ``send_reminders`` twice at the same moment.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    """The emails a person can turn on or off. Each value is also the name
    of the ``Preferences`` field that says whether they want it."""

    SESSION_TOMORROW = "session_tomorrow", "A live session tomorrow"
    DEADLINE_SOON = "deadline_soon", "A deadline in 3 days"
    FEEDBACK_RELEASED = "feedback_released", "Feedback on an essay is ready"
    TUTOR_DIGEST = "tutor_digest", "The tutors' daily to-do"


class Preferences(models.Model):
    """Which emails a person wants. Reminders a learner did not ask for are
    off; the one email about something that already happened (feedback) and
    the tutors' digest are on until turned off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preferences"
    )
    session_tomorrow = models.BooleanField(
        "The day before a live session",
        default=False,
        help_text="The session's number, date, time and place, with a link to its page.",
    )
    deadline_soon = models.BooleanField(
        "Three days before a deadline",
        default=False,
        help_text="Only while you have not submitted that assignment.",
    )
    feedback_released = models.BooleanField(
        "When feedback on your essay is ready",
        default=True,
        help_text="The email says only that it is ready, never what it says.",
    )
    tutor_digest = models.BooleanField(
        "A daily to-do list",
        default=True,
        help_text="One email a day, only on days when essays, apologies or moderation "
        "are waiting for you.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "reminder preferences"

    def __str__(self):
        return f"Reminder preferences #{self.pk}"

    @classmethod
    def of(cls, user_id: int) -> "Preferences":
        """The person's preferences: their row, or the defaults (unsaved)."""
        return cls.objects.filter(user_id=user_id).first() or cls(user_id=user_id)

    def wants(self, kind: str) -> bool:
        return getattr(self, Kind(kind).value)


class SentReminder(models.Model):
    """One reminder sent (queued, with its email, in one transaction).

    ``key`` says what it was about, e.g. ``session:<cohort>:<session>:<date>``:
    a session moved to another date is a new reminder; the same one is never
    sent twice."""

    kind = models.CharField(max_length=30, choices=Kind)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Its index also serves "this tutor's last digest" (kind, user).
            models.UniqueConstraint(
                fields=["kind", "user", "key"], name="reminders_sentreminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class Unsubscription(models.Model):
    """The record of someone turning an email off, and how."""

    class How(models.TextChoices):
        ONE_CLICK = "one-click", "One-click (from the email program)"
        PAGE = "page", "The link in the email"
        ACCOUNT = "account", "The account page"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unsubscriptions"
    )
    kind = models.CharField(max_length=30, choices=Kind)
    at = models.DateTimeField(default=timezone.now)
    how = models.CharField(max_length=20, choices=How)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"Unsubscription #{self.pk}"
