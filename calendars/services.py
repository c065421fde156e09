"""Each person's private calendar: the live sessions and assignment deadlines
of their cohort (a tutor's: of every cohort they tutor), as iCalendar (RFC 5545).

Neutral on purpose. Learners joined the course because of their own mental
health; a phone's lock screen showing "Session 10: trauma, suicidality and
risk" would tell anyone nearby. So nothing the course says about a session
or an assignment goes into the feed: no title, topic, content note or
meeting link (the site shows the link from the day before; the feed points
to the session's page instead). Titles are "Peer Support Training" and
numbers; the place is given.

An event's UID never changes while it is the same session or deadline, and
its SEQUENCE rises whenever what the feed says about it changes
(``EventRevision``, calendars/models.py), so calendar apps move the event
rather than adding a second one.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import icalendar
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.urls import reverse
from django.utils import timezone
from icalendar import TRANSP

from assessments.models import Submission
from calendars.models import CalendarFeed, EventRevision
from courses.learner import dates
from courses.learner.access import CourseAccess, course_access_for
from courses.learner.copies import structure_of, timetable_of
from courses.learner.live import live_session
from courses.models import Cohort

COURSE_NAME = "Peer Support Training"
# The right-hand side of every UID: the same whatever host serves the feed,
# so that moving the site does not duplicate everyone's events.
UID_DOMAIN = "calendar.peer-support-training"
PRODID = "-//Peer Support Training//Calendar feed//EN"
# How often calendar apps are asked to fetch the feed again (REFRESH-INTERVAL,
# and X-PUBLISHED-TTL, which Outlook and Apple read). Google ignores both.
REFRESH_INTERVAL = timedelta(hours=1)
# Stands for the site's address in an event's description until the feed is
# written for a request (the same events serve every host name).
SITE = "[site]"
# What secrets.token_urlsafe() makes (calendars/models.py), of any length
# the column holds.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


# ---------------------------------------------------------------- feeds


def feed_for(user) -> CalendarFeed:
    """``user``'s feed, created the first time it is asked for."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def reset_feed(user) -> CalendarFeed:
    """Give ``user``'s feed a new address; the old one finds nothing from now on."""
    feed = feed_for(user)
    feed.token = CalendarFeed._meta.get_field("token").get_default()
    feed.reset_at = timezone.now()
    feed.save(update_fields=["token", "reset_at"])
    return feed


def feed_owner(token: str):
    """The active person whose feed has ``token``, or None."""
    # Anything that cannot be a token is not looked up (PostgreSQL refuses
    # to compare a NUL, which a path may carry as %00).
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    return (
        get_user_model()._default_manager.filter(calendar_feed__token=token, is_active=True).first()
    )


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    summary: str
    start: date | datetime  # a date: an all-day event
    end: date | datetime | None
    location: str
    path: str  # the page on this site the event is about
    description: str
    # What the fingerprint is made of: everything the event says, except
    # what differs between the people who see the same UID (a tutor's title
    # adds the cohort's name: the name is in here instead).
    facts: tuple

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(repr(self.facts).encode()).hexdigest()

    @property
    def day(self) -> date:
        return self.start.date() if isinstance(self.start, datetime) else self.start


def events_for(user) -> list[FeedEvent]:
    """What ``user``'s calendar holds: for a learner studying now, their
    cohort's sessions and their own deadlines (an extension, a resubmission
    date); for staff, the sessions and
    deadlines of every cohort they tutor; for anyone else, nothing."""
    if user.is_staff:
        return _tutor_events(user)
    access = course_access_for(user)
    if access is None or access.is_preview:  # withdrawn, or never enrolled
        return []
    # A referred essay's next attempt has its own date (the latest attempt
    # counts); dates.deadline() is the rule, as on the dashboard.
    later_attempts = {
        attempt.assignment_id: attempt
        for attempt in Submission.objects.filter(learner=user, attempt__gt=1)
        .order_by("assignment_id", "attempt")
        .only("assignment_id", "attempt", "due_on")
    }
    return _session_events(access, for_tutor=False) + [
        _deadline_event(
            access,
            assignment,
            due_on,
            uid=f"deadline-{assignment.pk}-enrolment-{access.enrolment_id}@{UID_DOMAIN}",
            for_tutor=False,
        )
        for assignment in access.structure.assignments
        if (due_on := dates.deadline(access, assignment, later_attempts.get(assignment.pk)))
        is not None
    ]


def _tutor_events(user) -> list[FeedEvent]:
    events = []
    for cohort_id, timetable_version, course_id, structure_version in (
        Cohort.objects.filter(tutors=user)
        .order_by("start_date", "name", "pk")
        .values_list("pk", "timetable_version", "course_id", "course__structure_version")
    ):
        # The same copies of the course and timetable learner pages read
        # (courses/learner/copies.py); no enrolment: the cohort's own deadlines.
        access = CourseAccess(
            structure=structure_of(course_id, structure_version),
            timetable=timetable_of(cohort_id, timetable_version),
        )
        events += _session_events(access, for_tutor=True)
        events += [
            _deadline_event(
                access,
                assignment,
                due_on,
                uid=f"deadline-{assignment.pk}-cohort-{cohort_id}@{UID_DOMAIN}",
                for_tutor=True,
            )
            for assignment in access.structure.assignments
            if (due_on := dates.deadline(access, assignment)) is not None
        ]
    return events


