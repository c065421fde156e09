from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from assessments import services
from assessments.attachments import (
    AttachmentError,
    check_attachment,
    display_name,
    too_large_message,
)
from assessments.forms import AttachmentForm, DraftForm, SubmitForm
from assessments.models import ATTACHMENT_MAX_BYTES, Assignment, Submission, count_words
from assessments.status import state_of
from courses.learner import dates
from courses.learner.access import learner_page
from peersupport.rendering import render_learner_markdown
from peersupport.storage import UploadStorageError
from peersupport.uploads import refused_upload, upload_limit
from peersupport.writing import (
    NUL_TAKEN_OUT,
    WritingConflict,
    conflict,
    is_autosave,
    private_file_response,
    refused,
    saved,
    without_nul,
)


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
    return render(
        request, "assessments/assignment_detail.html", _detail_context(request, assignment)
    )


def _detail_context(request, assignment, refused_text=None, errors=(), base_version=None):
    """What the assignment page shows. After a refused save without
    JavaScript, ``refused_text`` is what the learner sent: it goes back in the
    box (or, if the essay can no longer change, beside it to copy), with
    ``errors`` saying why it was not saved."""
    attempts = []
    if not request.access.is_preview:
        attempts = list(
            Submission.objects.for_learner(request.user, assignment).select_related("review")
        )
        for attempt in attempts:
            attempt.assignment = assignment  # the course's copy: no query per attempt
    current = attempts[-1] if attempts else None
    draft = current if current and current.is_draft else None
    due_on = dates.deadline(request.access, assignment, current)
    # The editor shows for a draft, and before the first save (which starts one).
    editing = not request.access.is_preview and (current is None or current.is_draft)
    box_text = draft.text if draft else ""
    if refused_text is not None and editing:
        box_text = refused_text
    return {
        "assignment": assignment,
        "attempts": attempts,
        "earlier_attempts": [a for a in attempts if not a.is_draft],
        "draft": draft,
        "editing": editing,
        "box_text": box_text,
        "box_words": count_words(box_text) if refused_text is not None else None,
        "box_version": base_version
        if base_version is not None
        else (draft.version if draft else 0),
        "draft_errors": list(errors),
        # Refused, and the essay can no longer change (submitted from elsewhere).
        "unsaved_text": refused_text if refused_text is not None and not editing else None,
        "state": state_of(attempts),
        "due_on": due_on,
        "is_past_due": dates.is_past(due_on),
        "range": services.word_range(current) if current else None,
        "draft_form": DraftForm(initial={"text": box_text}),
        "attachment_form": AttachmentForm(),
        "submit_form": SubmitForm(),
    }


def _refused_draft(request, assignment, errors, status):
    """The page again, without JavaScript, with the text that was sent in the
    box and why it was not saved: nothing typed is lost."""
    sent = request.POST.get("text", "")
    if "\x00" in sent:
        errors = [*errors, NUL_TAKEN_OUT]
    text = without_nul(sent).replace("\r\n", "\n")
    version = request.POST.get("version", "")
    context = _detail_context(
        request,
        assignment,
        refused_text=text,
        errors=errors,
        base_version=int(version) if version.isdigit() and len(version) < 10 else None,
    )
    return render(request, "assessments/assignment_detail.html", context, status=status)


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
        return render(
            request,
            "writing_conflict.html",
            {
                "error": error,
                "title": "Your essay",
                "action": reverse("assignment_draft", args=[number]),
                "mine": text,
                "back": reverse("assignment_detail", args=[number]),
            },
            status=409,
        )
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
            messages.error(request, "Please choose a file to attach.")
            return redirect("assignment_detail", number)
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
        messages.error(request, str(error))
        return redirect("assignment_detail", number)
    messages.success(request, f"“{draft.attachment_name}” is attached to your draft.")
    return redirect("assignment_detail", number)


@require_POST
@learner_page
def submit(request, number):
    _learner_only(request)
    assignment = _assignment(request, number)
    form = SubmitForm(request.POST)
    form.is_valid()  # two optional tick boxes: always valid
    try:
        submission = services.submit(
            request.user,
            assignment,
            declaration=form.cleaned_data.get("declaration", False),
            outside_range_ok=form.cleaned_data.get("outside_range_ok", False),
            attempt=form.cleaned_data.get("attempt"),
        )
    except services.AssessmentError as error:
        messages.error(request, str(error))
        return redirect("assignment_detail", number)
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
