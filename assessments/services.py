"""The life of an essay: drafting, submitting, reviewing, releasing, moderating.

Every change of state goes through here, inside a transaction that locks the
submission's row, and is recorded as a StatusChange. Views and the admin call
these functions; they never change a submission's status themselves.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from assessments import emails, passages
from assessments.models import (
    Assignment,
    Criterion,
    CriterionModeration,
    CriterionResult,
    Moderation,
    PassageComment,
    Review,
    StatusChange,
    Submission,
)
from courses.learner import dates
from courses.learner.access import course_access_for
from courses.models import Cohort
from outbox.services import queue_email
from peersupport.people import display_name
from peersupport.roles import is_tutor
from peersupport.writing import SavedVersion, WritingConflict, is_blank, is_stale

Status = Submission.Status

# A claim lapses after this long, so a tutor who opened an essay and went
# home does not keep it from the others for ever.
CLAIM_LASTS = timedelta(hours=4)


class AssessmentError(Exception):
    """A step that is not allowed now; the message is for the person who tried."""


class SubmissionRefused(AssessmentError):
    """The essay cannot be submitted yet for reasons the learner can put right.
    ``problems`` maps each form field (``text``, ``declaration``,
    ``outside_range_ok``) to what it needs, so that every problem is shown
    at once, beside its field."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__(" ".join(problems.values()))


class ReviewConflict(AssessmentError):
    """Another tutor saved this review first; ``theirs`` is what they saved."""

    def __init__(self, theirs: Review):
        self.theirs = theirs
        super().__init__(
            f"{display_name(theirs.tutor)} saved feedback on this "
            "essay while you were writing yours. Nothing you wrote is lost: compare the two "
            "below, then save again."
        )


# ---------------------------------------------------------------- learner


def current_attempt(learner, assignment: Assignment) -> Submission | None:
    return Submission.objects.for_learner(learner, assignment).last()


@transaction.atomic
def start_draft(learner, assignment: Assignment) -> Submission:
    """The attempt being written, created (attempt 1) when there is none."""
    draft, created = Submission.objects.get_or_create(
        learner=learner, assignment=assignment, status=Status.DRAFT, defaults={"attempt": 1}
    )
    if created:
        _record(draft, learner, "", Status.DRAFT, "Started writing")
    return draft


@transaction.atomic
def save_draft(
    learner, assignment: Assignment, text: str, base_version: int | None = None
) -> Submission:
    """Save the draft's text, from the page that read version
    ``base_version`` of it. Saving the same again is harmless (autosave); a
    save that would overwrite what another tab saved raises WritingConflict."""
    draft = _locked_draft(learner, assignment)
    if is_stale(draft.version, base_version, draft.text == text):
        raise WritingConflict(SavedVersion(draft.text, draft.version, draft.updated_at))
    draft.text = text
    draft.version += 1
    draft.save()
    return draft


def attach_file(learner, assignment: Assignment, upload, checked) -> Submission:
    """Attach ``upload`` to the draft. The file is whole in storage before the
    row naming it commits, and removed again if the row is not saved; a
    storage that refuses raises UploadStorageError with a message to show."""
    stored = None
    try:
        with transaction.atomic():
            draft = _locked_draft(learner, assignment)
            old = draft.attachment.name if draft.attachment else None
            draft.attachment.save(f"essay{checked.extension}", upload, save=False)
            stored = draft.attachment.name
            draft.attachment_name = _safe_display_name(upload.name, checked.extension)
            draft.attachment_type = checked.content_type
            draft.attachment_size = upload.size
            draft.save()
            if old:
                storage = draft.attachment.storage
                # robust: a failure here must not look like a failed attach.
                transaction.on_commit(lambda: storage.delete(old), robust=True)
    except BaseException:
        if stored:
            draft.attachment.storage.delete(stored)
        raise
    return draft


