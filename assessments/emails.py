"""The assessment emails: never an essay's words or its feedback, only that
something happened and when, with a link to the assignment's page."""

from django.urls import reverse

from assessments.models import Submission
from outbox.builders import email_builder, plain_text_email


def _submission(submission_id):
    return Submission.objects.select_related("learner", "assignment").get(pk=submission_id)


def _context(submission: Submission, site_url: str) -> dict:
    # Emails queued before the link was added have no site_url: they say
    # where to go in words instead.
    page = reverse("assignment_detail", args=[submission.assignment.number])
    return {
        "submission": submission,
        "page_url": f"{site_url.rstrip('/')}{page}" if site_url else "",
    }


@email_builder
def receipt(submission_id: int, site_url: str = ""):
    submission = _submission(submission_id)
    return plain_text_email(
        submission.learner,
        f"We have received your essay for assignment {submission.assignment.number}",
        "assessments/email/receipt.txt",
        _context(submission, site_url),
    )


@email_builder
def feedback_ready(submission_id: int, site_url: str = ""):
    submission = _submission(submission_id)
    return plain_text_email(
        submission.learner,
        "Feedback on your essay is ready",
        "assessments/email/feedback_ready.txt",
        _context(submission, site_url),
    )
