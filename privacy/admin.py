from django.contrib import admin

from peersupport.admin import GuardedAdmin, PeopleHistoryAdmin
from peersupport.people import display_name
from privacy import services
from privacy.models import ErasureRequest


@admin.register(ErasureRequest)
class ErasureRequestAdmin(PeopleHistoryAdmin, GuardedAdmin):
    list_display = ["learner_name", "requested_at", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["learner", "decided_by"]
    readonly_fields = ["learner", "requested_at", "status", "decided_by", "decided_at"]
    actions = ["erase_accounts"]

    def has_add_permission(self, request):
        return False  # learners ask, on their account page

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Learner")
    def learner_name(self, erasure_request):
        learner = erasure_request.learner
        return display_name(learner)

    @admin.action(description="Confirm and erase these accounts", permissions=["change"])
    def erase_accounts(self, request, queryset):
        done = 0
        for erasure_request in queryset.filter(status=ErasureRequest.Status.REQUESTED):
            services.erase(erasure_request, request.user)
            done += 1
        self.message_user(request, f"{done} account(s) erased.")
