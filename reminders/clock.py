"""Quiet hours, and the time where a cohort meets.

Nothing is sent from 21:00 until 08:00 in the cohort's time zone: a reminder
that falls due then waits for the first run after 08:00.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

QUIET_FROM = time(21)
QUIET_UNTIL = time(8)


def local_now(now: datetime, time_zone: str) -> datetime:
    """``now`` (aware) on the clocks of ``time_zone`` (an IANA name; the
    site's zone if it is not one this Python knows)."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    return now.astimezone(zone)


def is_quiet(local: datetime) -> bool:
    """Whether ``local`` (a zone's wall clock) is in quiet hours."""
    return not (QUIET_UNTIL <= local.time() < QUIET_FROM)
