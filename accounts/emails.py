"""The emails about an account: password reset, email address changes.
Each is written when the worker sends it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
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


@email_builder
def email_change_confirmation(user_id: int, new_address: str, site_url: str):
    """To the new address: the link that makes the change (made now, so a
    retried email carries a working link)."""
    from accounts.email_change import confirmation_token

    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    return EmailMessage(
        subject="Confirm your new email address for Peer Support Training",
        body=render_to_string(
            "accounts/email/email_change_confirmation.txt",
            {
                "user": user,
                "link": site_url.rstrip("/")
                + reverse("email_change_confirm", args=[confirmation_token(user, new_address)]),
            },
        ),
        to=[new_address],
    )


@email_builder
def email_change_notice(user_id: int, old_address: str, new_address: str, by_staff: bool):
    """To the old address: what changed (or was asked for), so a change
    nobody expected is noticed by the person whose account it is."""
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    if user is None or not old_address:
        return None
    return EmailMessage(
        subject="The email address of your Peer Support Training account",
        body=render_to_string(
            "accounts/email/email_change_notice.txt",
            {
                "user": user,
                "new_address": masked(new_address),
                "by_staff": by_staff,
                "changed": user.email == new_address,
            },
        ),  # fmt: skip
        to=[old_address],
    )


def masked(address: str) -> str:
    """p•••••@example.org: enough to recognise, not to harvest."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••••@{domain}"
