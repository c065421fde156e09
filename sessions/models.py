import mimetypes
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from peersupport.models import CourseContent

COURSE_SESSION_COUNT = 11


class SessionQuerySet(models.QuerySet):
    def for_course(self, course):
        return self.filter(course=course).order_by("number")


class Session(CourseContent):
    course = models.ForeignKey("courses.Course", on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(COURSE_SESSION_COUNT)]
    )
    title = models.CharField(max_length=200)
    aim = models.TextField(help_text="What the session sets out to do. Markdown.")
    aim_html = models.TextField(blank=True, editable=False)
    content_note = models.TextField(
        blank=True,
        help_text=(
            "Shown before the session's content, for topics some learners may find "
            "distressing. Leave empty when none is needed. Markdown."
        ),
    )
    content_note_html = models.TextField(blank=True, editable=False)
    body = models.TextField(blank=True, help_text="The session's own text. Markdown.")
    body_html = models.TextField(blank=True, editable=False)

    markdown_fields = {"aim": "aim_html", "content_note": "content_note_html", "body": "body_html"}
    content_fields = ("title", "aim", "content_note", "body")

    objects = SessionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=CourseContent.history_excluded(markdown_fields))

    class Meta:
        ordering = ["course", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "number"], name="course_sessions_session_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=COURSE_SESSION_COUNT),
                name="course_sessions_session_number_in_course",
            ),
        ]

    def __str__(self):
        return f"Session {self.number}: {self.title}"

    def get_absolute_url(self):
        return reverse("session_detail", args=[self.number])


class Lesson(CourseContent):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(
        max_length=80, help_text="The lesson's address: /sessions/<number>/<slug>/."
    )
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=1)
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)

    markdown_fields = {"body": "body_html"}
    content_fields = ("title", "order", "body")
    history = HistoricalRecords(excluded_fields=CourseContent.history_excluded(markdown_fields))

    class Meta:
        ordering = ["session", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "slug"], name="course_sessions_lesson_unique_slug"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        # Callers load lessons with select_related("session").
        return reverse("lesson_detail", args=[self.session.number, self.slug])


EXERCISE_FILE_EXTENSIONS = [
    "pdf", "doc", "docx", "odt", "rtf", "txt", "md",
    "ppt", "pptx", "odp", "xls", "xlsx", "ods",
    "png", "jpg", "jpeg", "mp3", "m4a", "mp4",
]  # fmt: skip
EXERCISE_FILE_MAX_BYTES = 25 * 1024 * 1024


def exercise_file_path(instance, filename):
    # Stored under MEDIA_ROOT, which is never served directly: downloads go
    # through a view that needs a login. A random folder keeps names unique
    # (learners download it under ``filename``, whatever it is stored as).
    return f"exercise-files/{uuid.uuid4().hex[:12]}/{PurePath(filename).name}"


class ExerciseFile(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="exercise_files")
    title = models.CharField(
        max_length=200, help_text="What learners see, e.g. 'Session 3 handout'."
    )
    file = models.FileField(
        upload_to=exercise_file_path,
        max_length=255,
        validators=[FileExtensionValidator(EXERCISE_FILE_EXTENSIONS)],
        help_text=f"Up to {EXERCISE_FILE_MAX_BYTES // (1024 * 1024)} MB: "
        + ", ".join(EXERCISE_FILE_EXTENSIONS)
        + ".",
    )
    # The name a learner's download is saved as, and the key load_course uses.
    filename = models.CharField(max_length=200, editable=False)
    size = models.PositiveBigIntegerField(default=0, editable=False)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    # sha256 of the file as load_course last wrote it (empty for uploads).
    loaded_checksum = models.CharField(max_length=64, blank=True, editable=False)
    order = models.PositiveSmallIntegerField(default=1)

    history = HistoricalRecords(excluded_fields=["size", "content_type", "loaded_checksum"])

    class Meta:
        ordering = ["lesson", "order", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # A file not yet committed to storage is a new upload in the admin.
        if self.file and not self.file._committed:
            self._describe(PurePath(self.file.name).name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        lesson = self.lesson  # callers load files with select_related("lesson__session")
        return reverse("exercise_file_download", args=[lesson.session.number, lesson.slug, self.pk])

    def clean(self):
        super().clean()
        if self.file and self.file.size > EXERCISE_FILE_MAX_BYTES:
            raise ValidationError(
                {"file": f"This file is larger than {EXERCISE_FILE_MAX_BYTES // (1024 * 1024)} MB."}
            )

    def attach(self, name: str, data: bytes) -> None:
        """Store ``data`` as this row's file, downloaded as ``name`` (load_course)."""
        self.file.save(name, ContentFile(data), save=False)
        self._describe(name)

    def _describe(self, name: str) -> None:
        # Remember the name the file came with (storage may add a suffix to
        # keep names unique) and what kind of file it is.
        self.filename = name
        self.size = self.file.size
        self.content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"

    @property
    def kind(self) -> str:
        """A short, human name for the file's type: 'PDF', 'DOCX'…"""
        return PurePath(self.filename).suffix.lstrip(".").upper() or "File"


class SessionCompletion(models.Model):
    """A learner's own mark that they have finished a session."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_completions"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Also the index the dashboard's "which have I completed" query uses.
            models.UniqueConstraint(
                fields=["learner", "session"], name="course_sessions_completion_once"
            ),
        ]

    def __str__(self):
        return f"Session completion #{self.pk}"
