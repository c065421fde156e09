from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from completion.models import Certificate
from completion.rule import learner_standing
from courses.dashboard import assignments_due, course_progress
from courses.learner.access import learner_page
from courses.models import Course


@learner_page
def dashboard(request):
    access = request.access
    assignments = assignments_due(request.user, access)
    passed = {
        due.assignment.number for due in assignments if due.state and due.state.code == "passed"
    }
    standing = learner_standing(access, passed)
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
            "progress": course_progress(request.user, access),
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
