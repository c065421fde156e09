"""A learner's progress through the course and their deadlines, in a few queries."""

from dataclasses import dataclass
from datetime import date

from assessments.models import Assignment
from assessments.status import AssignmentState, states_for
from courses.access import CourseAccess
from courses.models import AssignmentDeadline, DeadlineExtension
from sessions.models import Session, SessionCompletion


@dataclass(frozen=True)
class SessionProgress:
    session: Session
    completed: bool
    is_open: bool
    opens_on: date | None

    @property
    def state(self) -> str:
        if self.completed:
            return "completed"
        return "open" if self.is_open else "not_open"


@dataclass(frozen=True)
class CourseProgress:
    sessions: list[SessionProgress]

    @property
    def total(self) -> int:
        return len(self.sessions)

    @property
    def completed_count(self) -> int:
        return sum(1 for entry in self.sessions if entry.completed)

    @property
    def percent(self) -> int:
        return round(100 * self.completed_count / self.total) if self.total else 0


@dataclass(frozen=True)
class AssignmentDue:
    assignment: Assignment
    due_on: date | None
    is_extended: bool
    state: AssignmentState | None = None

    @property
    def shown_due_on(self) -> date | None:
        """A referred learner's next attempt has its own date."""
        return self.state.due_on if self.state and self.state.due_on else self.due_on


def completed_session_ids(learner, course) -> set[int]:
    return set(
        SessionCompletion.objects.filter(learner=learner, session__course=course).values_list(
            "session_id", flat=True
        )
    )


def course_progress(learner, access: CourseAccess) -> CourseProgress:
    sessions = Session.objects.for_course(access.course).only("pk", "course_id", "number", "title")
    done = completed_session_ids(learner, access.course)
    return CourseProgress(
        [SessionProgress(s, s.pk in done, access.is_open(s), access.opens_on(s)) for s in sessions]
    )


def assignments_due(learner, access: CourseAccess) -> list[AssignmentDue]:
    """Each assignment with the learner's deadline (their extension, else the
    cohort's) and where they are with it."""
    assignments = list(Assignment.objects.filter(course=access.course).order_by("number"))
    if access.cohort is None:
        return [AssignmentDue(a, None, False) for a in assignments]
    states = states_for([learner.pk], assignments)[learner.pk]
    cohort_dates = dict(
        AssignmentDeadline.objects.filter(cohort=access.cohort).values_list(
            "assignment_id", "due_on"
        )
    )
    extended = dict(
        DeadlineExtension.objects.filter(enrolment=access.enrolment).values_list(
            "assignment_id", "due_on"
        )
    )
    return [
        AssignmentDue(a, extended.get(a.pk, cohort_dates.get(a.pk)), a.pk in extended, state)
        for a, state in zip(assignments, states, strict=True)
    ]
