from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from courses.models import Course
from reflections.models import ReflectionPrompt
from sessions.models import ExerciseFile, Lesson, Session, SessionCompletion


def _current_course():
    course = Course.objects.current()
    if course is None:
        raise Http404("The course has not been set up yet.")
    return course


def _get_session(number: int) -> Session:
    return get_object_or_404(Session, course=_current_course(), number=number)


def session_detail(request, number):
    session = _get_session(number)
    return render(
        request,
        "sessions/session_detail.html",
        {
            "session": session,
            "lessons": list(session.lessons.only("pk", "session_id", "slug", "title", "order")),
            "prompts": list(session.prompts.filter(lesson=None)),
            "is_completed": SessionCompletion.objects.filter(
                learner=request.user, session=session
            ).exists(),
        },
    )


def lesson_detail(request, number, slug):
    lesson = get_object_or_404(
        Lesson.objects.select_related("session"),
        session__course=_current_course(),
        session__number=number,
        slug=slug,
    )
    return render(
        request,
        "sessions/lesson_detail.html",
        {
            "session": lesson.session,
            "lesson": lesson,
            "exercise_files": list(lesson.exercise_files.all()),
            "prompts": list(ReflectionPrompt.objects.filter(lesson=lesson)),
        },
    )


@require_POST
def session_completion(request, number):
    """Mark a session complete (completed=1) or not complete (completed=0)."""
    session = _get_session(number)
    if request.POST.get("completed") == "1":
        SessionCompletion.objects.get_or_create(learner=request.user, session=session)
        messages.success(request, f"Session {session.number} is marked as complete. Well done.")
    else:
        SessionCompletion.objects.filter(learner=request.user, session=session).delete()
        messages.info(request, f"Session {session.number} is no longer marked as complete.")
    return redirect(session)


def exercise_file_download(request, number, slug, pk):
    exercise_file = get_object_or_404(
        ExerciseFile,
        pk=pk,
        lesson__slug=slug,
        lesson__session__number=number,
        lesson__session__course=_current_course(),
    )
    try:
        handle = exercise_file.file.open("rb")
    except FileNotFoundError:
        raise Http404("This file is missing; please let your course coordinator know.") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=exercise_file.filename,
        content_type=exercise_file.content_type or "application/octet-stream",
    )
