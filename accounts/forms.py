from django.contrib.auth import forms as auth_forms
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django_tasks import task

from accounts import emails
from outbox.services import queue_email
from peersupport.writing import allow_full_length


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form, saying what it takes: a username or the email
    address (accounts.backends.EmailOrUsernameBackend). Learners invited from
    a spreadsheet know their email address, not a username; an address may
    be longer than a username's 150 characters."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": (
            "That email or username and password don’t match an account. Please check "
            "them and try again (the password must be typed exactly, in the same case)."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = "Email or username"
        username.max_length = 254
        username.widget.attrs.update(maxlength="254", autocomplete="username")
        allow_full_length(username)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """ "Forgotten your password?", also for a learner who was invited and
    never chose one; the email goes through the outbox.

    Django leaves out accounts without a usable password, but an invited
    learner has none until they follow their invitation: if that link has
    expired, this is how they get a new one.

    The page says the same thing whether or not an account exists, and takes
    the same time: the request only queues a task with the address typed
    (one INSERT, whatever the address), and the worker looks for the
    account and queues the email (``send_password_reset``). Looking it up in
    the request made an unknown address measurably quicker to answer.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allow_full_length(self.fields["email"])

    def save(self, domain_override=None, use_https=False, request=None, **kwargs):
        domain = domain_override or get_current_site(request).domain
        send_password_reset.enqueue(
            self.cleaned_data["email"], domain, "https" if use_https else "http"
        )


def users_for_reset(email: str):
    """Who a reset for ``email`` goes to: Django's rule (active, with a
    usable password), with "or never logged in" added for invited learners."""
    model = auth_forms.UserModel
    email_field = model.get_email_field_name()
    active = model._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True})
    return [
        user
        for user in active
        if (user.has_usable_password() or user.last_login is None)
        and auth_forms._unicode_ci_compare(email, getattr(user, email_field))
    ]


@task()
def send_password_reset(email: str, domain: str, protocol: str) -> None:
    """Queue a reset email to each account ``email`` belongs to (none for an
    unknown address). Runs on the worker; returns nothing, so the task's
    stored result does not say whether the address has an account."""
    with transaction.atomic():
        for user in users_for_reset(email):
            queue_email(
                emails.password_reset,
                user,
                "Password reset link",
                user_id=user.pk,
                domain=domain,
                protocol=protocol,
            )
