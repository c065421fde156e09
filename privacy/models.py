from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class AccessRecord(models.Model):
    """Someone other than the learner read their essay or shared reflection.

    Written by the admin whenever a tutor or coordinator opens one; the
    learner sees the list on their account page.
    """

    class Kind(models.TextChoices):
        ESSAY = "essay", "Essay"
        ESSAY_FILE = "essay_file", "Essay's attached file"
        REFLECTION = "reflection", "Shared reflection"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_records"
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    object_id = models.PositiveBigIntegerField()
    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-viewed_at"]
        indexes = [
            # The learner's "who has read my work" list.
            models.Index(fields=["learner", "-viewed_at"], name="privacy_access_learner_idx"),
        ]

    def __str__(self):
        return f"Access #{self.pk}"


class ErasureRequest(models.Model):
    """A learner asks for their account to be erased; a coordinator confirms."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for a coordinator"
        ERASED = "erased", "Erased"
        CANCELLED = "cancelled", "Cancelled"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure_requests"
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.REQUESTED)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner"],
                condition=models.Q(status="requested"),
                name="privacy_erasure_one_open_request",
            ),
        ]

    def __str__(self):
        return f"Erasure request #{self.pk}"
