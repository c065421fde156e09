from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from peersupport.models import CourseContent

ASSIGNMENT_COUNT = 2


class Assignment(CourseContent):
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, related_name="assignments"
    )
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(ASSIGNMENT_COUNT)]
    )
    title = models.CharField(max_length=200)
    brief = models.TextField(help_text="What learners are asked to write. Markdown.")
    brief_html = models.TextField(blank=True, editable=False)
    min_words = models.PositiveIntegerField()
    max_words = models.PositiveIntegerField()
    feedback_session = models.ForeignKey(
        "course_sessions.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The session in which the assignment is discussed.",
    )

    markdown_fields = {"brief": "brief_html"}
    content_fields = ("title", "brief", "min_words", "max_words", "feedback_session_id")
    history = HistoricalRecords(excluded_fields=CourseContent.history_excluded(markdown_fields))

    class Meta:
        ordering = ["course", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "number"], name="assessments_assignment_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(min_words__lt=F("max_words")),
                name="assessments_assignment_word_range",
            ),
        ]

    def __str__(self):
        return f"Assignment {self.number}: {self.title}"

    def clean(self):
        super().clean()
        if (
            self.min_words is not None
            and self.max_words is not None
            and self.min_words >= self.max_words
        ):
            raise ValidationError(
                {"max_words": "The most words must be more than the fewest words."}
            )
