"""What the admin's front page tells tutors and coordinators to do next."""

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from courses.models import Cohort
from peersupport.roles import is_coordinator, is_tutor
from peersupport.signals import TodoItem

SOON = timedelta(days=14)


def cohorts_starting(sender, user, **kwargs) -> list[TodoItem]:
    """Cohorts starting in the next two weeks, and what they still lack
    (connected to peersupport.signals.todo_requested)."""
    if not (is_coordinator(user) or is_tutor(user)):
        return []
    today = timezone.localdate()
    cohorts = (
        Cohort.objects.visible_to(user)
        .filter(start_date__range=(today, today + SOON))
        .annotate(
            learner_count=Count("enrolments", filter=Q(enrolments__withdrawn_at__isnull=True)),
            tutor_count=Count("tutors", distinct=True),
        )
        .order_by("start_date")
    )
    items = []
    for cohort in cohorts:
        url = reverse("admin:courses_cohort_change", args=[cohort.pk])
        when = "today" if cohort.start_date == today else f"on {cohort.start_date:%-d %B}"
        text = f"“{cohort.name}” starts {when} with {cohort.learner_count} learner" + (
            "" if cohort.learner_count == 1 else "s"
        )
        if is_coordinator(user) and cohort.tutor_count == 0:
            text += ", and has no tutor yet"
        elif is_coordinator(user) and cohort.learner_count == 0:
            text += ": import its learners from a CSV file"
        items.append(TodoItem(text + ".", url))
    if not items:
        items.append(TodoItem("No cohorts start in the next two weeks."))
    return items
