from dataclasses import dataclass

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from assessments import passages, services
from assessments.attachments import (
    AttachmentError,
    check_attachment,
    display_name,
    too_large_message,
)
from assessments.forms import AttachmentForm, DraftForm, SubmitForm
from assessments.models import (
    ATTACHMENT_MAX_BYTES,
    Assignment,
    CriterionResult,
    PassageComment,
    Review,
    Submission,
    count_words,
)
from assessments.status import state_of
from courses.learner import dates
from courses.learner.access import learner_page
from peersupport.people import display_name as person_name
from peersupport.rendering import render_learner_markdown
from peersupport.storage import UploadStorageError
from peersupport.uploads import refused_upload, upload_limit
from peersupport.writing import (
    NUL_TAKEN_OUT,
    WritingConflict,
    conflict,
    is_autosave,
    is_blank,
    private_file_response,
    refused,
    saved,
    without_nul,
)

# Where each field a learner can get wrong is on the page (its element's id),
# for the error summary's links.
FIELD_IDS = {
    "text": "essay-text",
    "file": "essay-file",
    "declaration": "declaration",
    "outside_range_ok": "outside-range",
}
TICK_BOXES = ("declaration", "outside_range_ok")
# The order the fields come in on the page, which the summary follows;
# problems with no field come last (they are shown by the Submit button).
PAGE_ORDER = ["text", "file", "outside_range_ok", "declaration", None]


@dataclass(frozen=True)
class Problem:
    """Something the learner needs to put right: shown beside ``field`` (a
    key of FIELD_IDS) and in the summary at the top, or, with no field, in
    the summary and beside the Submit button."""

    message: str
    field: str | None = None

    @property
    def anchor(self) -> str:
        return FIELD_IDS.get(self.field, "")


@dataclass(frozen=True)
class Feedback:
    """Released feedback on one attempt, as its learner reads it."""

    review: Review
    tutor_name: str
    criteria: list[CriterionResult]  # in the assignment's order
    passage_comments: list[PassageComment]  # in the essay's order, numbered from 1
    # The attempt's essay with each commented passage highlighted and its
    # comment after it (assessments/passages.py): sanitised HTML, escaped notes.
    essay_html: str
    # (number, comment) of each comment whose passage could not be shown in
    # the essay: listed apart, never lost.
    unplaced: list[tuple[int, PassageComment]]

    @property
    def criteria_met(self) -> int:
        return sum(1 for result in self.criteria if result.is_met)


def feedback_on(attempt: Submission) -> Feedback | None:
    """What the learner reads of the feedback on ``attempt``: nothing at all
    until it is released. Its review's criterion results and passage
    comments are prefetched (see _detail_context)."""
    review = getattr(attempt, "review", None)
    if review is None or not review.is_released:
        return None
    comments = list(review.passage_comments.all())
    marked = passages.marked(
        attempt.text_html, comments, id_prefix=f"attempt-{attempt.attempt}-passage"
    )
    return Feedback(
        review=review,
        tutor_name=person_name(review.tutor),
        criteria=list(review.criterion_results.all()),
        passage_comments=comments,
        essay_html=marked.html,
        unplaced=[(number, comments[number - 1]) for number in marked.skipped],
    )


def _refused_key(assignment) -> str:
    return f"assignment-{assignment.pk}-refused"


def _refuse(request, assignment, problems: list[Problem], ticked=()):
    """Back to the assignment's page (a GET, so reloading it sends nothing
    again), which shows ``problems`` once, with the boxes the learner had
    ticked still ticked."""
    request.session[_refused_key(assignment)] = {
        "problems": [[problem.field, problem.message] for problem in problems],
        "ticked": [name for name in ticked if name in TICK_BOXES],
    }
    return redirect("assignment_detail", assignment.number)


def _assignment(request, number) -> Assignment:
    assignment = request.access.structure.assignment_by_number.get(number)
    if assignment is None:
        raise Http404("No such assignment.")
    return assignment


def _learner_only(request):
    if request.access.is_preview:
        raise Http404("Staff previews do not write essays.")


@never_cache
@learner_page
def assignment_detail(request, number):
    assignment = _assignment(request, number)
    # What a refused Submit or attachment left to show, once (see _refuse).
    refused = request.session.pop(_refused_key(assignment), None) or {}
    problems = [Problem(message, field) for field, message in refused.get("problems", [])]
    return render(
        request,
        "assessments/assignment_detail.html",
        _detail_context(request, assignment, problems=problems, ticked=refused.get("ticked", ())),
    )


