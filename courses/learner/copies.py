"""The course's content and each cohort's timetable, kept in each process's
memory so that learner pages read them without a query.

Every learner page needs the same things: the course with its sessions,
lessons, prompts, exercise files and assignments (with their criteria), and
the cohort with its opening dates, its live sessions' times and places, its
deadlines, extensions and tutors. Coordinators change them a few times a
term; learners read them on every page. Loading them took up to eight of a
page's queries.

How a process knows its copy is current, without asking the database again:
``Course.structure_version`` and ``Cohort.timetable_version`` get a new random
value with every write to anything they cover, whatever the write path:
``save()`` (with ``update_fields`` too), ``delete()``, and a queryset's
``update()``, ``bulk_create()``, ``bulk_update()`` and ``delete()``. The
models do it themselves (peersupport/copies.py), so no caller has to
remember; the write and the new value commit together. Tutors (a many-to-many
of the cohort, and users' names) are the two things written through models
this project does not own: the signals at the end of this module cover them.

The one small query with which every learner page finds the learner's
enrolment reads both values (courses/learner/access.py), so a copy is used
only while its version is the one in the database, on every process and
every host. A copy is also read again after settings.COPIES_MAX_AGE
seconds, so a write that escaped all of the above (raw SQL, a tutor renamed
with ``update()``) is shown within a minute.

With settings.COPIES_CHECK (the test suite), every read of a copy loads it
afresh too and fails loudly if the two differ.

The model instances kept here are shared between requests: read them, never
change them.
"""

import dataclasses
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from datetime import time as time_of_day  # `time` is the module, for time.monotonic()
from threading import Lock
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.urls import reverse

from assessments.models import Assignment, Criterion
from courses.models import AssignmentDeadline, Cohort, Course, DeadlineExtension, SessionRelease
from reflections.models import ReflectionPrompt
from sessions.models import ExerciseFile, Lesson, Session


@dataclass(frozen=True)
class CoursePage:
    """One page of the course as a learner walks it: a session's own page
    (``lesson`` is None) or one of its lessons."""

    session: Session
    lesson: Lesson | None
    url: str

    @property
    def key(self) -> tuple[int, int]:
        """(session id, lesson id or 0): how visits and positions are looked up."""
        return (self.session.pk, self.lesson.pk if self.lesson else 0)

    @property
    def title(self) -> str:
        return self.lesson.title if self.lesson else self.session.title


@dataclass(frozen=True)
class CourseStructure:
    """One course's content, with every relation already attached (no lazy loads)."""

    course: Course
    sessions: list[Session]  # by number
    session_by_number: dict[int, Session]
    lessons: dict[int, list[Lesson]]  # session id -> lessons in order
    lesson_by_address: dict[tuple[int, str], Lesson]  # (session number, slug)
    session_prompts: dict[int, list[ReflectionPrompt]]  # session id -> its own prompts
    lesson_prompts: dict[int, list[ReflectionPrompt]]  # lesson id -> prompts
    prompt_by_id: dict[int, ReflectionPrompt]
    exercise_files: dict[int, list[ExerciseFile]]  # lesson id -> files
    assignments: list[Assignment]  # by number
    # Each also as ``assignment.criteria_in_order``; kept here too so that
    # _signature, which reads a model's own fields only, compares them.
    criteria: dict[int, list[Criterion]]  # assignment id -> criteria in order
    assignment_by_number: dict[int, Assignment] = field(default_factory=dict)
    # Every page in the order the course is walked: each session's own page,
    # then its lessons. Previous/next, the outline and Continue read these.
    pages: list[CoursePage] = field(default_factory=list)
    page_position: dict[tuple[int, int], int] = field(default_factory=dict)  # key -> index

    def prompts_in_order(self) -> list[ReflectionPrompt]:
        """Every prompt as the course reaches it: each session's lessons, then its own."""
        ordered = []
        for session in self.sessions:
            for lesson in self.lessons.get(session.pk, []):
                ordered += self.lesson_prompts.get(lesson.pk, [])
            ordered += self.session_prompts.get(session.pk, [])
        return ordered


class SessionOverrides(NamedTuple):
    """A session's own time and place (SessionRelease); empty: the cohort's."""

    starts_at: time_of_day | None
    ends_at: time_of_day | None
    location: str
    meeting_url: str


@dataclass(frozen=True)
class CohortTimetable:
    cohort: Cohort  # with its live sessions' default time zone, times and place
    opening_dates: dict[int, date]  # session id -> date (also the day of its live meeting)
    # session id -> its own time and place, for the sessions that have any
    # (courses/learner/live.py works out what applies).
    overrides: dict[int, SessionOverrides]
    due_dates: dict[int, date]  # assignment id -> date
    extensions: dict[int, dict[int, date]]  # enrolment id -> assignment id -> date
    tutors: list


