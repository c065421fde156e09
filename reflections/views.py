from itertools import groupby

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from courses.learner.access import learner_page
from peersupport.writing import (
    NUL_TAKEN_OUT,
    WritingConflict,
    conflict,
    is_autosave,
    refused,
    saved,
    without_nul,
)
from reflections.export import journal_markdown
from reflections.forms import ReflectionForm
from reflections.models import Reflection, ReflectionPrompt
from reflections.services import save_answer


def _answerable_prompt(request, prompt_id) -> ReflectionPrompt:
    """A prompt this learner may answer now; 404 for anything else."""
    if request.access.is_preview:
        raise Http404("Staff previews do not save answers.")
    prompt = request.access.structure.prompt_by_id.get(prompt_id)
    if prompt is None:
        raise Http404("No such question.")
    if not request.access.is_open(prompt.session):
        raise Http404("This session has not opened yet.")
    return prompt


@require_POST
@sensitive_post_parameters("text")
@never_cache
@learner_page
def answer(request, prompt_id):
    """Save an answer: autosave (JSON, from static/js/autosave.js) or a plain form POST."""
    prompt = _answerable_prompt(request, prompt_id)
    existing = Reflection.objects.filter(learner=request.user, prompt=prompt).first()
    form = ReflectionForm(request.POST, instance=existing)
    if not form.is_valid():
        if is_autosave(request):
            return refused([e for errs in form.errors.values() for e in errs])
        # Without JavaScript: the same message on a page with the text in a
        # box, to save again (a NUL, which nobody types, taken out of it).
        sent = request.POST.get("text", "")
        return render(
            request,
            "reflections/answer_error.html",
            {
                "form": form,
                "prompt": prompt,
                "back": prompt.page_url,
                "text": without_nul(sent),
                "nul_taken_out": NUL_TAKEN_OUT if "\x00" in sent else "",
            },
            status=400,
        )
    data = form.cleaned_data
    try:
        reflection = save_answer(
            request.user, prompt, data["text"], data["shared_with_tutor"], data["version"]
        )
    except WritingConflict as error:
        if is_autosave(request):
            return conflict(error)
        return render(
            request,
            "writing_conflict.html",
            {
                "error": error,
                "title": "Your answer",
                "question_html": prompt.text_html,
                "action": prompt.answer_url,
                "mine": data["text"],
                "mine_shared": data["shared_with_tutor"],
                "back": prompt.page_url,
            },
            status=409,
        )
    if is_autosave(request):
        return saved(
            reflection.text,
            reflection.updated_at,
            reflection.version,
            shared=reflection.shared_with_tutor,
        )
    saved_at = timezone.localtime(reflection.updated_at)
    messages.success(request, f"Your answer was saved at {saved_at:%H:%M}.")
    return redirect(prompt.page_url)


@never_cache
@learner_page
def journal(request):
    structure = request.access.structure
    written = {
        reflection.prompt_id: reflection
        for reflection in Reflection.objects.filter(
            learner=request.user, prompt_id__in=structure.prompt_by_id
        )
        .written()
        .defer("text")  # the page shows the rendered answer only
    }
    in_course_order = []
    for prompt in structure.prompts_in_order():
        if (reflection := written.get(prompt.pk)) is not None:
            reflection.prompt = prompt  # the course's copy: no query per answer
            in_course_order.append(reflection)
    sessions = [
        (session, list(answers))
        for session, answers in groupby(in_course_order, key=lambda r: r.prompt.session)
    ]
    return render(request, "reflections/journal.html", {"sessions": sessions})


@never_cache
@learner_page
def journal_export(request):
    reflections = Reflection.objects.filter(learner=request.user).written().in_course_order()
    response = HttpResponse(
        journal_markdown(request.user, reflections), content_type="text/markdown; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-journal-{stamp}.md"'
    return response


@never_cache
@sensitive_post_parameters()
@learner_page
def delete_answer(request, pk):
    reflection = get_object_or_404(
        Reflection.objects.select_related("prompt__session", "prompt__lesson"),
        pk=pk,
        learner=request.user,
    )
    if request.method == "POST":
        reflection.delete()
        messages.success(request, "Your answer was deleted.")
        return redirect("journal")
    return render(request, "reflections/delete_answer.html", {"reflection": reflection})
