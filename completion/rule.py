"""The completion rule, and where a learner stands against it.

The rule is the course's (Course.completion_*, declared in content/course.md):
attend at least N sessions, these sessions in particular, a missed session
counts once a tutor signs off catch-up work (or not), both assignments passed
(or not). This module is the one place that applies it: the dashboard, the
coordinators' completion report and its CSV, and issuing certificates all
ask here.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from assessments.models import Review, Submission
from completion.models import Attendance
from courses.models import Course, Enrolment, SessionRelease

Status = Attendance.Status


@dataclass(frozen=True)
class Rule:
    sessions_attended: int
    required_sessions: tuple[int, ...]
    caught_up_counts: bool
    assignments_passed: bool

    @classmethod
    def of(cls, course: Course) -> "Rule":
        return cls(
            course.completion_sessions_attended,
            tuple(sorted(set(course.completion_required_sessions or []))),
            course.completion_caught_up_counts,
            course.completion_assignments_passed,
        )

    def counts(self, status: str) -> bool:
        return status == Status.PRESENT or (status == Status.CAUGHT_UP and self.caught_up_counts)


@dataclass(frozen=True)
class Standing:
    """Where one learner stands: what they have done, and what is still needed."""

    rule: Rule
    session_count: int
    marks: dict[int, str]  # session number -> attendance status
    assignment_numbers: tuple[int, ...]
    passed: frozenset[int]  # numbers of the assignments passed

    @property
    def attended(self) -> list[int]:
        return sorted(n for n, status in self.marks.items() if self.rule.counts(status))

    @property
    def attended_count(self) -> int:
        return len(self.attended)

    @property
    def percent_attended(self) -> int:
        return round(100 * self.attended_count / self.session_count) if self.session_count else 0

    @property
    def sessions_short(self) -> int:
        return max(0, self.rule.sessions_attended - self.attended_count)

    @property
    def required_missing(self) -> list[int]:
        return [n for n in self.rule.required_sessions if n not in set(self.attended)]

    @property
    def assignments_to_pass(self) -> list[int]:
        if not self.rule.assignments_passed:
            return []
        return [n for n in self.assignment_numbers if n not in self.passed]

    @property
    def complete(self) -> bool:
        return not (self.sessions_short or self.required_missing or self.assignments_to_pass)

    @property
    def summary(self) -> str:
        return f"You have attended {self.attended_count} of {self.session_count} sessions."

    def still_needed(self) -> list[str]:
        """What is missing, in plain words: ["2 more sessions, including
        session 4", "a Pass on assignment 2"]."""
        needs = []
        sessions = _numbers("session", self.required_missing)
        if self.sessions_short:
            plural = "s" if self.sessions_short != 1 else ""
            needs.append(
                f"{self.sessions_short} more session{plural}"
                + (f", including {sessions}" if sessions else "")
            )
        elif sessions:
            needs.append(sessions)
        if self.assignments_to_pass:
            needs.append("a Pass on " + _numbers("assignment", self.assignments_to_pass))
        return needs

    @property
    def needs_sentence(self) -> str:
        """ "To complete the course you still need: 2 more sessions, and a Pass on
        assignment 2." (empty once complete)"""
        needs = self.still_needed()
        if not needs:
            return ""
        listed = needs[0] if len(needs) == 1 else ", ".join(needs[:-1]) + ", and " + needs[-1]
        return f"To complete the course you still need: {listed}."

    @property
    def missing_text(self) -> str:
        """The same, for a coordinator's report: "2 more sessions; a Pass on assignment 2"."""
        return "; ".join(self.still_needed())


def _numbers(noun: str, numbers: list[int]) -> str:
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f"{noun} {numbers[0]}"
    listed = ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"
    return f"{noun}s {listed}"


def standing(course: Course, session_count: int, assignment_numbers, marks, passed) -> Standing:
    return Standing(
        Rule.of(course), session_count, dict(marks), tuple(assignment_numbers), frozenset(passed)
    )


def marks_for(enrolment_ids) -> dict[int, dict[int, str]]:
    """Each enrolment's attendance: session number -> status (one query)."""
    marks: dict[int, dict[int, str]] = {enrolment_id: {} for enrolment_id in enrolment_ids}
    for enrolment_id, number, status in Attendance.objects.filter(
        enrolment_id__in=enrolment_ids
    ).values_list("enrolment_id", "session__number", "status"):
        marks[enrolment_id][number] = status
    return marks


def passes_for(learner_ids) -> dict[int, set[int]]:
    """The assignments each learner has passed (one query)."""
    passes: dict[int, set[int]] = {learner_id: set() for learner_id in learner_ids}
    for learner_id, number in Submission.objects.filter(
        learner_id__in=learner_ids, status=Submission.Status.PASSED
    ).values_list("learner_id", "assignment__number"):
        passes[learner_id].add(number)
    return passes


def standings_for(cohort, enrolments: list[Enrolment]) -> dict[int, Standing]:
    """Every learner of ``cohort``'s standing, by enrolment id, in three
    queries whatever their number."""
    course = cohort.course
    session_count = course.sessions.count()
    numbers = list(course.assignments.order_by("number").values_list("number", flat=True))
    marks = marks_for([e.pk for e in enrolments])
    passes = passes_for([e.learner_id for e in enrolments])
    return {
        e.pk: standing(course, session_count, numbers, marks[e.pk], passes[e.learner_id])
        for e in enrolments
    }


def completed_on(enrolment: Enrolment, learner_standing: Standing) -> date | None:
    """The day the learner met the rule: the later of their last attended
    session's date and the release of their last Pass."""
    if not learner_standing.complete:
        return None
    days = list(
        SessionRelease.objects.filter(
            cohort_id=enrolment.cohort_id, session__number__in=learner_standing.attended
        ).values_list("opens_on", flat=True)
    )
    released = (
        Review.objects.filter(
            submission__learner_id=enrolment.learner_id,
            submission__status=Submission.Status.PASSED,
            released_at__isnull=False,
        )
        .order_by("-released_at")
        .values_list("released_at", flat=True)
        .first()
    )
    if released is not None:
        days.append(timezone.localtime(released).date())
    return max(days) if days else None


def learner_standing(access, passed_numbers) -> Standing | None:
    """The learner's own standing, for their dashboard: the course and its
    sessions from the process's copy, their marks in one query. None in a
    staff preview."""
    if access.is_preview:
        return None
    structure = access.structure
    return standing(
        structure.course,
        len(structure.sessions),
        [a.number for a in structure.assignments],
        marks_for([access.enrolment_id])[access.enrolment_id],
        passed_numbers,
    )
