from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from completion.models import Attendance
from courses.learner.access import learner_page
from peersupport.writing import private_file_response
from reflections.services import PromptAnswer, prompt_answers
from sessions.models import ExerciseFile, Session, SessionCompletion


def _get_session(request, number: int) -> Session:
    session = request.access.structure.session_by_number.get(number)
    if session is None:
        raise Http404("No such session.")
    return session


def _not_open_yet(request, session, lesson=None):
    """What a learner sees of a session before its opening date: only the
    date, and a way to send apologies in advance."""
    return render(
        request,
        "sessions/not_open.html",
        {
            "session": session,
            "lesson": lesson,
            "opens_on": request.access.opens_on(session),
            "attendance": _attendance(request, session),
        },
    )


def _attendance(request, session) -> Attendance | None:
    """The learner's mark for ``session`` (their apologies, or the register's)."""
    if request.access.is_preview:
        return None
    return Attendance.objects.filter(
        enrolment_id=request.access.enrolment_id, session=session
    ).first()


def _prompts_with_answers(request, prompts):
    if request.access.is_preview:  # staff see the questions, with nothing to answer
        return [PromptAnswer(prompt, None) for prompt in prompts]
    return prompt_answers(request.user, prompts)


@never_cache  # the page carries the learner's own answers
@learner_page
def session_detail(request, number):
    session = _get_session(request, number)
    if not request.access.is_open(session):
        return _not_open_yet(request, session)
    structure = request.access.structure
    return render(
        request,
        "sessions/session_detail.html",
        {
            "session": session,
            "lessons": structure.lessons.get(session.pk, []),
            "prompts": _prompts_with_answers(
                request, structure.session_prompts.get(session.pk, [])
            ),
            "is_completed": SessionCompletion.objects.filter(
                learner=request.user, session=session
            ).exists(),
            "attendance": _attendance(request, session),
        },
    )


@never_cache
@learner_page
def lesson_detail(request, number, slug):
    structure = request.access.structure
    lesson = structure.lesson_by_address.get((number, slug))
    if lesson is None:
        raise Http404("No such lesson.")
    if not request.access.is_open(lesson.session):
        return _not_open_yet(request, lesson.session, lesson)
    return render(
        request,
        "sessions/lesson_detail.html",
        {
            "session": lesson.session,
            "lesson": lesson,
            "exercise_files": structure.exercise_files.get(lesson.pk, []),
            "prompts": _prompts_with_answers(request, structure.lesson_prompts.get(lesson.pk, [])),
        },
    )


@require_POST
@learner_page
def session_completion(request, number):
    """Mark a session complete (completed=1) or not complete (completed=0)."""
    session = _get_session(request, number)
    if not request.access.is_open(session):
        messages.error(request, "This session has not opened yet, so it can’t be completed.")
    elif request.POST.get("completed") == "1":
        SessionCompletion.objects.get_or_create(learner=request.user, session=session)
        messages.success(request, f"Session {session.number} is marked as complete. Well done.")
    else:
        SessionCompletion.objects.filter(learner=request.user, session=session).delete()
        messages.info(request, f"Session {session.number} is no longer marked as complete.")
    return redirect(session)


@learner_page
def exercise_file_download(request, number, slug, pk):
    exercise_file = get_object_or_404(
        ExerciseFile.objects.select_related("lesson__session"),
        pk=pk,
        lesson__slug=slug,
        lesson__session__number=number,
        lesson__session__course=request.access.course,
    )
    if not request.access.is_open(exercise_file.lesson.session):
        raise Http404("This session has not opened yet.")
    return private_file_response(
        exercise_file.file, exercise_file.filename, exercise_file.content_type
    )