@transaction.atomic
def remove_file(learner, assignment: Assignment) -> Submission:
    draft = _locked_draft(learner, assignment)
    if draft.attachment:
        old, storage = draft.attachment.name, draft.attachment.storage
        transaction.on_commit(lambda: storage.delete(old), robust=True)
    draft.attachment = ""
    draft.attachment_name = draft.attachment_type = ""
    draft.attachment_size = 0
    draft.save()
    return draft


@dataclass(frozen=True)
class WordRangeCheck:
    count: int
    low: int
    high: int

    @property
    def inside(self) -> bool:
        return self.low <= self.count <= self.high

    @property
    def message(self) -> str:
        limit = f"at least {self.low:,}" if self.count < self.low else f"at most {self.high:,}"
        return f"Your essay has {self.count:,} words; the assignment asks for {limit}."


def word_range(submission: Submission) -> WordRangeCheck:
    assignment = submission.assignment
    return WordRangeCheck(submission.word_count, assignment.min_words, assignment.max_words)


@transaction.atomic
def submit(
    learner,
    assignment: Assignment,
    declaration: bool,
    outside_range_ok: bool,
    attempt: int | None = None,
    site_url: str = "",
) -> Submission:
    """Submit the draft (attempt number ``attempt``, as the page showed it).
    From here on the attempt never changes; submitting it again (a double
    click) returns it as it is. ``site_url`` (the site's address, from the
    request) lets the receipt link to the assignment's page.

    Raises SubmissionRefused with everything the learner can put right
    (an empty essay, the declaration, the word range), all at once."""
    if attempt is not None:
        already = (
            Submission.objects.filter(learner=learner, assignment=assignment, attempt=attempt)
            .exclude(status=Status.DRAFT)
            .first()
        )
        if already is not None:
            return already
    problems = {}
    draft = None
    if current_attempt(learner, assignment) is not None:
        draft = _locked_draft(learner, assignment)
    check = word_range(draft) if draft is not None else None
    if draft is None or (is_blank(draft.text) and not draft.attachment):
        problems["text"] = "Your essay is empty: write it, or attach it, before submitting."
    elif not check.inside and assignment.word_range_blocks:
        problems["text"] = check.message + " Please change it before submitting."
    if not declaration:
        problems["declaration"] = "Please confirm that the essay is your own work."
    in_range_or_said_so = check is None or check.inside or outside_range_ok
    if "text" not in problems and not in_range_or_said_so:
        problems["outside_range_ok"] = check.message + " Tick the box to submit it anyway."
    if problems:
        raise SubmissionRefused(problems)
    due_on = dates.deadline(course_access_for(learner), assignment, draft)
    now = timezone.now()
    if dates.is_past(due_on, now) and assignment.hard_deadline:
        raise AssessmentError(
            f"The deadline for this assignment was {due_on:%-d %B %Y}, and it does not accept "
            "late work. Please contact your tutor or course coordinator."
        )
    draft.status = Status.SUBMITTED
    draft.declaration = True
    draft.submitted_at = now
    draft.is_late = dates.is_past(due_on, now)
    draft.due_on = draft.due_on or due_on
    draft.save()
    _record(draft, learner, Status.DRAFT, Status.SUBMITTED, "Late" if draft.is_late else "")
    queue_email(
        emails.receipt,
        learner,
        f"Receipt for assignment {assignment.number}, attempt {draft.attempt}",
        submission_id=draft.pk,
        site_url=site_url,
    )
    return draft


def _locked_draft(learner, assignment) -> Submission:
    draft = (
        Submission.objects.select_for_update()
        .filter(learner=learner, assignment=assignment, status=Status.DRAFT)
        .first()
    )
    if draft is None:
        raise AssessmentError(
            "This essay has been submitted, so it can no longer be changed. "
            "You will be able to write a new attempt if your tutor asks for one."
        )
    return draft


# ---------------------------------------------------------------- tutors


