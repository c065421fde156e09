"""Sending the reminders that are due, and the tutors' daily digest.

``send_due_reminders`` runs every few minutes (``manage.py send_reminders``,
from a systemd timer or cron; ``make run`` runs it beside the worker). Each
run reads the clock in each cohort's time zone and queues what is due:

* Quiet hours (reminders/clock.py): nothing from 21:00 until 08:00. What
  falls due then goes at the first run after 08:00, while it is still true.
* "A session tomorrow": from 08:00 the day before a live session
  (courses/learner/live.py: the one rule for when a session meets), to each
  learner studying in the cohort who turned it on.
* "A deadline in 3 days": from 08:00 three days before the learner's own
  deadline (courses/learner/dates.py: extensions and later attempts
  included), while they have not submitted, to those who turned it on.
* The tutors' digest: once per day, from 08:00 in the zone of the tutor's
  most recently started cohort, and only when something waits for them in
  their cohorts (essays, apologies, moderation). A coordinator who tutors no
  cohort gets none.
* "Feedback is ready" is not here: releasing feedback queues it
  (assessments/services.py), and its builder checks the preference.

At most once, whatever happens: each reminder is a ``SentReminder`` row,
unique by (kind, person, key), written in one transaction with its queued
email. A run stopped half-way has sent each reminder with its row or
neither, so the next run sends exactly the missing ones; two runs at once
(two timers, two hosts) collide on the constraint, and the loser skips.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from assessments.models import Moderation, Submission
from completion.models import Attendance
from courses.learner.access import CourseAccess
from courses.learner.copies import structure_of, timetable_of
from courses.learner.dates import deadline
from courses.learner.live import live_session
from courses.models import Cohort, Enrolment
from outbox.services import queue_email
from reminders import emails
from reminders.clock import is_quiet, local_now
from reminders.models import Kind, SentReminder

DEADLINE_NOTICE = timedelta(days=3)
# Apologies counted in a tutor's first digest, with no digest before it.
FIRST_DIGEST_LOOKS_BACK = timedelta(days=1)


@dataclass(frozen=True)
class Due:
    """One reminder to send, with what its email needs."""

    kind: str
    user_id: int
    key: str
    builder: object
    params: dict = field(default_factory=dict)


def send_due_reminders(now: datetime | None = None) -> Counter:
    """Queue every reminder due at ``now`` (default: the time now) that has
    not been sent; return how many of each kind were queued, and how many
    were found already sent (``"already sent"``)."""
    if not settings.SITE_URL:
        raise ImproperlyConfigured(
            "DJANGO_SITE_URL is not set: reminders link to the site, so set it to the "
            "site's address (e.g. https://training.example.org)."
        )
    now = now or timezone.now()
    due = learner_reminders(now) + tutor_digests(now)
    counts = Counter(
        {Kind.SESSION_TOMORROW: 0, Kind.DEADLINE_SOON: 0, Kind.TUTOR_DIGEST: 0, "already sent": 0}
    )
    sent = _already_sent(due)
    for reminder in due:
        if (reminder.kind, reminder.user_id, reminder.key) in sent or not send(reminder, now):
            counts["already sent"] += 1
        else:
            counts[reminder.kind] += 1
    return counts


def send(reminder: Due, now: datetime) -> bool:
    """Record and queue one reminder, in one transaction; False if it was
    already recorded (another run took it first)."""
    try:
        with transaction.atomic():
            SentReminder.objects.create(
                kind=reminder.kind, user_id=reminder.user_id, key=reminder.key, sent_at=now
            )
            queue_email(
                reminder.builder,
                reminder.user_id,
                f"Reminder: {Kind(reminder.kind).label.lower()}",
                user_id=reminder.user_id,
                **reminder.params,
            )
    except IntegrityError:
        return False
    return True


def _already_sent(due: list[Due]) -> set[tuple[str, int, str]]:
    if not due:
        return set()
    return set(
        SentReminder.objects.filter(
            kind__in={d.kind for d in due},
            user_id__in={d.user_id for d in due},
            key__in={d.key for d in due},
        ).values_list("kind", "user_id", "key")
    )


# ---------------------------------------------------------------- learners


def learner_reminders(now: datetime) -> list[Due]:
    """The session and deadline reminders due at ``now``, for learners
    studying now who turned them on."""
    enrolments = list(
        Enrolment.objects.active()
        .filter(learner__is_active=True)
        .exclude(learner__email="")
        .filter(
            Q(learner__reminder_preferences__session_tomorrow=True)
            | Q(learner__reminder_preferences__deadline_soon=True)
        )
        .select_related("cohort__course")
        .annotate(
            wants_sessions=F("learner__reminder_preferences__session_tomorrow"),
            wants_deadlines=F("learner__reminder_preferences__deadline_soon"),
        )
    )
    by_cohort = defaultdict(list)
    for enrolment in enrolments:
        by_cohort[enrolment.cohort_id].append(enrolment)
    attempts = _latest_attempts([e.learner_id for e in enrolments if e.wants_deadlines])
    due = []
    for cohort_enrolments in by_cohort.values():
        cohort = cohort_enrolments[0].cohort
        local = local_now(now, cohort.time_zone)
        if is_quiet(local):
            continue
        structure = structure_of(cohort.course_id, cohort.course.structure_version)
        timetable = timetable_of(cohort.pk, cohort.timetable_version)
        tomorrow = local.date() + timedelta(days=1)
        meeting_tomorrow = [
            s for s in structure.sessions if live_session(timetable, s).date == tomorrow
        ]
        for enrolment in cohort_enrolments:
            if enrolment.wants_sessions:
                due += [
                    Due(
                        Kind.SESSION_TOMORROW,
                        enrolment.learner_id,
                        f"session:{cohort.pk}:{session.pk}:{tomorrow.isoformat()}",
                        emails.session_tomorrow,
                        {
                            "cohort_id": cohort.pk,
                            "session_id": session.pk,
                            "on": tomorrow.isoformat(),
                        },
                    )
                    for session in meeting_tomorrow
                ]
            if enrolment.wants_deadlines:
                access = CourseAccess(structure, timetable, enrolment.pk, today=local.date())
                due += _deadlines(enrolment, access, attempts, local.date() + DEADLINE_NOTICE)
    return due


def _latest_attempts(learner_ids) -> dict[tuple[int, int], Submission]:
    """Each learner's latest attempt at each assignment, by (learner, assignment)."""
    latest = {}
    for submission in (
        Submission.objects.filter(learner_id__in=learner_ids)
        .only("learner_id", "assignment_id", "attempt", "status", "due_on")
        .order_by("attempt")
    ):
        latest[submission.learner_id, submission.assignment_id] = submission
    return latest