def _detail_context(
    request, assignment, refused_text=None, problems=(), base_version=None, ticked=()
):
    """What the assignment page shows. After a refused save without
    JavaScript, ``refused_text`` is what the learner sent: it goes back in the
    box (or, if the essay can no longer change, beside it to copy).
    ``problems`` say what was refused and why, and ``ticked`` the tick boxes
    the learner had ticked, which stay ticked."""
    attempts = []
    if not request.access.is_preview:
        attempts = list(
            Submission.objects.for_learner(request.user, assignment).select_related("review__tutor")
        )
        # The criteria's results and the comments on passages of released
        # reviews only (1 query each, when any is released): a draft's are
        # never read for the learner's page.
        released = [
            a.review for a in attempts if getattr(a, "review", None) and a.review.is_released
        ]
        prefetch_related_objects(released, "criterion_results", "passage_comments")
        for attempt in attempts:
            attempt.assignment = assignment  # the course's copy: no query per attempt
            attempt.feedback = feedback_on(attempt)
    current = attempts[-1] if attempts else None
    draft = current if current and current.is_draft else None
    submitted = [a for a in attempts if not a.is_draft]
    due_on = dates.deadline(request.access, assignment, current)
    # The editor shows for a draft, and before the first save (which starts one).
    editing = not request.access.is_preview and (current is None or current.is_draft)
    box_text = draft.text if draft else ""
    if refused_text is not None and editing:
        box_text = refused_text
    if not editing:
        # The fields are not on the page: the problems are the page's own.
        problems = [Problem(problem.message) for problem in problems]
    problems = sorted(problems, key=lambda problem: PAGE_ORDER.index(problem.field))
    field_errors = {}
    for problem in problems:
        field_errors.setdefault(problem.field or "page", []).append(problem.message)
    return {
        "assignment": assignment,
        "attempts": attempts,
        "earlier_attempts": submitted,
        "draft": draft,
        "editing": editing,
        # The brief is open until the learner has started (their first visit).
        "brief_open": not attempts,
        # The assessment criteria, with the brief (this process's copy of the course).
        "criteria": assignment.criteria_in_order,
        # The latest feedback comes first, until the next attempt is submitted.
        "feedback_first": submitted[-1] if submitted and submitted[-1].feedback else None,
        # The essay with the tutor's comments is open at the top, unless the
        # next attempt's editor follows it (then it is a click away).
        "feedback_essay_open": not editing,
        # From 992 px, comments on passages stand in a margin beside the essay.
        "margin_notes": any(a.feedback and a.feedback.passage_comments for a in submitted),
        "length": f"{assignment.min_words:,}–{assignment.max_words:,} words",
        "box_text": box_text,
        "box_words": count_words(box_text) if refused_text is not None else None,
        "box_version": base_version
        if base_version is not None
        else (draft.version if draft else 0),
        "problems": list(problems),
        "field_errors": field_errors,
        "ticked": set(ticked),
        # Refused, and the essay can no longer change (submitted from elsewhere).
        "unsaved_text": refused_text if refused_text is not None and not editing else None,
        "state": state_of(attempts),
        "due_on": due_on,
        "is_past_due": dates.is_past(due_on),
        "range": services.word_range(current) if current else None,
        # "Submit it anyway" is offered once a Submit outside the word range
        # asks for it (services.submit), not all the while an essay grows.
        "show_range_tick": bool(
            field_errors.get("outside_range_ok") or "outside_range_ok" in ticked
        ),
        "draft_form": DraftForm(initial={"text": box_text}),
        "attachment_form": AttachmentForm(),
        "submit_form": SubmitForm(),
    }


def _refused_draft(request, assignment, errors, status, ticked=()):
    """The page again, without JavaScript, with the text that was sent in the
    box and why it was not saved: nothing typed (or ticked) is lost."""
    sent = request.POST.get("text", "")
    if "\x00" in sent:
        errors = [*errors, NUL_TAKEN_OUT]
    text = without_nul(sent).replace("\r\n", "\n")
    version = request.POST.get("version", "")
    context = _detail_context(
        request,
        assignment,
        refused_text=text,
        problems=[Problem(error, "text") for error in errors],
        base_version=int(version) if version.isdigit() and len(version) < 10 else None,
        ticked=ticked,
    )
    return render(request, "assessments/assignment_detail.html", context, status=status)


def _conflict_page(request, assignment, error: WritingConflict, text: str):
    """Both versions, when another tab or device saved the essay in between."""
    return render(
        request,
        "writing_conflict.html",
        {
            "error": error,
            "title": "Your essay",
            "action": reverse("assignment_draft", args=[assignment.number]),
            "mine": text,
            "back": reverse("assignment_detail", args=[assignment.number]),
        },
        status=409,
    )


@require_POST
@sensitive_post_parameters("text")
@never_cache
@learner_page
def save_draft(request, number):
    """Autosave (JSON) or a plain form POST of the essay's draft."""
    _learner_only(request)
    assignment = _assignment(request, number)
    form = DraftForm(request.POST)
    wants_json = is_autosave(request)
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        if wants_json:
            return refused(errors)
        return _refused_draft(request, assignment, errors, status=400)
    text = form.cleaned_data["text"]
    try:
        if services.current_attempt(request.user, assignment) is None:
            services.start_draft(request.user, assignment)
        draft = services.save_draft(request.user, assignment, text, form.cleaned_data["version"])
    except WritingConflict as error:
        if wants_json:
            return conflict(error)
        return _conflict_page(request, assignment, error, text)
    except services.AssessmentError as error:
        if wants_json:
            return refused([str(error)], status=409)
        return _refused_draft(request, assignment, [str(error)], status=409)
    if wants_json:
        return saved(draft.text, draft.updated_at, draft.version, words=draft.word_count)
    messages.success(
        request, f"Your draft was saved at {timezone.localtime(draft.updated_at):%H:%M}."
    )
    return redirect("assignment_detail", number)


