"""Taking the register, apologies, and issuing and withdrawing certificates.

Each is one transaction. Views and the admin call these; they never write
attendance or certificates themselves.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import name_on_certificate
from completion import rule
from completion.models import Attendance, Certificate
from courses.models import Enrolment
from peersupport.people import display_name

Status = Attendance.Status
CATCH_UP_NOTE_MAX = Attendance._meta.get_field("catch_up_note").max_length


class CompletionError(Exception):
    """A step that is not allowed now; the message is for the person who tried."""


# ---------------------------------------------------------------- the register


@transaction.atomic
def mark(enrolment: Enrolment, session, status: str, by, catch_up_note: str = "") -> Attendance:
    """Record ``status`` for one learner at one session (a tutor's tap).
    A learner's apology note stays with the row whatever the tutor marks."""
    if status not in Status.values:
        raise CompletionError("Choose present, absent, apologies or caught up.")
    catch_up_note = catch_up_note.strip()
    if status == Status.CAUGHT_UP and not catch_up_note:
        raise CompletionError("Say in a short note what catch-up work was done.")
    if len(catch_up_note) > CATCH_UP_NOTE_MAX:
        raise CompletionError(
            f"Please keep the catch-up note to {CATCH_UP_NOTE_MAX} characters "
            f"(it has {len(catch_up_note)})."
        )
    attendance, _ = Attendance.objects.select_for_update().get_or_create(
        enrolment=enrolment, session=session, defaults={"status": status, "marked_by": by}
    )
    attendance.status = status
    attendance.catch_up_note = catch_up_note if status == Status.CAUGHT_UP else ""
    attendance.marked_by = by
    attendance.save()
    return attendance


@transaction.atomic
def mark_everyone_present(cohort, session, by) -> list[int]:
    """Everyone in the cohort not marked yet is present: the tutor then marks
    the exceptions. Returns the enrolments marked."""
    marked = set(
        Attendance.objects.filter(enrolment__cohort=cohort, session=session).values_list(
            "enrolment_id", flat=True
        )
    )
    added = []
    for enrolment in cohort.enrolments.active().exclude(pk__in=marked):
        # One save each, so the history says who marked whom.
        Attendance.objects.create(
            enrolment=enrolment, session=session, status=Status.PRESENT, marked_by=by
        )
        added.append(enrolment.pk)
    return added


@transaction.atomic
def send_apologies(enrolment: Enrolment, session, note: str) -> Attendance:
    """A learner says in advance that they cannot come, with a note only their
    tutors read."""
    attendance = (
        Attendance.objects.select_for_update().filter(enrolment=enrolment, session=session).first()
    )
    if attendance is not None and attendance.status != Status.APOLOGIES:
        raise CompletionError(
            "Your tutor has already taken the register for this session. If something is "
            "wrong, please tell them."
        )
    if attendance is None:
        attendance = Attendance(enrolment=enrolment, session=session)
    attendance.status = Status.APOLOGIES
    attendance.apology_note = note.strip()
    attendance.marked_by = enrolment.learner
    attendance.save()
    return attendance


@transaction.atomic
def withdraw_apologies(enrolment: Enrolment, session) -> bool:
    """Take back apologies the learner sent (before the tutor marked them)."""
    deleted, _ = Attendance.objects.filter(
        enrolment=enrolment,
        session=session,
        status=Status.APOLOGIES,
        marked_by=enrolment.learner_id,
    ).delete()
    return bool(deleted)


# ---------------------------------------------------------------- certificates


# A full name can be longer than a certificate prints (two fields of 150
# characters); a name the learner chose cannot.
NAME_MAX = Certificate._meta.get_field("name").max_length


def issue(cohort, enrolment_ids, by) -> tuple[list[Certificate], list[str]]:
    """Issue a certificate to each of these learners who meets the rule and
    has none yet. Returns the certificates and, for the others, why not."""
    enrolments = list(
        cohort.enrolments.filter(pk__in=enrolment_ids).select_related("learner", "cohort__course")
    )
    standings = rule.standings_for(cohort, enrolments)
    issued, refused = [], []
    for enrolment in enrolments:
        learner = enrolment.learner
        name = display_name(learner)
        learner_standing = standings[enrolment.pk]
        if not learner_standing.complete:
            refused.append(
                f"{name} has not completed the course yet: {learner_standing.missing_text}."
            )
            continue
        with transaction.atomic():
            if Certificate.objects.live().filter(enrolment=enrolment).exists():
                refused.append(f"{name} already has a certificate.")
                continue
            issued.append(
                Certificate.objects.create(
                    enrolment=enrolment,
                    name=name_on_certificate(learner)[:NAME_MAX],
                    course_title=cohort.course.title,
                    completed_on=rule.completed_on(enrolment, learner_standing)
                    or timezone.localdate(),
                    issued_by=by,
                )
            )
    return issued, refused


@transaction.atomic
def withdraw(certificate: Certificate, by, reason: str) -> Certificate:
    reason = reason.strip()
    if not reason:
        raise CompletionError("Please give the reason for withdrawing the certificate.")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.is_withdrawn:
        raise CompletionError("This certificate was already withdrawn.")
    certificate.withdrawn_at = timezone.now()
    certificate.withdrawn_by = by
    certificate.withdrawal_reason = reason[:300]
    certificate.save()
    return certificate


@transaction.atomic
def set_verification(certificate: Certificate, enabled: bool) -> Certificate:
    certificate.verification_enabled = enabled
    certificate.save(update_fields=["verification_enabled"])
    return certificate