def _session_events(access: CourseAccess, for_tutor: bool) -> list[FeedEvent]:
    cohort = access.cohort
    events = []
    for session in access.structure.sessions:
        live = live_session(access, session)  # its day, time and place; no query
        path = session.page_url
        description = f"The session's page on the course site: {SITE}{path}"
        if live.meeting_url:
            # Never the link itself: the site shows it from the day before.
            description += "\nThe link to join is on that page from the day before."
        if live.starts_at is None:  # no time set yet: an all-day event
            start, end = live.date, live.date + timedelta(days=1)
        else:
            start, end = live.starts_at, live.ends_at
        title = f"{COURSE_NAME} — session {session.number}"
        events.append(
            FeedEvent(
                uid=f"session-{cohort.pk}-{session.pk}@{UID_DOMAIN}",
                summary=f"{title} ({cohort.name})" if for_tutor else title,
                start=start,
                end=end,
                location=live.location or ("Online" if live.meeting_url else ""),
                path=path,
                description=description,
                facts=(
                    "session",
                    session.number,
                    cohort.name,
                    _iso(start),
                    _iso(end),
                    live.time_zone,
                    live.location,
                    bool(live.meeting_url),
                    path,
                ),
            )
        )
    return events


def _deadline_event(access, assignment, due_on: date, uid: str, for_tutor: bool) -> FeedEvent:
    cohort = access.cohort
    title = f"{COURSE_NAME} — assignment {assignment.number} due"
    path = reverse("assignment_detail", args=[assignment.number])
    return FeedEvent(
        uid=uid,
        summary=f"{title} ({cohort.name})" if for_tutor else title,
        start=due_on,
        end=due_on + timedelta(days=1),
        location="",
        path=path,
        description="Due by the end of the day. The assignment's page on the course "
        f"site: {SITE}{path}",
        facts=("deadline", assignment.number, cohort.name, due_on.isoformat(), path),
    )


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


# ---------------------------------------------------------------- revisions


def revisions(events: Iterable[FeedEvent]) -> dict[str, EventRevision]:
    """Each event's revision (its SEQUENCE and when it last changed), raised
    for the events whose fingerprint changed since a feed last showed them.

    One query when nothing changed. The UPDATE sets the new fingerprint only
    where the stored one differs, so of two processes that both saw the old
    one, the second changes nothing, and the sequence rises once.
    """
    fingerprints = {event.uid: event.fingerprint for event in events}
    if not fingerprints:
        return {}
    known = {r.uid: r for r in EventRevision.objects.filter(uid__in=fingerprints)}
    now = timezone.now()
    new = [
        EventRevision(uid=uid, fingerprint=fingerprint, changed_at=now)
        for uid, fingerprint in fingerprints.items()
        if uid not in known
    ]
    changed = [uid for uid, r in known.items() if r.fingerprint != fingerprints[uid]]
    if new or changed:
        with transaction.atomic():
            if new:
                # Another process building a feed with the same event may add
                # it meanwhile: both start it at 0.
                EventRevision.objects.bulk_create(new, ignore_conflicts=True)
                known.update((r.uid, r) for r in new)
            if changed:
                fingerprint = Case(
                    *(When(uid=uid, then=Value(fingerprints[uid])) for uid in changed)
                )
                EventRevision.objects.filter(uid__in=changed).exclude(
                    fingerprint=fingerprint
                ).update(sequence=F("sequence") + 1, fingerprint=fingerprint, changed_at=now)
                for uid in changed:
                    known[uid].sequence += 1
                    known[uid].changed_at = now
    return known


# ---------------------------------------------------------------- the calendar


def calendar_for(user, site: str) -> bytes:
    """``user``'s calendar as an iCalendar file. ``site``: the address the
    feed was asked for at ("https://example.org"), for links back to the site."""
    events = sorted(events_for(user), key=lambda e: (e.day, e.uid))
    revised = revisions(events)
    calendar = icalendar.Calendar.new(
        prodid=PRODID,
        name=COURSE_NAME,  # NAME and X-WR-CALNAME
        description=f"Sessions and deadlines of {COURSE_NAME}.",
        refresh_interval=REFRESH_INTERVAL,
        uid=f"calendar-{user.pk}@{UID_DOMAIN}",
    )
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # RFC 7986 asks for it
    calendar.add("X-PUBLISHED-TTL", icalendar.vDuration(REFRESH_INTERVAL))
    for event in events:
        revision = revised[event.uid]
        calendar.add_component(
            icalendar.Event.new(
                uid=event.uid,
                summary=event.summary,
                start=event.start,
                end=event.end,
                location=event.location or None,
                url=f"{site}{event.path}",
                description=event.description.replace(SITE, site),
                sequence=revision.sequence,
                stamp=revision.changed_at,
                last_modified=revision.changed_at,
                # A deadline or an untimed session takes up no time: it does not
                # mark the person busy all day.
                transparency=None if isinstance(event.start, datetime) else TRANSP.TRANSPARENT,
            )
        )
    _add_time_zones(calendar, events)
    return calendar.to_ical()


def _add_time_zones(calendar, events) -> None:
    """A VTIMEZONE for each zone the events name, covering their dates. An
    empty calendar gets the site's zone, so that it still holds the one
    component RFC 5545 asks of every calendar."""
    if events:
        first = min(event.day for event in events) - timedelta(days=1)
        last = max(event.day for event in events) + timedelta(days=2)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    if not calendar.subcomponents:
        today = timezone.localdate()
        calendar.add_component(
            icalendar.Timezone.from_tzid(
                settings.TIME_ZONE, first_date=today, last_date=today + timedelta(days=366)
            )
        )
