"""What a signed-in person may see of the course, and when.

Every learner page is wrapped in ``learner_page``, which finds the learner's
active enrolment once and hands the view a ``CourseAccess``: the course, the
cohort and its timetable. Staff (tutors and coordinators) get a preview in
which every session is open, so they can check what learners see.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from courses.models import Cohort, Course, Enrolment, SessionRelease
from courses.timetable import default_opening


@dataclass
class CourseAccess:
    course: Course
    cohort: Cohort | None = None
    enrolment: Enrolment | None = None
    opening_dates: dict[int, date] = field(default_factory=dict)  # session id -> date
    today: date = field(default_factory=timezone.localdate)

    @property
    def is_preview(self) -> bool:
        return self.enrolment is None

    def opens_on(self, session) -> date | None:
        """The date ``session`` opens for this cohort; None in a staff preview."""
        if self.cohort is None:
            return None
        return self.opening_dates.get(session.pk) or default_opening(
            self.cohort.start_date, session.number
        )

    def is_open(self, session) -> bool:
        opens_on = self.opens_on(session)
        return opens_on is None or opens_on <= self.today


def course_access_for(user) -> CourseAccess | None:
    enrolment = (
        Enrolment.objects.active().select_related("cohort__course").filter(learner=user).first()
    )
    if enrolment is not None:
        cohort = enrolment.cohort
        dates = dict(
            SessionRelease.objects.filter(cohort=cohort).values_list("session_id", "opens_on")
        )
        return CourseAccess(
            course=cohort.course, cohort=cohort, enrolment=enrolment, opening_dates=dates
        )
    if user.is_staff:
        course = Course.objects.current()
        if course is not None:
            return CourseAccess(course=course)
    return None


def learner_page(view):
    """Give ``view`` the learner's ``CourseAccess`` as ``request.access``, or
    explain kindly why there is no course to show."""

    @wraps(view)
    @never_cache  # learner pages carry personal writing and progress: never stored
    def wrapper(request, *args, **kwargs):
        access = course_access_for(request.user)
        if access is None:
            withdrawn = Enrolment.objects.filter(
                learner=request.user, withdrawn_at__isnull=False
            ).exists()
            return render(
                request,
                "courses/not_enrolled.html",
                {"withdrawn": withdrawn, "contact_email": settings.COURSE_CONTACT_EMAIL},
            )
        request.access = access
        return view(request, *args, **kwargs)

    return wrapper
