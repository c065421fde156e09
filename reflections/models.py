from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from peersupport.models import CourseContent


class ReflectionPrompt(CourseContent):
    """A question a learner answers in their private journal.

    It hangs off a lesson, or off a session directly. ``session`` is set in
    both cases so the journal can group answers by session in one query.
    """

    session = models.ForeignKey(
        "course_sessions.Session", on_delete=models.CASCADE, related_name="prompts"
    )
    lesson = models.ForeignKey(
        "course_sessions.Lesson",
        on_delete=models.CASCADE,
        related_name="prompts",
        null=True,
        blank=True,
        help_text="Leave empty for a prompt at the end of the session itself.",
    )
    order = models.PositiveSmallIntegerField(default=1)
    text = models.TextField(help_text="The question, in Markdown.")
    text_html = models.TextField(blank=True, editable=False)

    markdown_fields = {"text": "text_html"}
    content_fields = ("text",)
    history = HistoricalRecords(excluded_fields=CourseContent.history_excluded(markdown_fields))

    class Meta:
        ordering = ["session", "lesson", "order", "pk"]

    def __str__(self):
        return self.text[:80]

    def clean(self):
        super().clean()
        if self.lesson_id and self.session_id and self.lesson.session_id != self.session_id:
            raise ValidationError({"lesson": "Choose a lesson from the prompt's own session."})

    def save(self, *args, **kwargs):
        # A lesson's prompt belongs to the lesson's session (admin inlines on a
        # lesson do not ask for the session).
        if self.lesson_id and not self.session_id:
            self.session_id = self.lesson.session_id
        super().save(*args, **kwargs)
