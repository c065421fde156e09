"""What a signed-in person may see of the course, and when.

Every learner page is wrapped in ``learner_page``, which finds the learner's
active enrolment once and hands the view a ``CourseAccess``: the course, the
cohort and its timetable. Staff (tutors and coordinators) get a preview in
which every session is open, so they can check what learners see.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, wraps

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from courses.models import Cohort, Course, DeadlineExtension, Enrolment
from courses.structure import CohortTimetable, CourseStructure, structure_of, timetable_of
from courses.timetable import default_opening


@dataclass
class CourseAccess:
    course: Course
    structure: CourseStructure
    cohort: Cohort | None = None
    enrolment: Enrolment | None = None
    timetable: CohortTimetable | None = None
    today: date = field(default_factory=timezone.localdate)

    @property
    def is_preview(self) -> bool:
        return self.enrolment is None

    @property
    def tutors(self) -> list:
        return self.timetable.tutors if self.timetable else []

    def opens_on(self, session) -> date | None:
        """The date ``session`` opens for this cohort; None in a staff preview."""
        if self.cohort is None:
            return None
        return self.timetable.opening_dates.get(session.pk) or default_opening(
            self.cohort.start_date, session.number
        )

    def is_open(self, session) -> bool:
        opens_on = self.opens_on(session)
        return opens_on is None or opens_on <= self.today

    @cached_property
    def extensions(self) -> dict[int, date]:
        """This learner's extended deadlines, by assignment id (one query, when asked)."""
        if self.enrolment is None:
            return {}
        return dict(
            DeadlineExtension.objects.filter(enrolment=self.enrolment)
            .order_by()
            .values_list("assignment_id", "due_on")
        )

    def due_on(self, assignment) -> date | None:
        """The learner's deadline for a first attempt: their extension, else the cohort's."""
        if self.timetable is None:
            return None
        return self.extensions.get(assignment.pk) or self.timetable.due_dates.get(assignment.pk)


def course_access_for(user) -> CourseAccess | None:
    # The enrolment, read with its cohort and course, also carries the versions
    # of the course content and the timetable, which say whether this process's
    # copy of them (courses/structure.py) is current.
    enrolment = (
        Enrolment.objects.active().select_related("cohort__course").filter(learner=user).first()
    )
    if enrolment is not None:
        cohort = enrolment.cohort
        return CourseAccess(
            course=cohort.course,
            structure=structure_of(cohort.course),
            cohort=cohort,
            enrolment=enrolment,
            timetable=timetable_of(cohort),
        )
    if user.is_staff:
        course = Course.objects.current()
        if course is not None:
            return CourseAccess(course=course, structure=structure_of(course))
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
