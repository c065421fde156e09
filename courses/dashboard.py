"""A learner's progress through the course and their deadlines, in a few queries."""

from dataclasses import dataclass
from datetime import date

from assessments.models import Assignment
from assessments.status import AssignmentState, states_for
from courses.learner import dates
from courses.learner.access import CourseAccess
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
        """The deadline to show: none once the work is in or passed; a referred
        learner's next attempt has its own date."""
        if self.state and self.state.code in ("submitted", "passed"):
            return None
        return self.state.due_on if self.state and self.state.due_on else self.due_on

    @property
    def shows_extension(self) -> bool:
        """The deadline shown is the learner's own extension."""
        return self.is_extended and not (self.state and self.state.due_on)


def completed_session_ids(learner, access: CourseAccess) -> set[int]:
    session_ids = [session.pk for session in access.structure.sessions]
    return set(
        SessionCompletion.objects.filter(learner=learner, session_id__in=session_ids)
        .order_by()
        .values_list("session_id", flat=True)
    )


def course_progress(learner, access: CourseAccess) -> CourseProgress:
    done = completed_session_ids(learner, access) if not access.is_preview else set()
    return CourseProgress(
        [
            SessionProgress(s, s.pk in done, access.is_open(s), access.opens_on(s))
            for s in access.structure.sessions
        ]
    )


def assignments_due(learner, access: CourseAccess) -> list[AssignmentDue]:
    """Each assignment with the learner's deadline (their extension, else the
    cohort's) and where they are with it."""
    assignments = access.structure.assignments
    if access.cohort is None:
        return [AssignmentDue(a, None, False) for a in assignments]
    states = states_for([learner.pk], assignments)[learner.pk]
    return [
        AssignmentDue(a, dates.deadline(access, a), dates.is_extended(access, a), state)
        for a, state in zip(assignments, states, strict=True)
    ]
