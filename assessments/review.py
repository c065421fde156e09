"""The marking page, inside the admin: a tutor reads an essay beside the
feedback panel (a judgement of each criterion, comments on passages, the
overall feedback, the outcome), saves it as a draft or releases it and moves
on to the next essay; a second tutor moderates, criterion by criterion.

SubmissionAdmin.change_view hands over the submission, and the queue of
essays, already narrowed to the rows this member of staff may see. Who may do
what is decided in assessments/services.py (``can_review``,
``can_moderate``); every change goes through the services there. This module
only reads the forms, calls them and says what happened, in plain words.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from assessments import passages, services
from assessments.forms import (
    PASSAGES_PREFIX,
    ModerationForm,
    PassageFormSet,
    ReviewForm,
    SnippetForm,
)
from assessments.models import (
    CriterionResult,
    FeedbackSnippet,
    Moderation,
    PassageComment,
    Review,
    Submission,
)
from peersupport.people import display_name
from peersupport.rendering import preview_html
from peersupport.signals import announce_work_read

TEMPLATE = "admin/assessments/submission/review.html"
Status = Submission.Status


@dataclass
class ReviewPage:
    """What the page shows, and what its forms hold."""

    submission: Submission
    review: Review | None
    moderation: Moderation | None
    can_review: bool
    can_moderate: bool
    criteria: list
    review_form: ReviewForm
    passage_formset: PassageFormSet
    moderation_form: ModerationForm
    results: list = field(default_factory=list)  # the saved review's judgements
    comments: list = field(default_factory=list)  # and its comments on passages
    conflict: Review | None = None  # what another tutor saved first
    late_feedback: str | None = None  # written after the release: shown back, not saved
    saved_draft: bool = False  # saved, but the release it was sent for did not happen


def review_page(request, submission: Submission, admin_context: dict, queue):
    """The marking page for ``submission``; ``queue`` is every essay this
    person may see (the admin's rows), from which the next one is chosen."""
    page = _load(request, submission)
    if request.method != "POST":
        if page.can_review:
            services.claim(submission, request.user)
        announce_work_read(request.user, submission.learner, "essay", submission.pk)
    elif "_moderate" in request.POST and page.can_moderate:
        if (done := _moderate(request, page)) is not None:
            return done
    elif page.can_review:
        if (done := _save_review(request, page, queue)) is not None:
            return done
    elif "feedback" in request.POST and services.may_review(request.user):
        # Released (by someone else, or by a second click) while this tutor
        # was writing: nothing can change now, but their text is shown back.
        page.late_feedback = request.POST.get("feedback", "")
        messages.warning(request, _released_meanwhile(page.review))
    else:
        raise PermissionDenied
    context = {**admin_context, **_context(request, page, queue)}
    return TemplateResponse(request, TEMPLATE, context)


def _load(request, submission) -> ReviewPage:
    review = getattr(submission, "review", None)
    moderation = (
        Moderation.objects.filter(review=review).select_related("moderator").first()
        if review
        else None
    )
    criteria = services.criteria_of(submission.assignment)
    results = list(review.criterion_results.all()) if review else []
    comments = list(review.passage_comments.all()) if review else []
    judgements = {r.criterion_id: services.Judgement(r.judgement, r.comment) for r in results}
    return ReviewPage(
        submission=submission,
        review=review,
        moderation=moderation,
        can_review=services.can_review(request.user, submission),
        can_moderate=services.can_moderate(request.user, moderation),
        criteria=criteria,
        review_form=ReviewForm(
            initial=ReviewForm.initial_for(review, criteria, judgements), criteria=criteria
        ),
        passage_formset=PassageFormSet(
            initial=[
                {"start": c.start, "end": c.end, "passage": c.passage, "comment": c.comment}
                for c in comments
            ],
            prefix=PASSAGES_PREFIX,  # unbound: nothing to check, no essay text needed
        ),
        moderation_form=ModerationForm(results=results),
        results=results,
        comments=comments,
    )


def _plain(submission) -> str:
    return passages.plain_text(submission.text_html)


# ---------------------------------------------------------------- saving


def _moderate(request, page: ReviewPage):
    page.moderation_form = form = ModerationForm(request.POST, results=page.moderation_form.results)
    if not form.is_valid():
        return None
    try:
        services.moderate(
            page.moderation,
            request.user,
            form.cleaned_data["agrees"],
            form.cleaned_data["comment"],
            criterion_decisions=form.criterion_decisions,
        )
    except services.AssessmentError as error:
        form.add_error("comment", str(error))
        return None
    messages.info(request, "Your moderation is recorded.")
    return HttpResponseRedirect(request.path)


def _save_review(request, page: ReviewPage, queue):
    releasing = "_release" in request.POST
    page.review_form = form = ReviewForm(request.POST, criteria=page.criteria)
    formset = None
    # A form sent without the comments' management fields (an old page, a
    # script) leaves the comments on passages as they are.
    if f"{PASSAGES_PREFIX}-TOTAL_FORMS" in request.POST:
        page.passage_formset = formset = PassageFormSet(
            request.POST, plain=_plain(page.submission), prefix=PASSAGES_PREFIX
        )
    valid = form.is_valid()
    if formset is not None:
        valid = formset.is_valid() and valid
    if not valid:
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
            outcome_reason=data["outcome_reason"],
            judgements=form.judgements,
            passage_comments=formset.drafts if formset is not None else None,
        )
    except services.ReviewConflict as error:
        page.conflict = error.theirs
        # Keep this tutor's text in the form; the next save knowingly
        # replaces the other tutor's.
        _keep_typing(form, error.theirs.version)
        messages.error(request, str(error))
        return None
    except services.AssessmentError as error:
        messages.error(request, str(error))
        return None
    if not releasing:
        messages.info(request, "Feedback saved as a draft: the learner can’t see it yet.")
        return HttpResponseRedirect(request.path)
    # Saved: whatever stops the release now, the next save starts from here.
    page.review = review
    page.saved_draft = True
    _keep_typing(form, review.version)
    if not form.check_release():
        return None  # the summary at the top says it is saved, and what is missing
    try:
        services.release(review, request.user, site_url=request.build_absolute_uri("/"))
    except services.AssessmentError as error:
        messages.error(request, f"{error} Your feedback is saved as a draft.")
        return None
    following = services.next_to_review(queue, request.user, after=page.submission)
    if following is None:
        messages.info(
            request,
            "Feedback released. The learner has been told by email. "
            "No other essay is waiting for you.",
        )
        return HttpResponseRedirect(queue_url())
    messages.info(
        request,
        "Feedback released. The learner has been told by email. "
        "This is the next essay waiting in the queue.",
    )
    return HttpResponseRedirect(_change_url(following))


