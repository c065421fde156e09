import uuid
import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib.auth.models import User, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, URLValidator
from django.db import models
from simple_history.models import HistoricalRecords

from peersupport.copies import (
    Copied,
    CopiedQuerySet,
    VersionHolder,
    VersionHolderQuerySet,
    values_of,
)
from peersupport.models import CourseContent
from peersupport.people import display_name

# The course has eleven sessions, numbered 1 to 11.
COURSE_SESSION_COUNT = 11


def default_time_zone() -> str:
    """Where a new cohort meets: the site's zone. A function, not the value,
    so that a site run with another DJANGO_TIME_ZONE needs no new migration."""
    return settings.TIME_ZONE


@cache
def known_time_zones() -> frozenset[str]:
    """Every IANA time zone name this Python knows (from tzdata)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(
            "Please choose a time zone from the list, for example Europe/London.",
            code="invalid_time_zone",
        )


# Learners open this link from an email or a phone: only an encrypted address
# will do (an http:// link travels in the clear; javascript: is not a link).
MEETING_LINK_MESSAGE = (
    "Please give the full link starting with https:// — copy it from the meeting’s "
    "invitation. Only secure links can be shown to learners."
)
validate_meeting_link = URLValidator(schemes=["https"], message=MEETING_LINK_MESSAGE)


def check_session_times(starts_at, ends_at, *, start_field: str, end_field: str) -> None:
    """A live session's end needs a start, and comes after it (on the same day).
    The field names say where each message shows in the admin."""
    if ends_at is not None and starts_at is None:
        raise ValidationError(
            {start_field: "Please add the start time too, or leave the end time empty."}
        )
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValidationError(
            {
                end_field: f"This is not after the start time ({starts_at:%H:%M}). "
                "Please give a later end time, on the 24-hour clock (for example 12:30)."
            }
        )


class CourseQuerySet(VersionHolderQuerySet):
    def current(self):
        """The course learners are taking.

        One course runs at a time for now; cohorts (a later issue) will tie each
        learner to theirs, and this is the one place that has to change.
        """
        return self.order_by("pk").first()


class Course(VersionHolder, CourseContent):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    overview = models.TextField(
        blank=True, help_text="Shown at the top of every learner's dashboard. Markdown."
    )
    overview_html = models.TextField(blank=True, editable=False)
    resources = models.TextField(
        blank=True,
        help_text=(
            "The Useful Resources page, in Markdown. Keep a heading called "
            "'Support right now': the 'Need support now?' link on every page leads to it."
        ),
    )
    resources_html = models.TextField(blank=True, editable=False)
    # New with every write to the course or to a session, lesson, prompt,
    # exercise file or assignment of it (peersupport/copies.py): each
    # process's copy of them is current while this matches
    # (courses/learner/copies.py).
    structure_version = models.UUIDField(default=uuid.uuid4, editable=False)
    version_field = "structure_version"

    # The completion rule (completion/rule.py): what a learner must do to
    # complete the course and be given a certificate.
    completion_sessions_attended = models.PositiveSmallIntegerField(
        "Sessions to attend",
        default=9,
        validators=[MaxValueValidator(COURSE_SESSION_COUNT)],
        help_text="How many of the sessions a learner must attend (or catch up on, below).",
    )
    completion_required_sessions = models.JSONField(
        "Sessions everyone must attend",
        default=list,
        blank=True,
        help_text="Session numbers, for example [1, 6, 11]; empty when none is required.",
    )
    completion_caught_up_counts = models.BooleanField(
        "A missed session counts when caught up",
        default=True,
        help_text="On: a session a tutor has signed off as caught up counts as attended.",
    )
    completion_assignments_passed = models.BooleanField(
        "Both assignments must be passed", default=True
    )

    markdown_fields = {"overview": "overview_html", "resources": "resources_html"}
    content_fields = (
        "title", "overview", "resources", "completion_sessions_attended",
        "completion_required_sessions", "completion_caught_up_counts",
        "completion_assignments_passed",
    )  # fmt: skip

    objects = CourseQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=[*CourseContent.history_excluded(markdown_fields), "structure_version"]
    )

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        required = self.completion_required_sessions
        if not isinstance(required, list) or not all(
            isinstance(n, int) and 1 <= n <= COURSE_SESSION_COUNT for n in required
        ):
            raise ValidationError(
                {
                    "completion_required_sessions": "Give session numbers from 1 to "
                    f"{COURSE_SESSION_COUNT} in square brackets, for example [1, 6, 11]."
                }
            )


class CohortQuerySet(VersionHolderQuerySet):
    def visible_to(self, user):
        """The cohorts a staff member works with: all for coordinators, their own for tutors."""
        from peersupport.roles import scope_of

        return self.in_scope(scope_of(user), user.pk)

    def in_scope(self, scope: str, user_id: int):
        """``visible_to`` by the member of staff's scope and id (peersupport/roles.py)."""
        from peersupport.roles import EVERY_COHORT, TUTORED_COHORTS

        if scope == EVERY_COHORT:
            return self
        if scope == TUTORED_COHORTS:
            return self.filter(tutors=user_id)
        return self.none()

    def current_for(self, learner):
        """The cohort ``learner`` is in (see ``EnrolmentQuerySet.current``)."""
        return self.filter(enrolments__in=Enrolment.objects.current().filter(learner=learner))


