from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from courses.models import Course
from courses.progress import course_progress


def dashboard(request):
    course = Course.objects.current()
    if course is None:
        return render(request, "courses/no_course.html", status=503)
    return render(
        request,
        "courses/dashboard.html",
        {
            "course": course,
            "progress": course_progress(request.user, course),
            "assignments": list(course.assignments.all()),
        },
    )


# Where to find support right now must never sit behind a password: someone in
# crisis on the login page follows "Need support now?" to here. The page holds
# no personal data.
@login_not_required
def resources(request):
    return render(request, "courses/resources.html", {"course": Course.objects.current()})
