"""A learner's progress through the course and their deadlines, in a few queries."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from assessments.models import Assignment
from assessments.status import AssignmentState, states_for
from courses.learner import dates
from courses.learner.access import CourseAccess
from courses.learner.live import LiveSessionNow, next_live_session
from courses.player import LearnerMarks, OutlineSession, course_outline


@dataclass(frozen=True)
class CourseProgress:
    sessions: list[OutlineSession]
    # The next live session (today's until the day ends), with its time,
    # place and link; None in a staff preview or once all are over.
    next_live: LiveSessionNow | None = None

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


def course_progress(access: CourseAccess, marks: LearnerMarks) -> CourseProgress:
    now = timezone.now()
    return CourseProgress(
        course_outline(access, marks),
        next_live=LiveSessionNow.at(next_live_session(access, access.structure.sessions, now), now),
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
