"""When and where a cohort's live sessions meet, and when their online link
may be shown: the one rule, asked by the learner pages, the calendar feed and
reminders alike.

* A session meets live on its date in the cohort's timetable
  (``SessionRelease.opens_on``, the day it opens; completion/rule.py counts
  attendance on it), else the default date (courses/learner/dates.py).
* Its start and end times, its place and its online meeting link are the
  session's own (SessionRelease) where set, else the cohort's defaults
  (Cohort.session_*). Either may be missing: no time yet, no place, no link.
* Times are wall-clock times in the cohort's time zone (Cohort.time_zone);
  ``LiveSession`` gives them as aware datetimes in that zone.
* The link may be shown from 24 hours before the start (from 00:00 the day
  before, in the cohort's zone, when there is no start time) until the end of
  the session's day, in the cohort's zone. Who may see it (the cohort's
  learners and staff, never anyone else) the caller decides; every learner
  page asks with the learner's own timetable, so it never holds another
  cohort's link.

Everything here reads the cohort's copy in memory (courses/learner/copies.py):
no query.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import dateformat

from courses.learner.copies import CohortTimetable
from courses.learner.dates import default_opening
from sessions.models import Session

LINK_SHOWN_BEFORE_START = timedelta(hours=24)

# How a learner reads a zone: "10:00 (UK time)". Any other zone is named by
# its city ("America/New_York": "New York time").
ZONE_NAMES = {
    "Europe/London": "UK time",
    "Europe/Belfast": "UK time",
    "GB": "UK time",
    "Europe/Dublin": "Irish time",
    "UTC": "UTC",
    "Etc/UTC": "UTC",
}


def zone_name(time_zone: str) -> str:
    """A zone as a learner says it: "UK time", "New York time"."""
    return ZONE_NAMES.get(time_zone) or f"{time_zone.rsplit('/', 1)[-1].replace('_', ' ')} time"


@dataclass(frozen=True)
class LiveSession:
    """One session's live meeting for one cohort, with the effective values
    (the session's own, else the cohort's)."""

    session: Session  # from the course's copy: read it, never change it
    date: date  # the day it meets, in the cohort's zone
    time_zone: str  # the cohort's IANA zone, e.g. "Europe/London"
    starts_at: datetime | None  # aware, in the cohort's zone; None: no time set
    ends_at: datetime | None  # aware, in the cohort's zone; None: no end time set
    location: str  # "" when none
    meeting_url: str  # an https:// link, "" when none

    @property
    def link_visible_from(self) -> datetime:
        """24 hours before the start (counted in real hours, so across a clock
        change too); without a start time, 00:00 the day before."""
        if self.starts_at is not None:
            return (self.starts_at.astimezone(timezone.utc) - LINK_SHOWN_BEFORE_START).astimezone(
                self.starts_at.tzinfo
            )
        return datetime.combine(self.date - timedelta(days=1), time.min, ZoneInfo(self.time_zone))

    @property
    def day_ends_at(self) -> datetime:
        """Midnight at the end of the session's day, in the cohort's zone."""
        return datetime.combine(self.date + timedelta(days=1), time.min, ZoneInfo(self.time_zone))

    def link_visible(self, now: datetime) -> bool:
        """Whether the online link may be shown at ``now`` (aware): there is
        one, and ``now`` is between ``link_visible_from`` and the end of the
        session's day."""
        return bool(self.meeting_url) and self.link_visible_from <= now < self.day_ends_at

    def is_over(self, now: datetime) -> bool:
        """Whether the session's day has ended at ``now`` (aware)."""
        return now >= self.day_ends_at

    # ---- as learners read it; neutral (no topic), so fit for a calendar too

    @property
    def date_label(self) -> str:
        """ "Tuesday 3 March 2027"."""
        return dateformat.format(self.date, "l j F Y")

    @property
    def time_label(self) -> str:
        """ "10:00–12:30", "10:00" without an end, "" without a time."""
        if self.starts_at is None:
            return ""
        if self.ends_at is None:
            return f"{self.starts_at:%H:%M}"
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def zone_label(self) -> str:
        """ "UK time", "New York time"."""
        return zone_name(self.time_zone)

    @property
    def when_label(self) -> str:
        """ "Tuesday 3 March 2027, 10:00–12:30 (UK time)", or just the day."""
        if not self.time_label:
            return self.date_label
        return f"{self.date_label}, {self.time_label} ({self.zone_label})"


