"""A learner's progress through the course, computed in two queries."""

from dataclasses import dataclass

from sessions.models import Session, SessionCompletion


@dataclass(frozen=True)
class SessionProgress:
    session: Session
    completed: bool


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


def completed_session_ids(learner, course) -> set[int]:
    return set(
        SessionCompletion.objects.filter(learner=learner, session__course=course).values_list(
            "session_id", flat=True
        )
    )


def course_progress(learner, course) -> CourseProgress:
    sessions = Session.objects.for_course(course).only("pk", "course_id", "number", "title")
    done = completed_session_ids(learner, course)
    return CourseProgress([SessionProgress(s, s.pk in done) for s in sessions])
