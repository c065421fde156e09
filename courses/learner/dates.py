"""When things happen for a learner: the one place for the date rules.

* A session opens on its cohort's date for it; a cohort's timetable starts
  with session N opening N - 1 weeks after the cohort starts.
* An assignment is due two weeks after the session that discusses it opens
  (the timetable's default; coordinators change it per cohort).
* A learner's deadline for an attempt: a later attempt's own date (the tutor
  set it when referring the one before); else the learner's extension; else
  their cohort's deadline.
* Work is on time until the end of the due day, in the site's time zone.
* A session's live meeting (its day, time, place and online link) is
  worked out in courses/learner/live.py.

The dashboard, the assignment page, submitting and the timetable all ask
here.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

# Session N opens N - 1 weeks after the cohort starts.
SESSION_INTERVAL = timedelta(weeks=1)
# An assignment is due two weeks after the session that discusses it opens:
# assignment 1 after session 6 (review, feedback on the task), the final one
# after session 11.
DUE_AFTER_DISCUSSION = timedelta(weeks=2)
DISCUSSED_IN_BY_DEFAULT = {1: 6, 2: 11}


def default_opening(start: date, session_number: int) -> date:
    return start + (session_number - 1) * SESSION_INTERVAL


def default_due_date(start: date, assignment, session_numbers: dict[int, int]) -> date:
    """``session_numbers`` maps session ids to numbers, to avoid a query per assignment."""
    number = session_numbers.get(assignment.feedback_session_id) or DISCUSSED_IN_BY_DEFAULT.get(
        assignment.number, 11
    )
    return default_opening(start, number) + DUE_AFTER_DISCUSSION


def deadline(access, assignment, attempt=None) -> date | None:
    """The learner's deadline for ``attempt`` of ``assignment`` (the first
    when None), from their course access; None in a staff preview."""
    if attempt is not None and attempt.attempt > 1:
        return attempt.due_on
    if access is None or access.timetable is None:
        return None
    return access.extensions.get(assignment.pk) or access.timetable.due_dates.get(assignment.pk)


def is_extended(access, assignment) -> bool:
    """Whether the learner has their own, later deadline for a first attempt."""
    return access is not None and assignment.pk in access.extensions


def is_past(due_on: date | None, moment: datetime | None = None) -> bool:
    """Work is on time until the end of the due day, in the site's time zone."""
    if due_on is None:
        return False
    end_of_day = timezone.make_aware(datetime.combine(due_on + timedelta(days=1), time.min))
    return (moment or timezone.now()) >= end_of_day