def _keep_typing(form: ReviewForm, version: int) -> None:
    """Show the form again as typed, from review version ``version``."""
    form.data = form.data.copy()
    form.data["base_version"] = str(version)


def queue_url() -> str:
    """The tutors' queue of essays waiting (assessments/queue.py)."""
    return reverse("admin:assessments_submission_queue")


def _change_url(submission) -> str:
    return reverse("admin:assessments_submission_change", args=[submission.pk])


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


# ---------------------------------------------------------------- showing


@dataclass
class PassageRow:
    """A comment on a passage as the panel lists it: numbered in the
    essay's order, as its mark in the essay is."""

    number: int | None
    form: object
    start: int | None
    end: int | None
    passage: str
    comment: str


@dataclass
class HistoryLine:
    at: object
    who: str
    what: str


@dataclass
class Facts:
    """The header's plain words about the essay."""

    submitted: str
    lateness: str
    words: str
    asks: str
    range_flag: str
    claim_mine: bool
    claim_holder: str
    claim_since: str


@dataclass
class Attempt:
    """An earlier attempt, with its feedback, one click away."""

    submission: Submission
    review: Review | None
    essay_html: str
    words: str = ""
    results: list = field(default_factory=list)
    comments: list = field(default_factory=list)


def passage_rows(formset) -> list[PassageRow]:
    """The formset's comments in the essay's order, numbered like their
    marks; then those not placed (an error to put right, one to remove),
    and last the empty form for a new one."""
    located, others, blank = [], [], []
    for form in formset.forms:
        row = _row(form)
        if row.number == 0:
            located.append(row)
        elif row.passage.strip() or row.comment.strip():
            others.append(row)
        else:
            blank.append(row)
    located.sort(key=lambda row: (row.start, row.end))
    for number, row in enumerate(located, start=1):
        row.number = number
    return located + others + blank


def _row(form) -> PassageRow:
    """A form as a row; its number is 0 (to be given) when it is in place."""
    if not form.is_bound:
        initial = form.initial
        start, end = initial.get("start"), initial.get("end")
        number = 0 if start is not None else None
        return PassageRow(
            number, form, start, end, initial.get("passage", ""), initial.get("comment", "")
        )
    cleaned = getattr(form, "cleaned_data", None) or {}
    in_place = not form.errors and not form.is_blank and not cleaned.get("DELETE")
    comment = form["comment"].value() or ""
    if in_place and cleaned.get("start") is not None:
        return PassageRow(0, form, cleaned["start"], cleaned["end"], cleaned["passage"], comment)
    start, end = _number(form["start"].value()), _number(form["end"].value())
    return PassageRow(None, form, start, end, form["passage"].value() or "", comment)


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def marked_essay(html: str, comments, id_prefix: str = "passage") -> str:
    """The essay with each commented passage marked and numbered
    (passages.mark_passages); ``comments`` have start, end and comment."""
    mark = getattr(passages, "mark_passages", None)
    if mark is None or not comments:
        return html
    return mark(html, comments, id_prefix=id_prefix)


