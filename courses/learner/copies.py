"""The course's content and each cohort's timetable, kept in each process's
memory so that learner pages read them without a query.

Every learner page needs the same things: the course with its sessions,
lessons, prompts, exercise files and assignments, and the cohort with its
opening dates, deadlines, extensions and tutors. Coordinators change them a
few times a term; learners read them on every page. Loading them took up to
eight of a page's queries.

How a process knows its copy is current, without asking the database again:
``Course.structure_version`` and ``Cohort.timetable_version`` get a new random
value whenever anything they cover changes (the signals at the end of this
module, and ``bump_*`` for the few bulk writes that send no signals). The write
and the new value commit together. The one small query with which every
learner page finds the learner's enrolment reads both values
(courses/learner/access.py), so a copy is used only while its version is the one in
the database, on every process and every host.

The values are random rather than counters so that a change rolled back can
never be confused with a later one that reaches the same number.

The model instances kept here are shared between requests: read them, never
change them.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date
from threading import Lock

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.urls import reverse

from assessments.models import Assignment
from courses.models import AssignmentDeadline, Cohort, Course, DeadlineExtension, SessionRelease
from reflections.models import ReflectionPrompt
from sessions.models import ExerciseFile, Lesson, Session


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
    assignment_by_number: dict[int, Assignment] = field(default_factory=dict)

    def prompts_in_order(self) -> list[ReflectionPrompt]:
        """Every prompt as the course reaches it: each session's lessons, then its own."""
        ordered = []
        for session in self.sessions:
            for lesson in self.lessons.get(session.pk, []):
                ordered += self.lesson_prompts.get(lesson.pk, [])
            ordered += self.session_prompts.get(session.pk, [])
        return ordered


@dataclass(frozen=True)
class CohortTimetable:
    cohort: Cohort
    opening_dates: dict[int, date]  # session id -> date
    due_dates: dict[int, date]  # assignment id -> date
    extensions: dict[int, dict[int, date]]  # enrolment id -> assignment id -> date
    tutors: list


_structures: dict[int, tuple[uuid.UUID, CourseStructure]] = {}
_timetables: dict[int, tuple[uuid.UUID, CohortTimetable]] = {}
_building = Lock()


def structure_of(course_id: int, version: uuid.UUID) -> CourseStructure:
    """The course's content as of ``version`` (read with the learner's enrolment)."""
    return _current_copy(_structures, course_id, version, _load_structure)


def timetable_of(cohort_id: int, version: uuid.UUID) -> CohortTimetable:
    """The cohort, its dates and its tutors as of ``version``."""
    return _current_copy(_timetables, cohort_id, version, _load_timetable)


def _current_copy(copies: dict, key: int, version: uuid.UUID, load):
    cached = copies.get(key)
    if cached is None or cached[0] != version:
        with _building:  # threaded servers: build once, not once per thread
            cached = copies.get(key)
            if cached is None or cached[0] != version:
                cached = copies[key] = load(key)
    return cached[1]


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
    for assignment in assignments:
        assignment.course = course
        assignment.feedback_session = by_id.get(assignment.feedback_session_id)
    for session in sessions:
        session.course = course
    _add_addresses(sessions, prompt_by_id.values())
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
        assignment_by_number={a.number: a for a in assignments},
    )


def _add_addresses(sessions, prompts) -> None:
    """Each page's address, worked out once per copy rather than on every page
    (the journal lists one per answer)."""
    for session in sessions:
        session.page_url = session.get_absolute_url()
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
    return cohort.timetable_version, CohortTimetable(
        cohort=cohort,
        opening_dates=dict(
            SessionRelease.objects.filter(cohort=cohort)
            .order_by()
            .values_list("session_id", "opens_on")
        ),
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


# ------------------------------------------------------------ invalidation


def bump_structure() -> None:
    """Every course's content changed (there is one course a time; a content
    edit is rare, so finding which course is not worth a query)."""
    Course.objects.update(structure_version=uuid.uuid4())


def bump_timetable(cohort_ids=None) -> None:
    """These cohorts' dates or tutors changed; all cohorts when None."""
    _bump(Cohort.objects.all() if cohort_ids is None else Cohort.objects.filter(pk__in=cohort_ids))


def _bump(cohorts) -> None:
    cohorts.update(timetable_version=uuid.uuid4())


CONTENT_MODELS = (Session, Lesson, ReflectionPrompt, ExerciseFile, Assignment)
TIMETABLE_MODELS = (SessionRelease, AssignmentDeadline)


def _content_changed(sender, **kwargs):
    bump_structure()


def _timetable_row_changed(sender, instance, **kwargs):
    bump_timetable([instance.cohort_id])


def _extension_changed(sender, instance, **kwargs):
    _bump(Cohort.objects.filter(enrolments=instance.enrolment_id))


def _cohort_saving(sender, instance, **kwargs):
    # A cohort's own save carries its new version with it.
    instance.timetable_version = uuid.uuid4()


def _course_saving(sender, instance, **kwargs):
    instance.structure_version = uuid.uuid4()


def _tutors_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # instance is a user; pk_set holds cohort ids (None on clear)
        bump_timetable(pk_set if pk_set else None)
    else:
        bump_timetable([instance.pk])


def _user_saved(sender, instance, update_fields=None, **kwargs):
    # Tutors' names are shown to their cohorts. A login only stamps last_login.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    _bump(Cohort.objects.filter(tutors=instance))


def _user_deleting(sender, instance, **kwargs):
    # Deleting a user removes their tutor rows without an m2m signal.
    _bump(Cohort.objects.filter(tutors=instance))


def connect_signals() -> None:
    for model in CONTENT_MODELS:
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"structure-{model}")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"structure-d-{model}")
    for model in TIMETABLE_MODELS:
        post_save.connect(_timetable_row_changed, sender=model, dispatch_uid=f"tt-{model}")
        post_delete.connect(_timetable_row_changed, sender=model, dispatch_uid=f"tt-d-{model}")
    post_save.connect(_extension_changed, sender=DeadlineExtension, dispatch_uid="tt-ext")
    post_delete.connect(_extension_changed, sender=DeadlineExtension, dispatch_uid="tt-ext-d")
    pre_save.connect(_cohort_saving, sender=Cohort, dispatch_uid="tt-cohort")
    pre_save.connect(_course_saving, sender=Course, dispatch_uid="structure-course")
    m2m_changed.connect(_tutors_changed, sender=Cohort.tutors.through, dispatch_uid="tt-tutors")
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="tt-user")
    pre_delete.connect(_user_deleting, sender=get_user_model(), dispatch_uid="tt-user-d")