# key -> (version, when it was read, the copy)
_structures: dict[int, tuple[uuid.UUID, float, CourseStructure]] = {}
_timetables: dict[int, tuple[uuid.UUID, float, CohortTimetable]] = {}
_building = Lock()


def structure_of(course_id: int, version: uuid.UUID) -> CourseStructure:
    """The course's content as of ``version`` (read with the learner's enrolment)."""
    return _current_copy(_structures, course_id, version, _load_structure)


def timetable_of(cohort_id: int, version: uuid.UUID) -> CohortTimetable:
    """The cohort, its dates and its tutors as of ``version``."""
    return _current_copy(_timetables, cohort_id, version, _load_timetable)


def _current_copy(copies: dict, key: int, version: uuid.UUID, load):
    cached = copies.get(key)
    if not _is_current(cached, version):
        with _building:  # threaded servers: build once, not once per thread
            cached = copies.get(key)
            if not _is_current(cached, version):
                loaded_version, copy = load(key)
                cached = copies[key] = (loaded_version, time.monotonic(), copy)
    if settings.COPIES_CHECK:
        _check_against_database(cached[2], key, load)
    return cached[2]


def _is_current(cached, version) -> bool:
    return (
        cached is not None
        and cached[0] == version
        and time.monotonic() - cached[1] < settings.COPIES_MAX_AGE
    )


class StaleCopy(AssertionError):
    """A copy that differs from what the database holds under the same version:
    some write did not give its holder a new version (peersupport/copies.py)."""


def _check_against_database(copy, key, load) -> None:
    with _queries_not_counted():
        _, fresh = load(key)
    if _signature(copy) != _signature(fresh):
        raise StaleCopy(
            f"The copy of {type(copy).__name__} {key} is stale: a write to it did not change "
            "its version. Write through save(), or a queryset of the model's own manager."
        )


@contextmanager
def _queries_not_counted():
    """The check's own queries are left out of the connection's log, where the
    tests' pinned query counts are read."""
    log = connection.queries_log
    before = len(log)
    try:
        yield
    finally:
        while len(log) > before:
            log.pop()


