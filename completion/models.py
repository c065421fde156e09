"""Finishing the course: who came to each session, and the certificates of
those who completed it.

* ``Attendance``: one learner (an enrolment) at one session: present,
  absent, apologies (the learner's, sent in advance, with a note only their
  tutors read) or caught up (missed, then the tutor signed off catch-up work,
  with a note). Every change is kept with who made it (history).
* ``Certificate``: issued by a coordinator to a learner who meets the
  course's completion rule; it can be withdrawn, with a reason. Its
  verification page is off until the learner turns it on.
* ``CertificateSettings``: the provider's name, signature and logo printed on
  every certificate (one row).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        APOLOGIES = "apologies", "Apologies"
        CAUGHT_UP = "caught_up", "Caught up"

    # Each status's colour wherever it is shown (a Bootstrap colour name).
    TONES = {
        Status.PRESENT: "success",
        Status.ABSENT: "danger",
        Status.APOLOGIES: "warning",
        Status.CAUGHT_UP: "info",
    }

    enrolment = models.ForeignKey(
        "courses.Enrolment", on_delete=models.CASCADE, related_name="attendance"
    )
    session = models.ForeignKey(
        "course_sessions.Session", on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(max_length=20, choices=Status)
    # The learner's, with their apologies: read by their tutors only.
    apology_note = models.TextField(blank=True)
    # The tutor's, when they sign off catch-up work for a missed session.
    catch_up_note = models.CharField(max_length=300, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now=True)

    # Who marked what, and when. The learner's note stays out of it: it is
    # theirs, and is deleted with their account.
    history = HistoricalRecords(excluded_fields=["apology_note"])

    class Meta:
        ordering = ["session__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "session"], name="completion_attendance_once_per_session"
            ),
        ]

    def __str__(self):
        return f"Attendance #{self.pk}"

    @property
    def tone(self) -> str:
        return self.TONES.get(self.status, "secondary")


def new_certificate_code() -> str:
    """Twenty characters from an alphabet without look-alikes, in groups of
    four: about 100 bits, so no code can be found by guessing."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(20))
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


class CertificateQuerySet(models.QuerySet):
    def live(self):
        return self.filter(withdrawn_at__isnull=True)


class Certificate(models.Model):
    enrolment = models.ForeignKey(
        "courses.Enrolment", on_delete=models.PROTECT, related_name="certificates"
    )
    code = models.CharField(max_length=24, unique=True, default=new_certificate_code)
    # What is printed, as it was when the certificate was issued.
    name = models.CharField(max_length=150)
    course_title = models.CharField(max_length=200)
    completed_on = models.DateField()
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Off until the learner turns it on: nobody can check a certificate the
    # learner has not chosen to let be checked.
    verification_enabled = models.BooleanField(default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_reason = models.CharField(max_length=300, blank=True)

    objects = CertificateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(withdrawn_at__isnull=True),
                name="completion_certificate_one_live_per_enrolment",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawal_reason=""),
                name="completion_certificate_withdrawn_with_reason",
            ),
        ]

    def __str__(self):
        # Never the learner's name: this shows in admin messages and logs.
        return f"Certificate #{self.pk}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class CertificateSettings(models.Model):
    """What every certificate carries besides the learner's own details (one row)."""

    provider_name = models.CharField(
        max_length=200,
        default="Peer Support Training",
        help_text="The training provider, as printed on certificates.",
    )
    signatory_name = models.CharField(max_length=150, blank=True)
    signatory_role = models.CharField(max_length=150, blank=True)
    signature = models.FileField(
        upload_to="certificates/", blank=True, help_text="A PNG or JPEG image of a signature."
    )
    logo = models.FileField(upload_to="certificates/", blank=True, help_text="A PNG or JPEG image.")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "certificate settings"
        verbose_name_plural = "certificate settings"

    def __str__(self):
        return "Certificate settings"

    @classmethod
    def current(cls) -> "CertificateSettings":
        return cls.objects.order_by("pk").first() or cls()
