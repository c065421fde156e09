from django.contrib import admin, messages
from django.utils import timezone

from outbox import services
from outbox.models import Email
from peersupport.admin import GuardedAdmin
from peersupport.people import display_name


@admin.register(Email)
class EmailAdmin(GuardedAdmin):
    """Outgoing mail, for coordinators: what was sent, what waits, what failed."""

    list_display = [
        "created_at", "recipient_name", "description", "status", "attempts",
        "next_try", "last_error",
    ]  # fmt: skip
    list_filter = ["status"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email", "recipient__first_name", "recipient__last_name"]
    fields = [
        "recipient", "description", "status", "attempts", "created_at", "next_attempt_at",
        "sent_at", "last_error",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["retry_emails"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The list's Retry action needs it; the rows themselves never change by hand.
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description="To", ordering="recipient__last_name")
    def recipient_name(self, email):
        name = display_name(email.recipient)
        return f"{name} <{email.recipient.email}>" if email.recipient.email else name

    @admin.display(description="Next try", ordering="next_attempt_at")
    def next_try(self, email):
        if email.status != Email.Status.PENDING:
            return "—"
        return timezone.localtime(email.next_attempt_at).strftime("%-d %b %Y, %H:%M")

    @admin.action(description="Retry sending (failed or stuck emails)", permissions=["change"])
    def retry_emails(self, request, queryset):
        count = services.retry(queryset)
        self.message_user(
            request,
            f"{count} email(s) queued to be sent again."
            + ("" if count else " Only failed or stuck emails can be retried."),
            messages.SUCCESS if count else messages.WARNING,
        )