def may_review(user) -> bool:
    """Whether ``user`` reviews essays at all: a tutor (only their own
    learners' essays reach them: courses/staff.py narrows the rows)."""
    return is_tutor(user) and user.has_perm("assessments.change_submission")


def can_review(user, submission: Submission) -> bool:
    """Whether ``user`` may write and release feedback on ``submission`` now."""
    return may_review(user) and submission.status == Status.SUBMITTED


def can_moderate(user, moderation: Moderation | None) -> bool:
    """Whether ``user`` may record the second tutor's decision on ``moderation``:
    a tutor who did not write the review, while it waits for one."""
    return bool(
        moderation is not None
        and not moderation.is_decided
        and is_tutor(user)
        and moderation.review.tutor_id != user.pk
    )


def claim(submission: Submission, tutor) -> Submission:
    """Claim ``submission`` for review unless another tutor holds a live claim.

    One conditional UPDATE, so two tutors (or two app servers) opening the
    same essay at once cannot both win.
    """
    now = timezone.now()
    Submission.objects.filter(pk=submission.pk, status=Status.SUBMITTED).filter(
        Q(claimed_by__isnull=True) | Q(claimed_by=tutor) | Q(claimed_at__lte=now - CLAIM_LASTS)
    ).update(claimed_by=tutor, claimed_at=now)
    submission.refresh_from_db(fields=["claimed_by", "claimed_at"])
    return submission


def next_to_review(submissions, tutor, after: Submission | None = None) -> Submission | None:
    """The oldest essay waiting among ``submissions`` (the rows ``tutor`` may
    see, as the admin narrows them) that no other tutor holds a live claim
    on; ``after``, the essay just marked, is left out."""
    if not may_review(tutor):
        return None
    lapsed = timezone.now() - CLAIM_LASTS
    waiting = submissions.awaiting_review().filter(
        Q(claimed_by__isnull=True) | Q(claimed_by=tutor) | Q(claimed_at__lte=lapsed)
    )
    if after is not None:
        waiting = waiting.exclude(pk=after.pk)
    return waiting.order_by("submitted_at", "pk").only("pk").first()


@dataclass(frozen=True)
class Judgement:
    """A tutor's judgement of one criterion: "met", "not_yet" or "" (not yet
    judged), with a short comment."""

    judgement: str
    comment: str = ""


@dataclass(frozen=True)
class PassageDraft:
    """A comment on the words ``passage`` at [start, end) of the essay's plain
    text (assessments/passages.py); offsets may be None when the words were
    copied in by hand, without JavaScript."""

    passage: str
    comment: str
    start: int | None = None
    end: int | None = None


def suggested_outcome(judgements) -> str:
    """The outcome the criteria point to: Pass when every one is met, Refer
    when any is not yet met, nothing while some are still to judge."""
    values = [j.judgement for j in judgements]
    if not values or "" in values:
        return ""
    return Review.Outcome.PASS if all(v == "met" for v in values) else Review.Outcome.REFER


def criteria_of(assignment: Assignment) -> list[Criterion]:
    return list(Criterion.objects.filter(assignment=assignment).order_by("order", "pk"))