class Cohort(VersionHolder, models.Model):
    """A group of learners taking the course together, with tutors and a timetable."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=200, help_text="For example 'Spring 2027, Leeds'.")
    start_date = models.DateField(
        help_text=(
            "Session 1 opens on this date, and each later session a week after the one "
            "before. You can change any session's date below once the cohort is saved."
        )
    )
    tutors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="tutored_cohorts",
        blank=True,
        limit_choices_to={"groups__name": "Tutors"},
        help_text="Tutors see this cohort's learners and review their essays.",
    )
    requires_moderation = models.BooleanField(
        default=False,
        help_text=(
            "On: feedback on a submission chosen for moderation is released only after a "
            "second tutor agrees with it."
        ),
    )
    contact_email = models.EmailField(
        blank=True,
        help_text="Shown to learners as who to contact about the course.",
    )
    # Where and when the live sessions meet, unless a session says otherwise
    # (SessionRelease): most cohorts meet at the same time and place each week.
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="Where the cohort meets: the session times below are in this time zone, "
        "and learners see it named beside them (reminders' quiet hours follow it too).",
    )
    session_starts_at = models.TimeField(
        "Sessions start at",
        null=True,
        blank=True,
        help_text="On the 24-hour clock, for example 10:00. Leave empty if not yet known.",
    )
    session_ends_at = models.TimeField(
        "Sessions end at", null=True, blank=True, help_text="For example 12:30."
    )
    session_location = models.CharField(
        "Where sessions meet",
        max_length=200,
        blank=True,
        help_text="An address or room, for sessions in person, for example "
        "“Room 4, Park Lane Centre, Leeds”.",
    )
    session_meeting_url = models.URLField(
        "Online meeting link",
        max_length=500,
        blank=True,
        validators=[validate_meeting_link],
        help_text="For sessions online, starting with https://. Only the cohort's learners "
        "and staff see it, from the day before each session.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # New with every write to the cohort, its opening dates, deadlines,
    # extensions or tutors (peersupport/copies.py; courses/learner/copies.py).
    timetable_version = models.UUIDField(default=uuid.uuid4, editable=False)
    version_field = "timetable_version"

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="courses_cohort_unique_name"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        check_session_times(
            self.session_starts_at,
            self.session_ends_at,
            start_field="session_starts_at",
            end_field="session_ends_at",
        )


class EnrolmentQuerySet(models.QuerySet):
    def active(self):
        """Enrolments of learners studying now (one per learner at most)."""
        return self.filter(withdrawn_at__isnull=True)

    def current(self):
        """Each learner's current enrolment, the one answer to "which cohort is
        this learner in?": the one they study in now or, for a learner who
        has left every cohort, the one they left last (its tutors still
        review what they submitted). At most one per learner."""
        active_elsewhere = Enrolment.objects.filter(
            learner=models.OuterRef("learner"), withdrawn_at__isnull=True
        )
        left_later = Enrolment.objects.filter(
            learner=models.OuterRef("learner"), withdrawn_at__gt=models.OuterRef("withdrawn_at")
        )
        return self.filter(
            models.Q(withdrawn_at__isnull=True)
            | (~models.Exists(active_elsewhere) & ~models.Exists(left_later))
        )


class Enrolment(models.Model):
    """A learner's place in a cohort. Withdrawing keeps everything they wrote."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    # PROTECT: deleting an account must never silently take a learner's work.
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments"
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()
    # Who enrolled, withdrew or reinstated a learner, and when.
    history = HistoricalRecords()

    class Meta:
        ordering = ["cohort", "learner__last_name", "learner__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "learner"], name="courses_enrolment_once_per_cohort"
            ),
            # A learner studies in one cohort at a time; this partial unique
            # index is also what the learner's every page looks up.
            models.UniqueConstraint(
                fields=["learner"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="courses_enrolment_one_active_per_learner",
            ),
        ]

    def __str__(self):
        return f"Enrolment #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class PartOfTheCourse(Copied):
    """Content a learner page reads from the course's copy (sessions,
    lessons, prompts, exercise files, assignments): any write to it gives the
    course a new version. Every course, in fact: one runs at a time, and
    content changes too rarely for finding which to be worth a query."""

    objects = CopiedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def copies_changed(cls, rows) -> None:
        Course.objects.all().new_version()