def _signature(value):
    """Everything a copy holds, as plain values to compare."""
    if isinstance(value, models.Model):
        loaded = [f.attname for f in value._meta.concrete_fields if f.attname in value.__dict__]
        return (value._meta.label, value.pk, tuple((name, value.__dict__[name]) for name in loaded))
    if dataclasses.is_dataclass(value):
        return tuple(
            (f.name, _signature(getattr(value, f.name))) for f in dataclasses.fields(value)
        )
    if isinstance(value, dict):
        return tuple(sorted((key, _signature(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_signature(item) for item in value)
    return value


# Each copy is filed under the version on the row it read first: everything
# read after it is at least that recent, so a copy is never older than its
# version says (a change committed meanwhile only makes it newer).


def _load_structure(course_id: int) -> tuple[uuid.UUID, CourseStructure]:
    course = Course.objects.get(pk=course_id)
    sessions = list(Session.objects.filter(course=course).order_by("number"))
    by_id = {s.pk: s for s in sessions}
    lessons: dict[int, list[Lesson]] = {}
    lesson_by_id = {}
    for lesson in Lesson.objects.filter(session__course=course).order_by("order", "pk"):
        lesson.session = by_id[lesson.session_id]
        lessons.setdefault(lesson.session_id, []).append(lesson)
        lesson_by_id[lesson.pk] = lesson
    session_prompts: dict[int, list] = {}
    lesson_prompts: dict[int, list] = {}
    prompt_by_id = {}
    for prompt in ReflectionPrompt.objects.filter(session__course=course).order_by("order", "pk"):
        prompt.session = by_id[prompt.session_id]
        if prompt.lesson_id:
            prompt.lesson = lesson_by_id[prompt.lesson_id]
            lesson_prompts.setdefault(prompt.lesson_id, []).append(prompt)
        else:
            prompt.lesson = None
            session_prompts.setdefault(prompt.session_id, []).append(prompt)
        prompt_by_id[prompt.pk] = prompt
    files: dict[int, list] = {}
    for exercise_file in ExerciseFile.objects.filter(lesson__session__course=course).order_by(
        "order", "pk"
    ):
        exercise_file.lesson = lesson_by_id[exercise_file.lesson_id]
        files.setdefault(exercise_file.lesson_id, []).append(exercise_file)
    assignments = list(Assignment.objects.filter(course=course).order_by("number"))
    assignment_by_id = {a.pk: a for a in assignments}
    criteria: dict[int, list] = {}
    for criterion in Criterion.objects.filter(assignment__course=course).order_by("order", "pk"):
        criterion.assignment = assignment_by_id[criterion.assignment_id]
        criteria.setdefault(criterion.assignment_id, []).append(criterion)
    for assignment in assignments:
        assignment.course = course
        assignment.feedback_session = by_id.get(assignment.feedback_session_id)
        assignment.criteria_in_order = criteria.get(assignment.pk, [])
    for session in sessions:
        session.course = course
    _add_addresses(sessions, lesson_by_id.values(), prompt_by_id.values())
    pages = _pages_in_order(sessions, lessons)
    return course.structure_version, CourseStructure(
        course=course,
        sessions=sessions,
        session_by_number={s.number: s for s in sessions},
        lessons=lessons,
        lesson_by_address={(les.session.number, les.slug): les for les in lesson_by_id.values()},
        session_prompts=session_prompts,
        lesson_prompts=lesson_prompts,
        prompt_by_id=prompt_by_id,
        exercise_files=files,
        assignments=assignments,
        criteria=criteria,
        assignment_by_number={a.number: a for a in assignments},
        pages=pages,
        page_position={page.key: index for index, page in enumerate(pages)},
    )


def _pages_in_order(sessions, lessons) -> list[CoursePage]:
    pages = []
    for session in sessions:
        pages.append(CoursePage(session, None, session.page_url))
        for lesson in lessons.get(session.pk, []):
            pages.append(CoursePage(session, lesson, lesson.page_url))
    return pages


def _add_addresses(sessions, lessons, prompts) -> None:
    """Each page's address, worked out once per copy rather than on every page
    (the journal lists one per answer)."""
    for session in sessions:
        session.page_url = session.get_absolute_url()
        # Where its "mark complete" and apologies forms post.
        session.completion_url = reverse("session_completion", args=[session.number])
        session.apologies_url = reverse("session_apologies", args=[session.number])
    for lesson in lessons:
        lesson.page_url = lesson.get_absolute_url()
    for prompt in prompts:
        page = prompt.lesson or prompt.session
        prompt.page_url = f"{page.get_absolute_url()}#prompt-{prompt.pk}"
        prompt.answer_url = reverse("reflection_answer", args=[prompt.pk])


def _load_timetable(cohort_id: int) -> tuple[uuid.UUID, CohortTimetable]:
    cohort = Cohort.objects.get(pk=cohort_id)
    extensions: dict[int, dict[int, date]] = {}
    for enrolment_id, assignment_id, due_on in (
        DeadlineExtension.objects.filter(enrolment__cohort=cohort)
        .order_by()
        .values_list("enrolment_id", "assignment_id", "due_on")
    ):
        extensions.setdefault(enrolment_id, {})[assignment_id] = due_on
    opening_dates: dict[int, date] = {}
    overrides: dict[int, SessionOverrides] = {}
    for session_id, opens_on, *own in (
        SessionRelease.objects.filter(cohort=cohort)
        .order_by()
        .values_list("session_id", "opens_on", "starts_at", "ends_at", "location", "meeting_url")
    ):
        opening_dates[session_id] = opens_on
        if any(own):
            overrides[session_id] = SessionOverrides(*own)
    return cohort.timetable_version, CohortTimetable(
        cohort=cohort,
        opening_dates=opening_dates,
        overrides=overrides,
        due_dates=dict(
            AssignmentDeadline.objects.filter(cohort=cohort)
            .order_by()
            .values_list("assignment_id", "due_on")
        ),
        extensions=extensions,
        # Names only: a copy kept in memory holds nothing it does not show.
        tutors=list(
            cohort.tutors.order_by("first_name", "last_name", "pk").only(
                "pk", "username", "first_name", "last_name"
            )
        ),
    )


def forget_copies() -> None:
    """This process's copies, dropped: the next page reads them again (bench/)."""
    _structures.clear()
    _timetables.clear()


# ------------------------------------------------------------ tutors


def _tutors_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        Cohort.objects.filter(pk=instance.pk).new_version()
    elif pk_set:  # instance is a user; pk_set holds cohort ids
        Cohort.objects.filter(pk__in=pk_set).new_version()
    else:  # a user's cohorts cleared: which ones is no longer known
        Cohort.objects.all().new_version()


def _user_saved(sender, instance, update_fields=None, **kwargs):
    # Tutors' names are shown to their cohorts. A login only stamps last_login.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    Cohort.objects.filter(tutors=instance).new_version()


def _user_deleting(sender, instance, **kwargs):
    # Deleting a user removes their tutor rows without an m2m signal.
    Cohort.objects.filter(tutors=instance).new_version()


def connect_signals() -> None:
    m2m_changed.connect(_tutors_changed, sender=Cohort.tutors.through, dispatch_uid="tt-tutors")
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="tt-user")
    pre_delete.connect(_user_deleting, sender=get_user_model(), dispatch_uid="tt-user-d")
