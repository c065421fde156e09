"""Every change staff make to an account is kept: who, when, what changed
(name, email, active, staff, groups). The password is never kept, nor the
time of each login (``last_login`` is stamped without saving the account, so
a login is not a change). Coordinators read it on the account's History
page; erasing a learner deletes it (privacy/services.py)."""

import simple_history
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models

from peersupport.people import display_name

simple_history.register(
    get_user_model(),
    app="accounts",
    excluded_fields=["password", "last_login"],
    m2m_fields=["groups"],
)


class Profile(models.Model):
    """What a person chooses about themselves (on their account page)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    name_on_certificate = models.CharField(
        "Your name as it should appear on your certificate",
        max_length=150,
        blank=True,
        help_text="Leave empty to use your name as the course has it.",
    )

    def __str__(self):
        return f"Profile #{self.pk}"


def name_on_certificate(user) -> str:
    """The learner's chosen name for certificates, else their full name."""
    profile = Profile.objects.filter(user=user).first()
    return (profile.name_on_certificate if profile else "") or display_name(user)
