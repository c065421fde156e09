import codecs
import mimetypes
import re
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from courses.models import COURSE_SESSION_COUNT, PartOfTheCourse
from peersupport.models import CourseContent
from peersupport.uploads import (
    JPEG_SIGNATURE,
    PNG_SIGNATURE,
    UnsafeArchive,
    peek_into_zip,
    shorten_file_name,
)


class Session(PartOfTheCourse, CourseContent):
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


class Lesson(PartOfTheCourse, CourseContent):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(
        max_length=80, help_text="The lesson's address: /sessions/(number)/(slug)/."
    )
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=1)
    content_note = models.TextField(
        blank=True,
        help_text=(
            "Shown before the lesson, for a lesson some learners may find distressing "
            "(the session's own note is shown on the session page). Leave empty when "
            "none is needed. Markdown."
        ),
    )
    content_note_html = models.TextField(blank=True, editable=False)
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)

    markdown_fields = {"content_note": "content_note_html", "body": "body_html"}
    content_fields = ("title", "order", "content_note", "body")
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


# The name a download is saved as fits its column; the stored name also fits
# a disk's 255 bytes with the temporary prefix storage adds while writing.
EXERCISE_FILE_NAME_CHARS = 200
EXERCISE_FILE_STORED_NAME_BYTES = 200


def exercise_file_path(instance, filename):
    # Stored under MEDIA_ROOT, which is never served directly: downloads go
    # through a view that needs a login. A random folder keeps names unique
    # (learners download it under ``filename``, whatever it is stored as).
    name = shorten_file_name(
        PurePath(filename).name, EXERCISE_FILE_NAME_CHARS, EXERCISE_FILE_STORED_NAME_BYTES
    )
    return f"exercise-files/{uuid.uuid4().hex[:12]}/{name}"


# ---------------------------------------------------------------- what a file really is

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word, Excel, PowerPoint before 2007
OPEN_DOCUMENT = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "odp": b"application/vnd.oasis.opendocument.presentation",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
}
OFFICE_OPEN_XML = {
    "docx": "word/document.xml",
    "pptx": "ppt/presentation.xml",
    "xlsx": "xl/workbook.xml",
}
KIND_NAMES = {
    "pdf": "a PDF", "doc": "a Word document", "docx": "a Word document",
    "odt": "an OpenDocument text", "rtf": "an RTF document", "txt": "plain text",
    "md": "plain text", "ppt": "a PowerPoint presentation", "pptx": "a PowerPoint presentation",
    "odp": "an OpenDocument presentation", "xls": "an Excel spreadsheet",
    "xlsx": "an Excel spreadsheet", "ods": "an OpenDocument spreadsheet",
    "png": "a PNG picture", "jpg": "a JPEG picture", "jpeg": "a JPEG picture",
    "mp3": "an MP3 recording", "m4a": "an M4A recording", "mp4": "an MP4 video",
}  # fmt: skip


def exercise_file_problem(upload, extension: str) -> str | None:
    """Why ``upload`` is not the kind of file its ``extension`` says, or None.

    The first bytes say what most files are; Word, PowerPoint, Excel and
    OpenDocument files are ZIP archives, looked into without unpacking them
    (peersupport.uploads.peek_into_zip), and text must read as text.
    """
    extension = extension.lower()
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    try:
        matches = _looks_like(upload, extension, head)
    except UnsafeArchive as problem:
        if problem.reason != "damaged":
            return (
                "This file can’t be used: it looks damaged, or it would be far too large once "
                "unpacked. Please save it again (as a PDF, if you can) and upload that."
            )
        matches = False
    finally:
        upload.seek(0)
    if matches:
        return None
    return (
        f"This file’s name ends in .{extension}, but it is not {KIND_NAMES[extension]}. "
        "Please check you chose the right file, or save it again in that format."
    )


def _looks_like(upload, extension: str, head: bytes) -> bool:
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension in ("doc", "ppt", "xls"):
        return head.startswith(OLE2)
    if extension == "rtf":
        return head.startswith(b"{\\rtf")
    if extension == "png":
        return head.startswith(PNG_SIGNATURE)
    if extension in ("jpg", "jpeg"):
        return head.startswith(JPEG_SIGNATURE)
    if extension == "mp3":
        # An ID3 tag, or straight into an MPEG audio frame (11 sync bits).
        return head.startswith(b"ID3") or (
            len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
        )
    if extension in ("mp4", "m4a"):
        return head[4:8] == b"ftyp"
    if extension in ("txt", "md"):
        return _is_text(upload)
    if not head.startswith(b"PK\x03\x04"):
        return False
    file = upload.file if hasattr(upload, "file") else upload
    if extension in OFFICE_OPEN_XML:
        names = peek_into_zip(file).names
        return "[Content_Types].xml" in names and OFFICE_OPEN_XML[extension] in names
    if extension in OPEN_DOCUMENT:
        wanted = OPEN_DOCUMENT[extension]
        start = peek_into_zip(file, read={"mimetype": len(wanted) + 8}).starts.get("mimetype")
        return (start or b"").strip() == wanted
    return False


# Control characters text never has (tab, line ends, form feed and DOS's
# end-of-file mark are fine).
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f]")


def _is_text(upload) -> bool:
    """Readable as UTF-8 (or UTF-16 with its mark); failing that, as Windows
    text with none of the control bytes only binary files have."""
    head = upload.read(4)
    upload.seek(0)
    encodings = ["utf-16"] if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else []
    encodings += ["utf-8", "cp1252"]
    for encoding in encodings:
        decoder = codecs.getincrementaldecoder(encoding)()
        upload.seek(0)
        try:
            for chunk in iter(lambda: upload.read(64 * 1024), b""):
                if _BINARY_CONTROLS.search(decoder.decode(chunk)):
                    return False
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return True
    return False


class ExerciseFile(PartOfTheCourse):
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
        # A new upload: check that it is what its name says.
        extension = PurePath(self.file.name).suffix.lstrip(".").lower() if self.file else ""
        if self.file and not self.file._committed and extension in KIND_NAMES:
            problem = exercise_file_problem(self.file.file, extension)
            if problem:
                raise ValidationError({"file": problem})

    def attach(self, name: str, data: bytes) -> None:
        """Store ``data`` as this row's file, downloaded as ``name`` (load_course)."""
        self.file.save(name, ContentFile(data), save=False)
        self._describe(name)

    def _describe(self, name: str) -> None:
        # Remember the name the file came with (storage may add a suffix to
        # keep names unique) and what kind of file it is. Browsers send names
        # of up to 255 characters; the column holds 200.
        self.filename = shorten_file_name(name, EXERCISE_FILE_NAME_CHARS)
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


class Visit(models.Model):
    """The first time a learner opened a session's page (``lesson`` empty) or
    one of its lessons. The course outline shows what they have read, a
    session they have started is "in progress", and Continue finds the next
    thing they have not opened. Written once per page, never on a later view."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_visits"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="visits")
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, null=True, blank=True, related_name="visits"
    )
    first_visited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Once per page: a session's own page, and each lesson. Also the
            # index the outline's "what have I opened" query uses.
            models.UniqueConstraint(
                fields=["learner", "session"],
                condition=models.Q(lesson__isnull=True),
                name="course_sessions_visit_session_once",
            ),
            models.UniqueConstraint(
                fields=["learner", "lesson"],
                condition=models.Q(lesson__isnull=False),
                name="course_sessions_visit_lesson_once",
            ),
        ]

    def __str__(self):
        return f"Visit #{self.pk}"
