from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from completion.models import Attendance
from courses.learner.access import learner_page
from courses.learner.live import LiveSessionNow, live_session
from courses.player import (
    course_outline,
    first_page_after_session,
    last_page_of,
    learner_marks,
    neighbours,
    page_for,
    record_visit,
)
from peersupport.writing import private_file_response
from reflections.services import PromptAnswer, prompt_answers
from sessions.models import ExerciseFile, Session, SessionCompletion


def _get_session(request, number: int) -> Session:
    session = request.access.structure.session_by_number.get(number)
    if session is None:
        raise Http404("No such session.")
    return session


def _player(request, session, lesson=None) -> dict:
    """What every page of the course shows around its content: the outline,
    previous and next, and whether the session is complete. Records the
    learner's first view of the page."""
    access = request.access
    page = page_for(access, session, lesson)
    marks = learner_marks(request.user, access)
    if access.is_open(session):
        marks = record_visit(request.user, access, page, marks)
    previous_page, next_page = neighbours(access, page)
    return {
        "session": session,
        "lesson": lesson,
        "outline": course_outline(access, marks, current=page),
        "previous_page": previous_page,
        "next_page": next_page,
        "is_completed": session.pk in marks.completed,
        "ends_session": last_page_of(access, page),
        "session_after": first_page_after_session(access, session),
    }


def _not_open_yet(request, session, lesson=None):
    """What a learner sees of a session before its opening date: the date,
    its content note (so they can prepare), when and where it meets, and a
    way to send apologies."""
    return render(
        request,
        "sessions/not_open.html",
        {
            **_player(request, session, lesson),
            "opens_on": request.access.opens_on(session),
            "attendance": _attendance(request, session),
            "live": None if lesson else _live(request, session),
        },
    )


def _live(request, session) -> LiveSessionNow | None:
    """When and where ``session`` meets, and its online link when it may be
    shown (courses/learner/live.py). Learner pages show the learner's own
    cohort only; a staff preview has none (None)."""
    return LiveSessionNow.at(live_session(request.access, session), timezone.now())


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
            **_player(request, session),
            "lessons": structure.lessons.get(session.pk, []),
            "prompts": _prompts_with_answers(
                request, structure.session_prompts.get(session.pk, [])
            ),
            "attendance": _attendance(request, session),
            "live": _live(request, session),
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
            **_player(request, lesson.session, lesson),
            "exercise_files": structure.exercise_files.get(lesson.pk, []),
            "prompts": _prompts_with_answers(request, structure.lesson_prompts.get(lesson.pk, [])),
        },
    )


@require_POST
@learner_page
def session_completion(request, number):
    """Mark a session complete (completed=1), then go on to the next session;
    or not complete (completed=0), staying on the page the form was on (its
    ``lesson``, else the session's own page)."""
    session = _get_session(request, number)
    lesson = request.access.structure.lesson_by_address.get((number, request.POST.get("lesson")))
    here = lesson.page_url if lesson else session.page_url
    if not request.access.is_open(session):
        messages.error(request, "This session has not opened yet, so it can’t be completed.")
        return redirect(here)
    if request.POST.get("completed") != "1":
        SessionCompletion.objects.filter(learner=request.user, session=session).delete()
        messages.info(request, f"Session {session.number} is no longer marked as complete.")
        return redirect(here)
    SessionCompletion.objects.get_or_create(learner=request.user, session=session)
    following = first_page_after_session(request.access, session)
    if following is None:
        messages.success(
            request,
            f"Session {session.number} is marked as complete. "
            "That was the last session: well done.",
        )
        return redirect("dashboard")
    messages.success(
        request,
        f"Session {session.number} is marked as complete. Well done. "
        f"Here is session {following.session.number}.",
    )
    return redirect(following.url)


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