@transaction.atomic
def save_review(
    submission: Submission,
    tutor,
    outcome: str,
    feedback: str,
    resubmit_by: date | None,
    base_version: int,
    *,
    outcome_reason: str = "",
    judgements: dict[int, Judgement] | None = None,
    passage_comments: list[PassageDraft] | None = None,
) -> Review:
    """Save draft feedback. ``base_version`` is the review's version the tutor
    started from (0 for none): if someone saved since, nothing is overwritten.

    ``judgements`` maps criterion ids to the tutor's judgements, and
    ``passage_comments`` are all the comments on passages (the ones saved
    before and not among them are removed); None leaves either as it was."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Status.SUBMITTED:
        raise AssessmentError("Feedback on this essay has been released and can no longer change.")
    review = Review.objects.select_for_update().filter(submission=submission).first()
    current_version = review.version if review else 0
    if current_version != base_version:
        raise ReviewConflict(review)
    if review is None:
        review = Review(submission=submission, tutor=tutor, version=0)
    review.tutor = tutor
    review.outcome = outcome
    review.feedback = feedback
    review.outcome_reason = outcome_reason
    review.resubmit_by = resubmit_by if outcome == Review.Outcome.REFER else None
    review.version += 1
    review.save()
    if judgements is not None:
        _save_judgements(review, submission, judgements)
    if passage_comments is not None:
        _save_passage_comments(review, submission, passage_comments)
    return review


def _save_judgements(review: Review, submission: Submission, judgements) -> None:
    for criterion in criteria_of(submission.assignment):
        given = judgements.get(criterion.pk)
        if given is None:
            continue
        CriterionResult.objects.update_or_create(
            review=review,
            criterion=criterion,
            defaults={
                "criterion_text": criterion.text,
                "order": criterion.order,
                "judgement": given.judgement,
                "comment": given.comment,
            },
        )


def _save_passage_comments(review: Review, submission: Submission, drafts) -> None:
    plain = passages.plain_text(submission.text_html)
    rows = []
    for draft in drafts:
        try:
            start, end = passages.locate(plain, draft.passage, draft.start, draft.end)
        except passages.PassageNotFound as error:
            raise AssessmentError(str(error)) from None
        rows.append(
            PassageComment(
                review=review, start=start, end=end, passage=plain[start:end], comment=draft.comment
            )
        )
    # Replaced as a whole: the form holds every comment, each as the tutor
    # left it; a comment they removed is gone.
    review.passage_comments.all().delete()
    PassageComment.objects.bulk_create(rows)


def judgements_of(review: Review | None) -> dict[int, Judgement]:
    """The judgements saved on ``review``, by criterion id."""
    if review is None:
        return {}
    return {
        result.criterion_id: Judgement(result.judgement, result.comment)
        for result in review.criterion_results.all()
        if result.criterion_id is not None
    }


def _check_criteria(review: Review, submission: Submission) -> None:
    criteria = criteria_of(submission.assignment)
    saved = judgements_of(review)
    judged = [saved.get(c.pk, Judgement("")) for c in criteria]
    missing = sum(1 for j in judged if not j.judgement)
    if missing:
        raise AssessmentError(
            f"{submission}: judge every criterion (met or not yet) before releasing; "
            f"{missing} still to judge."
        )
    suggested = suggested_outcome(judged)
    if criteria and review.outcome != suggested and not review.outcome_reason.strip():
        if suggested == Review.Outcome.PASS:
            why = "every criterion is met"
        else:
            why = "not every criterion is met"
        raise AssessmentError(
            f"{submission}: the outcome is {review.get_outcome_display()} although {why}. "
            "Say why in “Reason for this outcome”, or change the outcome."
        )


@transaction.atomic
def release(review: Review, by, site_url: str = "") -> Submission:
    """Release feedback to the learner: the outcome takes effect, and a Refer
    opens the next attempt, starting from a copy of this one. ``site_url``
    (the site's address, from the request) lets the email link to the
    assignment's page."""
    review = Review.objects.select_for_update().select_related("submission").get(pk=review.pk)
    submission = Submission.objects.select_for_update().get(pk=review.submission_id)
    if review.is_released:
        raise AssessmentError(f"{submission}: feedback was already released.")
    if not review.outcome or not review.feedback.strip():
        raise AssessmentError(f"{submission}: give an outcome and feedback before releasing.")
    if review.outcome == Review.Outcome.REFER and not review.resubmit_by:
        raise AssessmentError(f"{submission}: a Refer needs a date for the next attempt.")
    _check_criteria(review, submission)
    moderation = Moderation.objects.filter(review=review).first()
    if (
        moderation is not None
        and _moderation_required(submission)
        and moderation.agrees is not True
    ):
        raise AssessmentError(
            f"{submission} is in the moderation sample: it can be released once a second "
            "tutor agrees with the feedback."
        )
    review.released_at = timezone.now()
    review.released_by = by
    review.save(update_fields=["released_at", "released_by"])
    new_status = Status.PASSED if review.outcome == Review.Outcome.PASS else Status.REFERRED
    old_status = submission.status
    submission.status = new_status
    submission.save(update_fields=["status"])
    _record(submission, by, old_status, new_status, "Feedback released")
    if new_status == Status.REFERRED:
        next_attempt = Submission.objects.create(
            learner_id=submission.learner_id,
            assignment_id=submission.assignment_id,
            attempt=submission.attempt + 1,
            text=submission.text,
            due_on=review.resubmit_by,
        )
        _record(
            next_attempt, by, "", Status.DRAFT, f"New attempt after attempt {submission.attempt}"
        )
    queue_email(
        emails.feedback_ready,
        submission.learner_id,
        f"Feedback ready (attempt {submission.attempt})",
        submission_id=submission.pk,
        site_url=site_url,
    )
    return submission


def _moderation_required(submission: Submission) -> bool:
    return (
        Cohort.objects.current_for(submission.learner_id).filter(requires_moderation=True).exists()
    )


@transaction.atomic
def request_moderation(reviews, coordinator) -> int:
    """Put reviews in the moderation sample (ones already in it are left)."""
    added = 0
    for review in reviews:
        if review.is_released:
            continue
        _, created = Moderation.objects.get_or_create(
            review=review, defaults={"requested_by": coordinator}
        )
        added += created
    return added


@transaction.atomic
def moderate(
    moderation: Moderation,
    moderator,
    agrees: bool,
    comment: str,
    criterion_decisions: dict[int, tuple[bool, str]] | None = None,
) -> Moderation:
    """Record the second tutor's decision on the outcome and feedback
    (``agrees``, ``comment``) and on each criterion's judgement
    (``criterion_decisions`` maps CriterionResult ids to (agrees, comment)).
    Every disagreement needs a comment saying why."""
    moderation = (
        Moderation.objects.select_for_update().select_related("review").get(pk=moderation.pk)
    )
    if moderation.review.tutor_id == moderator.pk:
        raise AssessmentError("A second tutor moderates: you cannot moderate your own review.")
    if moderation.is_decided:
        raise AssessmentError("This review has been moderated already.")
    if not agrees and not comment.strip():
        raise AssessmentError("Please say in a comment why you disagree.")
    decisions = criterion_decisions or {}
    results = {r.pk: r for r in moderation.review.criterion_results.all()}
    for result_id, (criterion_agrees, criterion_comment) in decisions.items():
        if result_id not in results:
            raise AssessmentError("That criterion is not part of this review.")
        if not criterion_agrees and not criterion_comment.strip():
            raise AssessmentError(
                f"Please say why you disagree on “{results[result_id].criterion_text}”."
            )
    moderation.moderator = moderator
    moderation.agrees = agrees
    moderation.comment = comment
    moderation.decided_at = timezone.now()
    moderation.save()
    CriterionModeration.objects.bulk_create(
        CriterionModeration(moderation=moderation, result_id=pk, agrees=a, comment=c)
        for pk, (a, c) in decisions.items()
    )
    return moderation


# ---------------------------------------------------------------- records


def _record(submission, actor, from_status, to_status, note=""):
    StatusChange.objects.create(
        submission=submission,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def _safe_display_name(name: str, extension: str) -> str:
    """The learner's file name for downloads: no folders, no odd characters,
    and always the extension of what the file really is."""
    from django.utils.text import get_valid_filename

    stem = get_valid_filename(name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).rsplit(".", 1)[0]
    return f"{(stem or 'essay')[:80]}{extension}"
