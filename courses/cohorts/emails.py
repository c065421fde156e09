"""The invitation to a cohort, written when the worker sends it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from courses.models import Cohort
from outbox.builders import email_builder, plain_text_email


@email_builder
def invitation(user_id: int, cohort_id: int, site_url: str):
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    # Whether they still need a password, and the link to choose one, are
    # worked out now: a retried or re-sent invitation carries a fresh link.
    context = {
        "user": user,
        "cohort": Cohort.objects.get(pk=cohort_id),
        "site_url": site_url.rstrip("/"),
        "needs_password": not user.has_usable_password(),
        "set_password_path": reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        ),
    }
    return plain_text_email(
        user, "Welcome to Peer Support Training", "courses/email/invitation.txt", context
    )