def history(submission) -> list[HistoryLine]:
    """The attempt's changes of state, each as a sentence."""
    lines = []
    for change in submission.status_changes.select_related("actor"):
        who = display_name(change.actor) if change.actor else "Someone"
        lines.append(HistoryLine(change.at, who, _what_happened(change, submission)))
    return lines


def _what_happened(change, submission) -> str:
    attempt = submission.attempt
    if change.to_status == Status.DRAFT and not change.from_status:
        if change.note.startswith("New attempt"):
            return (
                f"opened attempt {attempt} for the learner, after the feedback on attempt "
                f"{attempt - 1}"
            )
        return f"started writing attempt {attempt}"
    if change.from_status == Status.DRAFT and change.to_status == Status.SUBMITTED:
        return f"submitted attempt {attempt}" + (" (late)" if change.note == "Late" else "")
    if change.from_status == Status.SUBMITTED and change.to_status in (
        Status.PASSED,
        Status.REFERRED,
    ):
        outcome = "Pass" if change.to_status == Status.PASSED else "Refer"
        return f"released the feedback: {outcome}"
    what = f"changed the status from “{change.from_label}” to “{change.to_label}”"
    return what + (f" ({change.note})" if change.note else "")


def facts(submission, user) -> Facts:
    range_ = services.word_range(submission)
    flag = ""
    if range_.count < range_.low:
        flag = "below the word range"
    elif range_.count > range_.high:
        flag = "above the word range"
    holder = None
    if submission.status == Status.SUBMITTED and submission.claimed_by_id is not None:
        # Just claimed by this person: no need to load them again.
        mine = submission.claimed_by_id == user.pk
        holder = user if mine else submission.claimed_by
    since = ""
    if holder is not None and submission.claimed_at:
        since = _when(submission.claimed_at, short=True)
    return Facts(
        submitted=_when(submission.submitted_at) if submission.submitted_at else "",
        lateness=_lateness(submission),
        words=f"{range_.count:,} word{'' if range_.count == 1 else 's'}",
        asks=f"asks {range_.low:,}–{range_.high:,}",
        range_flag=flag,
        claim_mine=holder is not None and holder.pk == user.pk,
        claim_holder=display_name(holder) if holder is not None else "",
        claim_since=since,
    )


def _when(moment, short=False) -> str:
    """'3 March 2026 at 10:42'; with ``short``, only the time when it is today."""
    local = timezone.localtime(moment)
    if short and local.date() == timezone.localdate():
        return f"{local:%H:%M}"
    return f"{local:%-d %B %Y at %H:%M}"


def _lateness(submission) -> str:
    if not submission.is_late or not submission.submitted_at:
        return ""
    due = submission.due_on
    if due is None:
        return "late"
    submitted_on = timezone.localdate(submission.submitted_at)
    days = (submitted_on - due).days
    late = f"{days} day{'' if days == 1 else 's'} late" if days >= 1 else "late"
    due_text = f"{due:%-d %B}" if due.year == submitted_on.year else f"{due:%-d %B %Y}"
    return f"{late} (due {due_text})"


def earlier_attempts(submission) -> list[Attempt]:
    rows = (
        Submission.objects.for_learner(submission.learner, submission.assignment)
        .submitted()
        .exclude(pk=submission.pk)
        .select_related("review__tutor")
        .prefetch_related(
            Prefetch(
                "review__criterion_results",
                queryset=CriterionResult.objects.order_by("order", "pk"),
            ),
            Prefetch("review__passage_comments", queryset=PassageComment.objects.all()),
        )
    )
    attempts = []
    for row in rows:
        review = getattr(row, "review", None)
        released = review if review is not None and review.is_released else None
        comments = list(released.passage_comments.all()) if released else []
        attempts.append(
            Attempt(
                submission=row,
                review=released,
                essay_html=marked_essay(row.text_html, comments, f"attempt{row.attempt}-passage"),
                words=f"{row.word_count:,} word{'' if row.word_count == 1 else 's'}",
                results=list(released.criterion_results.all()) if released else [],
                comments=comments,
            )
        )
    return attempts


