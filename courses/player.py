"""The course as a learner walks it: the outline with each session's state,
previous and next, and the one next thing to do ("Continue").

The pages and their order come from the process's copy of the course
(``CourseStructure.pages``); what the learner has done is one query
(``learner_marks``): the sessions they marked complete and the pages they
have opened. A page's first view records the visit, once.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache

from django.db import connection

from courses.learner.access import CourseAccess
from courses.learner.copies import CoursePage
from sessions.models import Session, SessionCompletion, Visit

# In learner_marks' rows, a completion is told from a visit by this "lesson".
_COMPLETED = -1


@dataclass(frozen=True)
class LearnerMarks:
    """What one learner has done in the course."""

    completed: frozenset[int]  # session ids they marked complete
    visited: frozenset[tuple[int, int]]  # page keys they have opened

    def has_started(self, session: Session) -> bool:
        return any(key[0] == session.pk for key in self.visited)


NO_MARKS = LearnerMarks(frozenset(), frozenset())


def learner_marks(learner, access: CourseAccess) -> LearnerMarks:
    """The learner's completions and visits in one query (none in a staff preview)."""
    if access.is_preview:
        return NO_MARKS
    in_course = {session.pk for session in access.structure.sessions}
    completed, visited = set(), set()
    with connection.cursor() as cursor:
        cursor.execute(_marks_sql(), [learner.pk, learner.pk])
        for session_id, lesson_id in cursor.fetchall():
            if session_id not in in_course:
                continue
            if lesson_id == _COMPLETED:
                completed.add(session_id)
            else:
                visited.add((session_id, lesson_id))
    return LearnerMarks(frozenset(completed), frozenset(visited))


@cache
def _marks_sql() -> str:
    # Written in SQL, like the login query (courses/learner/access.py): it
    # runs on every course page, and the ORM took 2 ms to build this union,
    # longer than the database takes to answer it. Only quoted table names
    # go into the text; the learner's id is a parameter.
    q = connection.ops.quote_name
    completions, visits = q(SessionCompletion._meta.db_table), q(Visit._meta.db_table)
    return f"""
        SELECT session_id, {_COMPLETED} FROM {completions} WHERE learner_id = %s
        UNION ALL
        SELECT session_id, COALESCE(lesson_id, 0) FROM {visits} WHERE learner_id = %s
    """  # noqa: S608


def record_visit(
    learner, access: CourseAccess, page: CoursePage, marks: LearnerMarks
) -> LearnerMarks:
    """Note the learner's first view of ``page`` (later views write nothing);
    the marks with it, so the page's own outline counts it as opened."""
    if access.is_preview or page.key in marks.visited:
        return marks
    # Two tabs may race to the first view: the constraint keeps one row.
    Visit.objects.bulk_create(
        [Visit(learner=learner, session=page.session, lesson=page.lesson)], ignore_conflicts=True
    )
    return LearnerMarks(marks.completed, marks.visited | {page.key})


# ---------------------------------------------------------------- the outline

STATE_LABELS = {
    "completed": "Completed",
    "in_progress": "In progress",
    "open": "Open",
    "not_open": "Opens on",  # followed by the date
}


@dataclass(frozen=True)
class OutlinePage:
    page: CoursePage
    visited: bool
    is_current: bool


@dataclass(frozen=True)
class OutlineSession:
    """One session in the outline, with what its line says worked out here:
    the outline is on every course page, and a template looking each part up
    took longer than everything else on the page."""

    session: Session
    state: str  # a key of STATE_LABELS
    opens_on: date | None
    own_page: OutlinePage
    lessons: list[OutlinePage]
    is_current: bool  # the page shown is this session's or one of its lessons
    state_text: str  # "Opens on 4 Dec · content note"

    @property
    def is_open(self) -> bool:
        return self.state != "not_open"

    @property
    def completed(self) -> bool:
        return self.state == "completed"


def session_state(access: CourseAccess, marks: LearnerMarks, session: Session) -> str:
    if session.pk in marks.completed:
        return "completed"
    if not access.is_open(session):
        return "not_open"
    return "in_progress" if marks.has_started(session) else "open"


def course_outline(
    access: CourseAccess, marks: LearnerMarks, current: CoursePage | None = None
) -> list[OutlineSession]:
    structure = access.structure
    current_key = current.key if current else None
    by_session: dict[int, list[OutlinePage]] = {}
    for page in structure.pages:
        by_session.setdefault(page.session.pk, []).append(
            OutlinePage(page, page.key in marks.visited, page.key == current_key)
        )
    outline = []
    for session in structure.sessions:
        state = session_state(access, marks, session)
        opens_on = access.opens_on(session)
        own_page, *lessons = by_session[session.pk]
        outline.append(
            OutlineSession(
                session,
                state,
                opens_on,
                own_page,
                lessons if state != "not_open" else [],
                current is not None and current.session.pk == session.pk,
                _state_text(state, opens_on, bool(session.content_note)),
            )
        )
    return outline


def _state_text(state: str, opens_on: date | None, has_note: bool) -> str:
    text = STATE_LABELS[state]
    if state == "not_open" and opens_on:
        text += f" {opens_on.day} {opens_on:%b}"
    return text + (" · content note" if has_note else "")


# ---------------------------------------------------------------- moving on


def page_for(access: CourseAccess, session: Session, lesson=None) -> CoursePage:
    structure = access.structure
    return structure.pages[structure.page_position[(session.pk, lesson.pk if lesson else 0)]]


def neighbours(access: CourseAccess, page: CoursePage) -> tuple[CoursePage | None, ...]:
    """The pages before and after ``page``, across session boundaries."""
    pages = access.structure.pages
    index = access.structure.page_position[page.key]
    before = pages[index - 1] if index > 0 else None
    after = pages[index + 1] if index + 1 < len(pages) else None
    return before, after


def first_page_after_session(access: CourseAccess, session: Session) -> CoursePage | None:
    """Where "mark complete" leads: the next session's own page, or None after the last."""
    following = [s for s in access.structure.sessions if s.number > session.number]
    return page_for(access, following[0]) if following else None


def last_page_of(access: CourseAccess, page: CoursePage) -> bool:
    """``page`` ends its session (where "mark complete and continue" is offered)."""
    _, after = neighbours(access, page)
    return after is None or after.session.pk != page.session.pk


def next_step(access: CourseAccess, marks: LearnerMarks) -> CoursePage | None:
    """Continue: in the first open session not marked complete, the first page
    not opened yet, else its own page (where it is marked complete). None
    when every open session is complete."""
    for session in access.structure.sessions:
        if session.pk in marks.completed or not access.is_open(session):
            continue
        pages = [page for page in access.structure.pages if page.session.pk == session.pk]
        unseen = [page for page in pages if page.key not in marks.visited]
        return unseen[0] if unseen else pages[0]
    return None
