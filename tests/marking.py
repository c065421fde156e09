"""Marking an essay in tests: judgements of every criterion that agree with
the outcome, as a tutor gives them before releasing feedback."""

from assessments import services
from assessments.models import Criterion


def judgements_for(submission, outcome: str) -> dict:
    """Every criterion of the essay's assignment judged: all met for a Pass,
    the first not yet met for a Refer (the outcome the criteria suggest)."""
    criteria = Criterion.objects.filter(assignment_id=submission.assignment_id).order_by(
        "order", "pk"
    )
    return {
        criterion.pk: services.Judgement("not_yet" if outcome == "refer" and index == 0 else "met")
        for index, criterion in enumerate(criteria)
    }


def mark(submission, tutor, outcome: str, feedback: str, resubmit_by=None, base_version=0):
    """Save a review of ``submission`` with every criterion judged."""
    return services.save_review(
        submission,
        tutor,
        outcome,
        feedback,
        resubmit_by,
        base_version,
        judgements=judgements_for(submission, outcome),
    )


def judgement_fields(submission, outcome: str) -> dict:
    """The marking page's criterion fields, judged as ``judgements_for`` does,
    for a POST of the review form."""
    return {
        f"criterion_{pk}": judgement.judgement
        for pk, judgement in judgements_for(submission, outcome).items()
    }