def _context(request, page: ReviewPage, queue) -> dict:
    submission = page.submission
    learner = submission.learner
    review = page.review
    form = page.review_form
    rows = passage_rows(page.passage_formset) if page.can_review else []
    # The essay is marked with the comments the panel lists: as typed for
    # the tutor writing them, as saved for everyone else.
    marks = [row for row in rows if row.number is not None] if page.can_review else page.comments
    shown_review = (
        review if review is not None and (review.is_released or not page.can_review) else None
    )
    suggested = _suggested(form)
    outcome = form["outcome"].value() or ""
    may_review = services.may_review(request.user)
    following = (
        services.next_to_review(queue, request.user, after=submission) if may_review else None
    )
    return {
        "errors": error_summary(page),
        "saved_as_draft": page.saved_draft,
        # The feedback as typed, rendered as saving it would store it.
        "feedback_preview": preview_html(form["feedback"].value(), Review.markdown_profile),
        "title": f"{display_name(learner)}: "
        f"assignment {submission.assignment.number}, attempt {submission.attempt}",
        "submission": submission,
        "facts": facts(submission, request.user),
        "essay_html": marked_essay(submission.text_html, marks),
        "review": review,
        "shown_review": shown_review,
        "shown_results": page.results if shown_review else [],
        "shown_comments": marks if shown_review else [],
        "review_form": form,
        "passage_formset": page.passage_formset,
        "passage_rows": rows,
        "criteria": page.criteria,
        "suggested_outcome": Review.Outcome(suggested).label if suggested else "",
        "outcome_follows_criteria": not outcome or outcome == suggested,
        "can_review": page.can_review,
        "conflict": page.conflict,
        "late_feedback": page.late_feedback,
        "moderation": page.moderation,
        "moderation_decisions": list(page.moderation.criterion_decisions.select_related("result"))
        if page.moderation is not None and page.moderation.is_decided
        else [],
        "moderation_form": page.moderation_form,
        "can_moderate": page.can_moderate,
        "earlier_attempts": earlier_attempts(submission),
        "history": history(submission),
        "snippets": list(FeedbackSnippet.objects.filter(tutor=request.user))
        if page.can_review
        else [],
        "snippet_form": SnippetForm(prefix="snippet"),
        "next_essay_url": _change_url(following) if following is not None else "",
        "queue_url": queue_url(),
    }


def error_summary(page: ReviewPage) -> list[tuple[str, str]]:
    """Every error on the page as (the id of its field, the words), for the
    summary at the top that links to each."""
    items = []
    form = page.review_form
    criteria_by_name = {}
    for criterion in form.criteria:
        criteria_by_name[form.judgement_name(criterion)] = criterion.text
        criteria_by_name[form.comment_name(criterion)] = f"Comment on “{criterion.text}”"
    for name, errors in form.errors.items():
        if name == "__all__":
            items += [("", error) for error in errors]
            continue
        label = criteria_by_name.get(name) or form[name].label
        items += [(_anchor(form[name]), f"{label}: {error}") for error in errors]
    formset = page.passage_formset
    if formset.is_bound:
        items += [("", error) for error in formset.non_form_errors()]
        numbers = {id(row.form): index for index, row in enumerate(passage_rows(formset), 1)}
        for passage_form in formset.forms:
            for name, errors in passage_form.errors.items():
                target = passage_form[name if name != "__all__" else "comment"]
                where = f"Comment on a passage ({numbers.get(id(passage_form), '')})"
                items += [(_anchor(target), f"{where}: {error}") for error in errors]
    moderation = page.moderation_form
    if moderation.is_bound:
        names = {f"result_{r.pk}": r.criterion_text for r in moderation.results}
        names.update(
            {
                f"result_{r.pk}_comment": f"Why you disagree on “{r.criterion_text}”"
                for r in moderation.results
            }
        )
        names.update({"agrees": "Your decision", "comment": "Your comment"})
        for name, errors in moderation.errors.items():
            target = _anchor(moderation[name]) if name in moderation.fields else ""
            items += [(target, f"{names.get(name, name)}: {error}") for error in errors]
    return items


def _anchor(bound_field) -> str:
    """The id a link to the field goes to: a group of radio buttons has no
    label of its own, so its first button."""
    return bound_field.id_for_label or f"{bound_field.auto_id}_0"


def _suggested(form: ReviewForm) -> str:
    if form.is_bound:
        if not hasattr(form, "cleaned_data"):
            return ""
        return form.suggested
    judgements = [
        services.Judgement(form.initial.get(form.judgement_name(c), "")) for c in form.criteria
    ]
    return services.suggested_outcome(judgements)
