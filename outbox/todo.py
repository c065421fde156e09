"""What the outgoing mail asks of coordinators (the admin's front page)."""

from django.urls import reverse

from outbox.models import Email
from outbox.services import failed_count, stalled_count
from peersupport.roles import is_coordinator
from peersupport.signals import TodoItem


def todo_items(sender, user, **kwargs) -> list[TodoItem]:
    if not is_coordinator(user):
        return []
    items = []
    url = reverse("admin:outbox_email_changelist")
    if failed := failed_count():
        items.append(
            TodoItem(
                f"{failed} email{'s' if failed != 1 else ''} could not be sent: see why, "
                "and retry once the problem is fixed.",
                f"{url}?status__exact={Email.Status.FAILED}",
                urgent=True,
            )
        )
    if stalled := stalled_count():
        items.append(
            TodoItem(
                f"{stalled} email{'s' if stalled != 1 else ''} waiting longer than expected: "
                "please ask whoever runs the site to check that the mail worker is running.",
                f"{url}?status__exact={Email.Status.PENDING}",
                urgent=True,
            )
        )
    return items
