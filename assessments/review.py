"""The review page, inside the admin: a tutor reads an essay, writes feedback
and an outcome, saves it as a draft or releases it; a second tutor moderates.

SubmissionAdmin.change_view hands over the submission, already narrowed to
the rows this member of staff may see. Who may do what is decided in
assessments/services.py (``can_review``, ``can_moderate``); every change goes
through the services there. This module only reads the form, calls them and
says what happened.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.forms import ModerationForm, ReviewForm
from assessments.models import Moderation, Review, Submission
from peersupport.people import display_name
from peersupport.signals import announce_work_read

TEMPLATE = "admin/assessments/submission/review.html"


@dataclass
class ReviewPage:
    """What the page shows, and what its forms hold."""

    submission: Submission
    review: Review | None
    moderation: Moderation | None
    can_review: bool
    can_moderate: bool
    review_form: ReviewForm
    moderation_form: ModerationForm
    conflict: Review | None = None  # what another tutor saved first
    late_feedback: str | None = None  # written after the release: shown back, not saved


def review_page(request, submission: Submission, admin_context: dict):
    page = _load(request, submission)
    if request.method != "POST":
        if page.can_review:
            services.claim(submission, request.user)
        announce_work_read(request.user, submission.learner, "essay", submission.pk)
    elif "_moderate" in request.POST and page.can_moderate:
        if (done := _moderate(request, page)) is not None:
            return done
    elif page.can_review:
        if (done := _save_review(request, page)) is not None:
            return done
    elif "feedback" in request.POST and services.may_review(request.user):
        # Released (by someone else, or by a second click) while this tutor
        # was writing: nothing can change now, but their text is shown back.
        page.late_feedback = request.POST.get("feedback", "")
        messages.warning(request, _released_meanwhile(page.review))
    else:
        raise PermissionDenied
    return TemplateResponse(request, TEMPLATE, {**admin_context, **_context(request, page)})


def _load(request, submission) -> ReviewPage:
    review = getattr(submission, "review", None)
    moderation = Moderation.objects.filter(review=review).first() if review else None
    return ReviewPage(
        submission=submission,
        review=review,
        moderation=moderation,
        can_review=services.can_review(request.user, submission),
        can_moderate=services.can_moderate(request.user, moderation),
        review_form=ReviewForm(
            initial={
                "outcome": review.outcome if review else "",
                "feedback": review.feedback if review else "",
                "resubmit_by": review.resubmit_by if review else None,
                "base_version": review.version if review else 0,
            }
        ),
        moderation_form=ModerationForm(),
    )


def _moderate(request, page: ReviewPage):
    page.moderation_form = form = ModerationForm(request.POST)
    if not form.is_valid():
        return None
    try:
        services.moderate(
            page.moderation, request.user, form.cleaned_data["agrees"], form.cleaned_data["comment"]
        )
    except services.AssessmentError as error:
        form.add_error("comment", str(error))
        return None
    messages.info(request, "Your moderation is recorded.")
    return HttpResponseRedirect(request.path)


def _save_review(request, page: ReviewPage):
    page.review_form = form = ReviewForm(request.POST)
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        review = services.save_review(
            page.submission,
            request.user,
            data["outcome"],
            data["feedback"],
            data["resubmit_by"],
            data["base_version"],
        )
        if "_release" in request.POST:
            services.release(review, request.user, site_url=request.build_absolute_uri("/"))
            messages.info(request, "Feedback released. The learner has been told by email.")
            return HttpResponseRedirect(reverse("admin:assessments_submission_changelist"))
    except services.ReviewConflict as error:
        page.conflict = error.theirs
        # Keep this tutor's text in the form; the next save knowingly
        # replaces the other tutor's.
        page.review_form = ReviewForm({**request.POST.dict(), "base_version": error.theirs.version})
        page.review_form.is_valid()
        messages.error(request, str(error))
        return None
    except services.AssessmentError as error:
        messages.error(request, str(error))
        return None
    messages.info(request, "Feedback saved as a draft: the learner can’t see it yet.")
    return HttpResponseRedirect(request.path)


def _released_meanwhile(review) -> str:
    if review is None or not review.is_released:
        return "This essay’s review is closed, so your feedback was not saved."
    by = review.released_by
    who = display_name(by) if by else "Another tutor"
    when = timezone.localtime(review.released_at)
    return (
        f"{who} released feedback on this essay on {when:%-d %B at %H:%M}, before your "
        "save, so yours was not saved: released feedback does not change. Your text is "
        "below, to copy if you need it."
    )


def _context(request, page: ReviewPage) -> dict:
    submission = page.submission
    learner = submission.learner
    return {
        "title": f"{display_name(learner)}: "
        f"assignment {submission.assignment.number}, attempt {submission.attempt}",
        "submission": submission,
        "range": services.word_range(submission),
        "review": page.review,
        "review_form": page.review_form,
        "can_review": page.can_review,
        "conflict": page.conflict,
        "late_feedback": page.late_feedback,
        "moderation": page.moderation,
        "moderation_form": page.moderation_form,
        "can_moderate": page.can_moderate,
        "earlier_attempts": list(
            Submission.objects.for_learner(learner, submission.assignment)
            .submitted()
            .exclude(pk=submission.pk)
            .select_related("review")
        ),
        "status_changes": submission.status_changes.select_related("actor"),
        "claimed_by_other": submission.claimed_by_id not in (None, request.user.pk),
    }
