"""The password-reset email, written when the worker sends it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from outbox.builders import email_builder, plain_text_email


@email_builder
def password_reset(user_id: int, domain: str, protocol: str):
    # The link's token is made now, not when the email was queued, so no
    # token ever sits in the database and a retried email still works.
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    return plain_text_email(
        user,
        "Reset your Peer Support Training password",
        "registration/password_reset_email.txt",
        {
            "user": user,
            "domain": domain,
            "protocol": protocol,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
