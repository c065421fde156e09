"""The private calendar feeds (/calendar/<token>.ics).

``CalendarFeed``: each person's feed address. The token is the only key (a
calendar app fetches the feed without a login), so it is long and random:
``secrets.token_urlsafe(32)``, 256 bits, which nobody guesses and which a
lookup through the unique index gives away nothing of by its timing. It is
stored as it is, not hashed, because the account page shows the address
again on every visit; resetting it replaces it, and the old address finds
nothing from that moment.

``EventRevision``: what makes an event's SEQUENCE rise when its date, time or
place changes, however the change was made (the cohort admin, a timetable
import, a shell). Each event (by its UID) keeps a fingerprint of what the
feed says about it and a sequence number. Building a feed compares them: a
new event starts at 0; one whose fingerprint differs gets sequence + 1 in one
``UPDATE … WHERE fingerprint <> new`` (calendars/services.py), so two
processes building feeds at once raise it once, not twice. Comparing at
build time, rather than hooking every write path (signals on releases,
deadlines, extensions, cohorts), means no future way of changing a date can
forget to tell the calendar.
"""

import secrets

from django.conf import settings
from django.db import models


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """One person's private calendar feed address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    # unique: the index every feed request is looked up through.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    reset_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self):
        return f"Calendar feed #{self.pk}"


class EventRevision(models.Model):
    """How many times one event of the feeds has changed (its SEQUENCE)."""

    # unique: the index the feed reads its events' revisions through.
    uid = models.CharField(max_length=200, unique=True)
    fingerprint = models.CharField(max_length=64)
    sequence = models.PositiveIntegerField(default=0)
    # The feed's DTSTAMP and LAST-MODIFIED: when the event last changed.
    changed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.uid} (sequence {self.sequence})"
