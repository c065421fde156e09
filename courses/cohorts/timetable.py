"""A cohort's timetable: when each session opens and when each assignment is due."""

from datetime import date

from django.db import transaction

from assessments.models import Assignment
from courses.learner.dates import default_due_date, default_opening
from courses.models import AssignmentDeadline, Cohort, SessionRelease
from sessions.models import Session


@transaction.atomic
def create_timetable(cohort: Cohort) -> tuple[int, int]:
    """Add the default opening date and deadline for every session and assignment
    the cohort has none for yet. Returns how many of each were added."""
    sessions = list(Session.objects.filter(course=cohort.course_id).only("pk", "number"))
    have_release = set(cohort.releases.values_list("session_id", flat=True))
    releases = [
        SessionRelease(
            cohort=cohort, session=s, opens_on=default_opening(cohort.start_date, s.number)
        )
        for s in sessions
        if s.pk not in have_release
    ]
    SessionRelease.objects.bulk_create(releases)

    numbers = {s.pk: s.number for s in sessions}
    have_deadline = set(cohort.deadlines.values_list("assignment_id", flat=True))
    deadlines = [
        AssignmentDeadline(
            cohort=cohort, assignment=a, due_on=default_due_date(cohort.start_date, a, numbers)
        )
        for a in Assignment.objects.filter(course=cohort.course_id)
        if a.pk not in have_deadline
    ]
    AssignmentDeadline.objects.bulk_create(deadlines)
    return len(releases), len(deadlines)


@transaction.atomic
def open_all_sessions(cohort: Cohort, today: date) -> int:
    """Open every session of the cohort from ``today`` (those not open already)."""
    create_timetable(cohort)
    return cohort.releases.filter(opens_on__gt=today).update(opens_on=today)
