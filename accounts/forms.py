from django.contrib.auth import forms as auth_forms

from accounts import emails
from outbox.services import queue_email


class PasswordResetForm(auth_forms.PasswordResetForm):
    """ "Forgotten your password?", also for a learner who was invited and
    never chose one; the email goes through the outbox.

    Django leaves out accounts without a usable password, but an invited
    learner has none until they follow their invitation: if that link has
    expired, this is how they get a new one. The page says the same thing
    whether or not an account exists.
    """

    def get_users(self, email):
        # Django's own rule, with "or never logged in" added.
        model = auth_forms.UserModel
        email_field = model.get_email_field_name()
        active = model._default_manager.filter(
            **{f"{email_field}__iexact": email, "is_active": True}
        )
        return (
            user
            for user in active
            if (user.has_usable_password() or user.last_login is None)
            and auth_forms._unicode_ci_compare(email, getattr(user, email_field))
        )

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        queue_email(
            emails.password_reset,
            context["user"],
            "Password reset link",
            user_id=context["user"].pk,
            domain=context["domain"],
            protocol=context["protocol"],
        )
