"""What the assessment side asks of tutors and coordinators next."""

from django.urls import reverse

from assessments.models import Moderation, Submission
from courses.models import Enrolment
from peersupport.roles import is_coordinator, is_tutor
from peersupport.signals import TodoItem


def todo_items(sender, user, **kwargs) -> list[TodoItem]:
    """What the assessment side asks of ``user`` (for the admin's front page)."""
    items = []
    if not (is_tutor(user) or is_coordinator(user)):
        return items
    my_learners = Enrolment.objects.current().filter(cohort__tutors=user).values("learner_id")
    queue = Submission.objects.awaiting_review()
    if not is_coordinator(user):
        queue = queue.filter(learner_id__in=my_learners)
    waiting = queue.count()
    if waiting:
        items.append(
            TodoItem(
                f"{waiting} essay{'s' if waiting != 1 else ''} waiting for review.",
                reverse("admin:assessments_submission_queue"),
                urgent=True,
            )
        )
    moderations = Moderation.objects.filter(agrees__isnull=True)
    if not is_coordinator(user):
        moderations = moderations.filter(review__submission__learner_id__in=my_learners).exclude(
            review__tutor=user
        )
    pending = moderations.count()
    if pending:
        items.append(
            TodoItem(
                f"{pending} review{'s' if pending != 1 else ''} waiting for moderation.",
                reverse("admin:assessments_moderation_changelist"),
                urgent=True,
            )
        )
    return items
