import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from courses.models import PartOfTheCourse
from peersupport.models import CourseContent, MarkdownRendered
from peersupport.rendering import LEARNER

ASSIGNMENT_COUNT = 2


class Assignment(PartOfTheCourse, CourseContent):
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
    word_range_blocks = models.BooleanField(
        "Refuse essays outside the word range",
        default=False,
        help_text=(
            "Off: learners are warned but may still submit. On: an essay outside the "
            "range cannot be submitted."
        ),
    )
    hard_deadline = models.BooleanField(
        "Refuse essays after the deadline",
        default=False,
        help_text=(
            "Off: late essays are accepted and marked late. On: nothing can be submitted "
            "after the learner's deadline (their extension, if they have one)."
        ),
    )
    feedback_session = models.ForeignKey(
        "course_sessions.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The session in which the assignment is discussed.",
    )

    markdown_fields = {"brief": "brief_html"}
    # The two policy switches above are the coordinator's, set in the admin;
    # they are not part of the course files.
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


class Criterion(PartOfTheCourse, CourseContent):
    """One requirement an essay is marked against ("explains the role of peer
    support"). Learners read the criteria with the brief; tutors judge each
    one met or not yet, and moderators agree or disagree with each judgement."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(
        max_length=300, help_text="One requirement, in a sentence a learner understands."
    )

    content_fields = ("text",)
    history = HistoricalRecords(excluded_fields=CourseContent.history_excluded({}))

    class Meta:
        ordering = ["assignment", "order", "pk"]
        verbose_name_plural = "criteria"

    def __str__(self):
        return self.text


# ---------------------------------------------------------------- essays

ESSAY_MAX_CHARS = 200_000
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def count_words(text: str) -> int:
    """The one word-count rule, used by the editor, submission and the admin.

    A word is anything between spaces or line breaks that has at least one
    letter or digit in it. So "peer-led" and "don't" are one word each, a
    Markdown symbol on its own ("-", "#", "**") is none, and "**bold**" is
    one. static/js/essay.js counts the same way.
    """
    return sum(1 for token in text.split() if any(char.isalnum() for char in token))


def attachment_path(submission, filename):
    # A random name: what the learner called the file never becomes a path.
    # MEDIA_ROOT is not served; downloads go through views that check access.
    return f"essays/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"


class SubmissionQuerySet(models.QuerySet):
    def submitted(self):
        return self.exclude(status=Submission.Status.DRAFT)

    def awaiting_review(self):
        """Submitted, and its feedback not released yet: the tutors' queue."""
        return self.filter(status=Submission.Status.SUBMITTED)

    def for_learner(self, learner, assignment):
        return self.filter(learner=learner, assignment=assignment).order_by("attempt")


class Submission(MarkdownRendered):
    """One attempt at an assignment: a draft until submitted, then never changed."""

    markdown_profile = LEARNER

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted, waiting for feedback"
        PASSED = "passed", "Passed"
        REFERRED = "referred", "Referred"

    # How each status looks wherever it is shown (a Bootstrap colour name):
    # the one place that says so, beside the one place that names them.
    TONES = {
        Status.DRAFT: "secondary",
        Status.SUBMITTED: "info",
        Status.PASSED: "success",
        Status.REFERRED: "warning",
    }

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="submissions")
    attempt = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status, default=Status.DRAFT)
    text = models.TextField(blank=True)
    text_html = models.TextField(blank=True, editable=False)
    word_count = models.PositiveIntegerField(default=0)
    attachment = models.FileField(upload_to=attachment_path, blank=True, max_length=255)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment_size = models.PositiveIntegerField(default=0)
    # A later attempt's own deadline, set when the tutor refers the one before.
    due_on = models.DateField(null=True, blank=True)
    declaration = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    is_late = models.BooleanField(default=False)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_submissions",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # One more with every save of the draft's text: a save from a page that
    # read an older one (another tab) is shown as a conflict, never lost.
    version = models.PositiveIntegerField(default=0)

    markdown_fields = {"text": "text_html"}
    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["assignment__number", "attempt"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "assignment", "attempt"],
                name="assessments_submission_unique_attempt",
            ),
            # At most one attempt being written at a time.
            models.UniqueConstraint(
                fields=["learner", "assignment"],
                condition=Q(status="draft"),
                name="assessments_submission_one_draft",
            ),
        ]
        indexes = [
            # The tutors' queue: waiting submissions, oldest first.
            models.Index(fields=["status", "submitted_at"], name="assessments_queue_idx"),
        ]

    def __str__(self):
        # Never the text: this shows in admin messages and logs.
        return f"Submission #{self.pk} (attempt {self.attempt})"

    def save(self, *args, **kwargs):
        self.word_count = count_words(self.text)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "text" in update_fields:
            kwargs["update_fields"] = {*update_fields, "word_count"}
        super().save(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Review(MarkdownRendered):
    """A tutor's outcome and feedback on one attempt; learners see it once released."""

    markdown_profile = LEARNER

    class Outcome(models.TextChoices):
        PASS = "pass", "Pass"
        REFER = "refer", "Refer"

    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="review")
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    outcome = models.CharField(max_length=10, choices=Outcome, blank=True)
    feedback = models.TextField(blank=True)
    feedback_html = models.TextField(blank=True, editable=False)
    resubmit_by = models.DateField(
        null=True, blank=True, help_text="For Refer: the deadline of the learner's next attempt."
    )
    # Why the outcome is not the one the criteria suggest (a Pass with a
    # criterion not yet met, a Refer with all met). For staff: moderators read
    # it; the learner reads the criteria and the feedback.
    outcome_reason = models.TextField(blank=True)
    # Bumped on every save: two tutors saving from the same starting point
    # cannot silently overwrite each other.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    markdown_fields = {"feedback": "feedback_html"}

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | ~Q(outcome=""),
                name="assessments_review_released_has_outcome",
            ),
        ]

    def __str__(self):
        return f"Review #{self.pk}"

    @property
    def is_released(self) -> bool:
        return self.released_at is not None


