from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from courses.models import Enrolment, PartOfTheCourse
from peersupport.models import CourseContent, MarkdownRendered
from peersupport.rendering import LEARNER


class ReflectionPrompt(PartOfTheCourse, CourseContent):
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


MAX_REFLECTION_CHARS = 100_000


class ReflectionQuerySet(models.QuerySet):
    def written(self):
        """Answers with words in them (a cleared box is kept as an empty answer)."""
        return self.exclude(text="")

    def in_course_order(self):
        return self.select_related("prompt__session", "prompt__lesson").order_by(
            "prompt__session__number", "prompt__lesson__order", "prompt__order", "prompt_id"
        )

    def shared_with(self, tutor):
        """Answers shared by learners in the cohorts ``tutor`` tutors; nothing else."""
        # The tutors of the cohort each learner is in now, not one they left.
        learners = Enrolment.objects.current().filter(cohort__tutors=tutor).values("learner_id")
        return self.filter(shared_with_tutor=True, learner_id__in=learners).written()


class Reflection(MarkdownRendered):
    """A learner's answer to one prompt: private unless they share it."""

    markdown_profile = LEARNER

    # PROTECT: a learner's writing is only ever removed on purpose (the
    # learner deletes it, or their account is erased), never as a side effect.
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reflections"
    )
    prompt = models.ForeignKey(ReflectionPrompt, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)
    text_html = models.TextField(blank=True, editable=False)
    shared_with_tutor = models.BooleanField(
        "Share with my tutor",
        default=False,
        help_text="Off by default. You can turn it on and off at any time.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # One more with every save: a save from a page that read an older one
    # (another tab, another device) is shown as a conflict, never lost.
    version = models.PositiveIntegerField(default=0)

    markdown_fields = {"text": "text_html"}

    objects = ReflectionQuerySet.as_manager()

    class Meta:
        constraints = [
            # One answer per learner and prompt: saving again is an update
            # (last write wins). Also the index every page's lookup uses.
            models.UniqueConstraint(
                fields=["learner", "prompt"], name="reflections_reflection_one_per_prompt"
            ),
        ]

    def __str__(self):
        # Never the text: this shows in admin messages and logs.
        return f"Reflection #{self.pk}"
