from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailOrUsernameBackend(ModelBackend):
    """Log in with a username or with the account's email address.

    Learners imported from a spreadsheet know their email address, not a
    username. An address shared by several accounts logs none of them in.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            User = get_user_model()
            matches = list(User._default_manager.filter(email__iexact=username.strip())[:2])
            if len(matches) == 1:
                username = matches[0].get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        """The signed-in user, as ModelBackend gives it, with their active
        enrolment (or None) as ``user.active_enrolment``: every learner page
        needs it, and one query reads both (courses/access.py)."""
        from courses.access import user_with_active_enrolment

        user = user_with_active_enrolment(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def lockout_username(request, credentials) -> str:
    """The username django-axes records a failed login under.

    What was typed, cut to the longest username an account can have and
    without NUL characters: anything longer matches no account, and the
    database column for the record is bounded (PostgreSQL refuses longer).
    """
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return raw.replace("\x00", "")[:150]
