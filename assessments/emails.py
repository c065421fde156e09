"""The assessment emails: never an essay's words or its feedback, only that
something happened and when."""

from assessments.models import Submission
from outbox.builders import email_builder, plain_text_email


def _submission(submission_id):
    return Submission.objects.select_related("learner", "assignment").get(pk=submission_id)


@email_builder
def receipt(submission_id: int):
    submission = _submission(submission_id)
    return plain_text_email(
        submission.learner,
        f"We have received your essay for assignment {submission.assignment.number}",
        "assessments/email/receipt.txt",
        {"submission": submission},
    )


@email_builder
def feedback_ready(submission_id: int):
    submission = _submission(submission_id)
    return plain_text_email(
        submission.learner,
        "Feedback on your essay is ready",
        "assessments/email/feedback_ready.txt",
        {"submission": submission},
    )