class CriterionResult(models.Model):
    """A tutor's judgement of one criterion in one review, with a short comment."""

    class Judgement(models.TextChoices):
        MET = "met", "Met"
        NOT_YET = "not_yet", "Not yet"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="criterion_results")
    # Kept if a coordinator later removes the criterion: the judgement and
    # the words it judged (criterion_text) stay as the learner was shown them.
    criterion = models.ForeignKey(
        Criterion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    criterion_text = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=1)
    judgement = models.CharField(max_length=10, choices=Judgement, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="assessments_criterionresult_unique"
            ),
        ]

    def __str__(self):
        return f"{self.criterion_text[:60]}: {self.get_judgement_display() or 'not judged'}"

    @property
    def is_met(self) -> bool:
        return self.judgement == self.Judgement.MET


class PassageComment(models.Model):
    """A tutor's comment on a passage of the essay.

    The passage is anchored by offsets (in characters, Unicode code points)
    into the plain text of the essay as rendered (assessments/passages.py):
    a submitted essay never changes, so the offsets never move. ``passage``
    keeps the words themselves, for the data download and as a check."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="passage_comments")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    passage = models.TextField()
    comment = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "end", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="assessments_passagecomment_range"
            ),
        ]

    def __str__(self):
        return f"Comment on characters {self.start}–{self.end}"


class Moderation(models.Model):
    """A second tutor's check of a review, for a coordinator's sample."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="moderation")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderations",
    )
    agrees = models.BooleanField(null=True, blank=True)
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]

    def __str__(self):
        return f"Moderation #{self.pk}"

    @property
    def is_decided(self) -> bool:
        return self.agrees is not None


class CriterionModeration(models.Model):
    """The moderator's view of one criterion's judgement: agrees or not, and why."""

    moderation = models.ForeignKey(
        Moderation, on_delete=models.CASCADE, related_name="criterion_decisions"
    )
    result = models.ForeignKey(CriterionResult, on_delete=models.CASCADE, related_name="+")
    agrees = models.BooleanField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["result__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["moderation", "result"], name="assessments_criterionmoderation_unique"
            ),
        ]

    def __str__(self):
        return "Agrees" if self.agrees else "Disagrees"


class FeedbackSnippet(models.Model):
    """A piece of feedback a tutor reuses, inserted where they are typing.
    Each tutor's own: never shown to another."""

    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_snippets"
    )
    title = models.CharField(max_length=100)
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title


class StatusChange(models.Model):
    """Every change of a submission's state: who, when, from, to."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="status_changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30)
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status or 'new'} → {self.to_status}"

    @property
    def from_label(self) -> str:
        return Submission.Status(self.from_status).label if self.from_status else "—"

    @property
    def to_label(self) -> str:
        return Submission.Status(self.to_status).label
