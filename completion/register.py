"""The register of one session of one cohort, taken on a tablet or phone
during the session (inside the admin site).

Every learner of the cohort is on one screen, with large buttons. A tap saves
at once: with JavaScript (static/js/register.js) without reloading the page;
without it, the button posts the form and the page comes back where it was.
"Everyone present" marks all who have no mark yet, so the tutor only taps
the exceptions. A missed session signed off as caught up needs a short note.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from completion import services
from completion.models import Attendance
from courses.models import Cohort, Enrolment
from peersupport.people import display_name
from peersupport.roles import is_tutor
from peersupport.writing import is_autosave

TEMPLATE = "admin/completion/register.html"
Status = Attendance.Status


@dataclass(frozen=True)
class RegisterRow:
    enrolment: Enrolment
    attendance: Attendance | None

    @property
    def name(self) -> str:
        learner = self.enrolment.learner
        return display_name(learner)


def register_page(request, cohort: Cohort, number: int, admin_context: dict):
    session = cohort.course.sessions.filter(number=number).first()
    if session is None:
        raise Http404("No such session.")
    if request.method == "POST":
        return _mark(request, cohort, session)
    enrolments = list(
        cohort.enrolments.active()
        .select_related("learner")
        .order_by("learner__first_name", "learner__last_name", "pk")
    )
    marks = {
        attendance.enrolment_id: attendance
        for attendance in Attendance.objects.filter(enrolment__cohort=cohort, session=session)
    }
    rows = [RegisterRow(e, marks.get(e.pk)) for e in enrolments]
    context = {
        **admin_context,
        "title": f"Register: {cohort.name}, session {session.number}",
        "cohort": cohort,
        "session": session,
        "rows": rows,
        "statuses": [Status.PRESENT, Status.ABSENT, Status.APOLOGIES],
        "unmarked": sum(1 for row in rows if row.attendance is None),
        # Apology notes are for the learner's tutors only.
        "shows_apology_notes": is_tutor(request.user)
        and cohort.tutors.filter(pk=request.user.pk).exists(),
    }
    return TemplateResponse(request, TEMPLATE, context)


def _mark(request, cohort, session):
    wants_json = is_autosave(request)
    try:
        if request.POST.get("everyone") == "present":
            marked = services.mark_everyone_present(cohort, session, request.user)
            if wants_json:
                return JsonResponse({"saved": True, "marked": marked, "label": "Present"})
            messages.success(request, f"{len(marked)} learner(s) marked present.")
            return redirect(request.path)
        enrolment_id, _, status = request.POST.get("mark", "").partition(":")
        enrolment = (
            cohort.enrolments.active()
            .filter(pk=enrolment_id if enrolment_id.isdigit() else None)
            .first()
        )
        if enrolment is None:
            raise services.CompletionError("That learner is not in this cohort.")
        attendance = services.mark(
            enrolment, session, status, request.user, request.POST.get("catch_up_note", "")
        )
    except services.CompletionError as error:
        if wants_json:
            return JsonResponse({"saved": False, "errors": [str(error)]}, status=400)
        messages.error(request, str(error))
        return redirect(request.path)
    if wants_json:
        return JsonResponse(
            {
                "saved": True,
                "enrolment": attendance.enrolment_id,
                "status": attendance.status,
                "label": attendance.get_status_display(),
            }
        )
    return redirect(f"{request.path}#learner-{attendance.enrolment_id}")
