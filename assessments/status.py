"""What an assignment's state is, in words, for learners and for reports."""

from dataclasses import dataclass
from datetime import date

from assessments.models import Submission

Status = Submission.Status


@dataclass(frozen=True)
class AssignmentState:
    code: str  # not_started, or a Submission.Status: draft, submitted, passed, referred
    label: str
    due_on: date | None = None

    @property
    def tone(self) -> str:
        """Its colour, as the model gives it (Submission.TONES)."""
        return Submission.TONES.get(self.code, "secondary")


NOT_STARTED = AssignmentState("not_started", "Not started")


def state_of(attempts: list[Submission]) -> AssignmentState:
    """The state of one learner's assignment from their attempts, oldest first.
    Labels are the model's (Submission.Status), but for a referred learner
    writing their next attempt, whose label gives its date."""
    if not attempts:
        return NOT_STARTED
    latest = attempts[-1]
    if latest.status == Status.DRAFT and latest.attempt > 1:
        return AssignmentState(
            Status.REFERRED,
            f"{Status.REFERRED.label}: new attempt due {latest.due_on:%-d %B %Y}",
            latest.due_on,
        )
    return AssignmentState(latest.status, Status(latest.status).label)


def states_for(learner_ids, assignments) -> dict[int, list[AssignmentState]]:
    """Each learner's state per assignment, in one query."""
    by_key: dict[tuple[int, int], list[Submission]] = {}
    attempts = (
        Submission.objects.filter(learner_id__in=learner_ids, assignment__in=assignments)
        .only("learner_id", "assignment_id", "attempt", "status", "due_on")
        .order_by("attempt")
    )
    for attempt in attempts:
        by_key.setdefault((attempt.learner_id, attempt.assignment_id), []).append(attempt)
    return {
        learner_id: [state_of(by_key.get((learner_id, a.pk), [])) for a in assignments]
        for learner_id in learner_ids
    }