@require_POST
@sensitive_post_parameters("text")
@learner_page
def preview(request, number):
    """The draft rendered as the tutor will see it (the learner renderer)."""
    _learner_only(request)
    _assignment(request, number)
    return JsonResponse({"html": render_learner_markdown(request.POST.get("text", ""))})


@upload_limit(ATTACHMENT_MAX_BYTES)
@require_POST
@learner_page
def attachment(request, number):
    _learner_only(request)
    assignment = _assignment(request, number)
    try:
        if request.POST.get("action") == "remove":
            services.remove_file(request.user, assignment)
            messages.info(request, "The attached file was removed.")
            return redirect("assignment_detail", number)
        if (too_large := refused_upload(request, "file")) is not None:
            # Refused while it arrived (peersupport.uploads.UploadLimitHandler):
            # none of it was stored.
            raise AttachmentError(too_large_message(too_large.size if too_large.whole else None))
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            choose = Problem("Please choose a file to attach.", "file")
            return _refuse(request, assignment, [choose])
        upload = form.cleaned_data["file"]
        checked = check_attachment(upload)
        # A name with nothing usable in it ("....pdf", emoji only) is shown
        # as "essay.pdf"; no name can make attaching fail.
        upload.name = display_name(upload.name, checked)
        if services.current_attempt(request.user, assignment) is None:
            services.start_draft(request.user, assignment)
        draft = services.attach_file(request.user, assignment, upload, checked)
    except (AttachmentError, services.AssessmentError, UploadStorageError) as error:
        # The essay's text is untouched: it is saved separately (and kept in
        # the browser until saved).
        return _refuse(request, assignment, [Problem(str(error), "file")])
    messages.success(request, f"“{draft.attachment_name}” is attached to your draft.")
    return redirect("assignment_detail", number)


def _save_sent_text(request, assignment, attempt, ticked):
    """The Submit button belongs to the essay's form, so the box's text comes
    with it and is saved first: what is submitted is what the learner sees,
    with or without JavaScript, and a refusal loses nothing typed. None, or
    the page that says why the text could not be saved."""
    current = services.current_attempt(request.user, assignment)
    if current is not None and (not current.is_draft or attempt not in (None, current.attempt)):
        # Submitted already (a double click), or a page showing an earlier
        # attempt: services.submit says which, and the text is no draft's.
        return None
    form = DraftForm(request.POST)
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        return _refused_draft(request, assignment, errors, status=400, ticked=ticked)
    text = form.cleaned_data["text"]
    if current is None and is_blank(text):
        return None  # nothing to keep: services.submit says the essay is empty
    try:
        if current is None:
            services.start_draft(request.user, assignment)
        services.save_draft(request.user, assignment, text, form.cleaned_data["version"])
    except WritingConflict as error:
        return _conflict_page(request, assignment, error, text)
    except services.AssessmentError as error:
        return _refused_draft(request, assignment, [str(error)], status=409, ticked=ticked)
    return None


@require_POST
@sensitive_post_parameters("text")
@learner_page
def submit(request, number):
    _learner_only(request)
    assignment = _assignment(request, number)
    form = SubmitForm(request.POST)
    form.is_valid()  # two optional tick boxes: always valid
    ticked = [name for name in TICK_BOXES if form.cleaned_data.get(name)]
    attempt = form.cleaned_data.get("attempt")
    if "text" in request.POST and (
        refusal := _save_sent_text(request, assignment, attempt, ticked)
    ):
        return refusal
    try:
        submission = services.submit(
            request.user,
            assignment,
            declaration="declaration" in ticked,
            outside_range_ok="outside_range_ok" in ticked,
            attempt=attempt,
            site_url=request.build_absolute_uri("/"),
        )
    except services.SubmissionRefused as refusal:
        problems = [Problem(message, field) for field, message in refusal.problems.items()]
        return _refuse(request, assignment, problems, ticked)
    except services.AssessmentError as error:
        return _refuse(request, assignment, [Problem(str(error))], ticked)
    when = timezone.localtime(submission.submitted_at)
    messages.success(
        request,
        f"Your essay was submitted on {when:%-d %B %Y at %H:%M}. A receipt is on its way to "
        "your email.",
    )
    return redirect("assignment_detail", number)


@learner_page
def attempt_attachment(request, number, attempt):
    """The learner's own attached file; anyone else's is a 404."""
    _learner_only(request)
    submission = get_object_or_404(
        Submission,
        learner=request.user,
        assignment=_assignment(request, number),
        attempt=attempt,
    )
    return attachment_response(submission)


def attachment_response(submission: Submission):
    return private_file_response(
        submission.attachment, submission.attachment_name, submission.attachment_type
    )