def live_session(access_or_timetable, session: Session) -> LiveSession | None:
    """``session``'s live meeting for a cohort, or None when there is no
    cohort (a staff preview: ``access.timetable`` is None).

    ``access_or_timetable``: a learner page's ``CourseAccess``
    (courses/learner/access.py) or a ``CohortTimetable``
    (``copies.timetable_of(cohort.pk, cohort.timetable_version)``), from the
    cohort's copy in memory, so no query. ``session``: a Session of the
    cohort's course (its ``pk`` and ``number`` are read).

    The times are aware datetimes in the cohort's zone; compare them with an
    aware ``now`` in any zone. ``link_visible(now)`` is the rule for showing
    the online link; ``when_label`` is how learners read the time.
    """
    timetable = (
        access_or_timetable
        if isinstance(access_or_timetable, CohortTimetable) or access_or_timetable is None
        else access_or_timetable.timetable
    )
    if timetable is None:
        return None
    cohort = timetable.cohort
    day = timetable.opening_dates.get(session.pk) or default_opening(
        cohort.start_date, session.number
    )
    own = timetable.overrides.get(session.pk)
    starts = (own and own.starts_at) or cohort.session_starts_at
    ends = (own and own.ends_at) or cohort.session_ends_at
    zone_key = _known_zone(cohort.time_zone)
    zone = ZoneInfo(zone_key)
    return LiveSession(
        session=session,
        date=day,
        time_zone=zone_key,
        starts_at=datetime.combine(day, starts, zone) if starts is not None else None,
        # An end without a start is refused on saving (courses/models.py).
        ends_at=datetime.combine(day, ends, zone)
        if ends is not None and starts is not None
        else None,
        location=(own and own.location) or cohort.session_location,
        meeting_url=(own and own.meeting_url) or cohort.session_meeting_url,
    )


def _known_zone(name: str) -> str:
    """The cohort's zone; the site's if it is not one (saved past the model's
    check, say from a shell): a learner's page must not fail on it."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return settings.TIME_ZONE
    return name


def next_live_session(access_or_timetable, sessions, now: datetime) -> LiveSession | None:
    """The first of ``sessions`` (in course order) whose day has not ended at
    ``now``; None when all are over or there is no cohort."""
    for session in sessions:
        live = live_session(access_or_timetable, session)
        if live is None:
            return None
        if not live.is_over(now):
            return live
    return None


@dataclass(frozen=True)
class LiveSessionNow:
    """A live session as a learner page shows it at one moment (the page's
    learner is the cohort's own, or staff: learner pages never show another
    cohort's timetable)."""

    live: LiveSession
    link_shown: bool  # the "Join the online session" button
    link_later: bool  # there is a link, shown here from the day before
    day_word: str = ""  # "Today" or "Tomorrow" (in the cohort's zone), else ""

    @classmethod
    def at(cls, live: LiveSession | None, now: datetime) -> "LiveSessionNow | None":
        if live is None:
            return None
        shown = live.link_visible(now)
        days_away = (live.date - now.astimezone(ZoneInfo(live.time_zone)).date()).days
        return cls(
            live=live,
            link_shown=shown,
            link_later=bool(live.meeting_url) and not shown and now < live.link_visible_from,
            day_word={0: "Today", 1: "Tomorrow"}.get(days_away, ""),
        )

    @property
    def when_label(self) -> str:
        """ "Today, Friday 27 November 2026, 10:00–12:30 (UK time)"."""
        when = self.live.when_label
        return f"{self.day_word}, {when}" if self.day_word else when
