"""The assessment emails: never an essay's words, its feedback or the
assignment's title (a lock screen shows the first lines), only that
something happened and when, with a link to the assignment's page."""

from django.urls import reverse

from assessments.models import Submission
from outbox.builders import email_builder, plain_text_email
from reminders.models import Kind, Preferences
from reminders.unsubscribe import unsubscribe_headers, unsubscribe_url


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
    """On unless the learner turned it off (their account page, or this
    email's own unsubscribe link): then it is cancelled, not sent."""
    submission = _submission(submission_id)
    if not Preferences.of(submission.learner_id).wants(Kind.FEEDBACK_RELEASED):
        return None
    stop = unsubscribe_url(submission.learner_id, Kind.FEEDBACK_RELEASED, site_url)
    return plain_text_email(
        submission.learner,
        "Feedback on your essay is ready",
        "assessments/email/feedback_ready.txt",
        {
            **_context(submission, site_url),
            "unsubscribe_url": stop,
            "account_url": f"{site_url.rstrip('/')}{reverse('account')}" if site_url else "",
        },
        headers=unsubscribe_headers(stop),
    )
