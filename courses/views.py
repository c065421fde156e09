from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from completion.models import Certificate
from completion.rule import learner_standing
from courses.dashboard import assignments_due, course_progress
from courses.learner.access import learner_page
from courses.models import Course
from courses.player import learner_marks, next_step


@learner_page
def dashboard(request):
    access = request.access
    assignments = assignments_due(request.user, access)
    passed = {
        due.assignment.number for due in assignments if due.state and due.state.code == "passed"
    }
    standing = learner_standing(access, passed)
    marks = learner_marks(request.user, access)
    progress = course_progress(access, marks)
    certificate = (
        Certificate.objects.live().filter(enrolment_id=access.enrolment_id).first()
        if standing is not None and standing.complete
        else None
    )
    return render(
        request,
        "courses/dashboard.html",
        {
            "access": access,
            "course": access.course,
            "cohort": access.cohort,
            "tutors": access.tutors,
            "progress": progress,
            "next_page": next_step(access, marks),
            # When every open session is complete: the next one to open, if any.
            "next_opening": next((e for e in progress.sessions if not e.is_open), None),
            "assignments": assignments,
            "standing": standing,
            "certificate": certificate,
        },
    )


# Where to find support right now must never sit behind a password: someone in
# crisis on the login page follows "Need support now?" to here. The page holds
# no personal data.
@login_not_required
def resources(request):
    return render(request, "courses/resources.html", {"course": Course.objects.current()})
