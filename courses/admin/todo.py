"""What the admin's front page tells tutors and coordinators to do next."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from courses.models import Cohort
from outbox.todo import todo_items as mail_todo_items
from peersupport.orphans import audit_counts
from peersupport.roles import is_coordinator, is_tutor

SOON = timedelta(days=14)


@dataclass(frozen=True)
class TodoItem:
    text: str
    url: str = ""


def todo_for(user) -> list[TodoItem]:
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
    from assessments.todo import todo_items  # assessments builds on courses

    return [
        TodoItem(text, url)
        for text, url in [*mail_todo_items(user), *_file_todo_items(user), *todo_items(user)]
    ] + items


def _file_todo_items(user) -> list[tuple[str, str]]:
    if not is_coordinator(user):
        return []
    unreferenced, missing = audit_counts()
    items = []
    if missing:
        items.append(
            (
                f"{missing} uploaded file(s) are missing from storage: please ask whoever runs "
                "the site to restore them from a backup (manage.py clean_orphan_files lists them).",
                "",
            )
        )
    if unreferenced:
        items.append(
            (
                f"{unreferenced} file(s) in storage belong to nothing (interrupted uploads): "
                "whoever runs the site can remove them with manage.py clean_orphan_files --delete.",
                "",
            )
        )
    return items