class PartOfATimetable(Copied):
    """A cohort's opening date or deadline: a write gives its cohort a new version."""

    objects = CopiedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def copies_changed(cls, rows) -> None:
        Cohort.objects.filter(pk__in=values_of(rows, "cohort_id")).new_version()


class SessionRelease(PartOfATimetable):
    """The date a session opens for one cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="releases")
    session = models.ForeignKey(
        "course_sessions.Session", on_delete=models.CASCADE, related_name="releases"
    )
    opens_on = models.DateField()
    # This session's own time and place; empty: the cohort's. opens_on is
    # the day of its live meeting (completion/rule.py; courses/learner/live.py).
    starts_at = models.TimeField(
        "Starts", null=True, blank=True, help_text="Empty: the cohort's start time."
    )
    ends_at = models.TimeField(
        "Ends", null=True, blank=True, help_text="Empty: the cohort's end time."
    )
    location = models.CharField(
        "Where", max_length=200, blank=True, help_text="Empty: where the cohort's sessions meet."
    )
    meeting_url = models.URLField(
        "Online link",
        max_length=500,
        blank=True,
        validators=[validate_meeting_link],
        help_text="Empty: the cohort's online meeting link. Starts with https://.",
    )

    class Meta:
        ordering = ["cohort", "session__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "session"], name="courses_sessionrelease_once_per_session"
            ),
        ]

    def __str__(self):
        return f"Opens on {self.opens_on:%d %b %Y}"

    def clean(self):
        super().clean()
        # Checked with what the session inherits: a start of 13:00 here
        # against the cohort's usual end of 12:30 is a mistake too. In the
        # admin's inline the cohort is the form above, with its new values.
        cohort = self.cohort if SessionRelease.cohort.is_cached(self) or self.cohort_id else None
        starts_at = self.starts_at or (cohort.session_starts_at if cohort else None)
        ends_at = self.ends_at or (cohort.session_ends_at if cohort else None)
        if self.starts_at is None and self.ends_at is None:
            return  # the cohort's own times, checked with the cohort
        if self.ends_at is None and starts_at is not None and ends_at is not None:
            if ends_at <= starts_at:
                raise ValidationError(
                    {
                        "starts_at": f"This is after the cohort’s usual end time "
                        f"({ends_at:%H:%M}): please give an end time for this session too."
                    }
                )
            return
        check_session_times(starts_at, ends_at, start_field="starts_at", end_field="ends_at")


class AssignmentDeadline(PartOfATimetable):
    """When an assignment is due for a cohort (end of that day)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="deadlines")
    assignment = models.ForeignKey(
        "assessments.Assignment", on_delete=models.CASCADE, related_name="deadlines"
    )
    due_on = models.DateField(help_text="Work is on time until the end of this day.")

    class Meta:
        ordering = ["cohort", "assignment__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "assignment"], name="courses_deadline_once_per_assignment"
            ),
        ]

    def __str__(self):
        return f"Due on {self.due_on:%d %b %Y}"


class DeadlineExtension(Copied):
    """A later deadline for one learner on one assignment."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="extensions")
    assignment = models.ForeignKey(
        "assessments.Assignment", on_delete=models.CASCADE, related_name="extensions"
    )
    due_on = models.DateField()
    reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="For the course team only; learners see just the new date.",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    objects = CopiedQuerySet.as_manager()
    history = HistoricalRecords()

    @classmethod
    def copies_changed(cls, rows) -> None:
        # Extensions are in their cohort's copy.
        enrolments = values_of(rows, "enrolment_id")
        Cohort.objects.filter(enrolments__in=enrolments).new_version()

    class Meta:
        ordering = ["enrolment", "assignment__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "assignment"], name="courses_extension_once_per_assignment"
            ),
        ]

    def __str__(self):
        return f"Extended to {self.due_on:%d %b %Y}"


class LearnerManager(UserManager):
    """Learner accounts only; a UserManager, whose normalize_email the
    admin's form calls when an account is saved."""

    def get_queryset(self):
        return super().get_queryset().filter(is_staff=False, is_superuser=False)


class Learner(User):
    """Learner accounts (users who are not staff), as the admin lists them."""

    objects = LearnerManager()

    class Meta:
        proxy = True
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return display_name(self)


# The account's history (accounts/models.py registers it on User) is the
# learner's: the admin's History page of a Learner reads it.
Learner._meta.simple_history_manager_attribute = "history"