def _deadlines(enrolment, access, attempts, day) -> list[Due]:
    due = []
    for assignment in access.structure.assignments:
        attempt = attempts.get((enrolment.learner_id, assignment.pk))
        if attempt is not None and not attempt.is_draft:
            continue  # submitted: nothing to remind them of
        if deadline(access, assignment, attempt) != day:
            continue
        number = attempt.attempt if attempt is not None else 1
        due.append(
            Due(
                Kind.DEADLINE_SOON,
                enrolment.learner_id,
                f"deadline:{assignment.pk}:{number}:{day.isoformat()}",
                emails.deadline_soon,
                {"assignment_id": assignment.pk, "attempt": number, "due_on": day.isoformat()},
            )
        )
    return due


# ---------------------------------------------------------------- tutors


def tutor_digests(now: datetime) -> list[Due]:
    """Today's digest for each tutor with something waiting, once a day."""
    tutors = (
        get_user_model()
        ._default_manager.filter(is_active=True, tutored_cohorts__isnull=False)
        .exclude(email="")
        .exclude(reminder_preferences__tutor_digest=False)
        .distinct()
    )
    due = []
    for tutor in tutors:
        # A tutor's day is that of the cohort they took on last: most tutor
        # cohorts in one place, and the newest is the one they work with now.
        zone = (
            Cohort.objects.filter(tutors=tutor)
            .order_by("-start_date", "-pk")
            .values_list("time_zone", flat=True)
            .first()
        )
        local = local_now(now, zone)
        if is_quiet(local):
            continue
        key = f"digest:{local.date().isoformat()}"
        if SentReminder.objects.filter(kind=Kind.TUTOR_DIGEST, user=tutor, key=key).exists():
            continue
        waiting = waiting_for(tutor, now)
        if any(waiting.values()):
            due.append(Due(Kind.TUTOR_DIGEST, tutor.pk, key, emails.tutor_digest, waiting))
    return due


def waiting_for(tutor, now: datetime) -> dict[str, int]:
    """What waits for ``tutor`` in the cohorts they tutor: essays (and the
    longest wait, in whole days), apologies since their last digest, and
    reviews for them to moderate."""
    my_learners = Enrolment.objects.current().filter(cohort__tutors=tutor).values("learner_id")
    essays = (
        Submission.objects.awaiting_review()
        .filter(learner_id__in=my_learners)
        .aggregate(count=Count("pk"), oldest=Min("submitted_at"))
    )
    last_digest = (
        SentReminder.objects.filter(kind=Kind.TUTOR_DIGEST, user=tutor)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    apologies = Attendance.objects.filter(
        status=Attendance.Status.APOLOGIES,
        enrolment__cohort__tutors=tutor,
        enrolment__withdrawn_at__isnull=True,
        # Sent by the learner; not a tutor's own mark on the register.
        marked_by_id=F("enrolment__learner_id"),
        marked_at__gt=last_digest or now - FIRST_DIGEST_LOOKS_BACK,
    ).count()
    moderations = (
        Moderation.objects.filter(
            agrees__isnull=True, review__submission__learner_id__in=my_learners
        )
        .exclude(review__tutor=tutor)
        .count()
    )
    oldest = essays["oldest"]
    return {
        "essays": essays["count"],
        "longest_wait_days": (now - oldest).days if oldest else 0,
        "apologies": apologies,
        "moderations": moderations,
    }
