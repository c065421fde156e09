from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q

from peersupport.admin import GuardedAdmin, PeopleHistoryAdmin

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(PeopleHistoryAdmin, UserAdmin, GuardedAdmin):
    """Staff accounts, for superusers. Learners are not here: they are managed
    under Course › Learners, where nobody can set their password, and only
    the learner can change their email once they have logged in, so not even
    a superuser can take over a learner's account (and with it their
    journal) from the admin. Every change is in the account's history."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(Q(is_staff=True) | Q(is_superuser=True))
