"""Logging in: with a username or an email address, and the lock-out key.

One rule says which account a typed name means (``account_for``): the login
backend uses it to find the account, and django-axes uses it to count failed
logins per account, so five failures lock the account from that address
whatever was typed: its username or its email, in any case, with spaces.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from peersupport.compiled import CompiledQuery

USERNAME_MAX = 150


def account_for(typed: str | None) -> int | None:
    """The id of the one account ``typed`` names (its username or its email
    address, ignoring case and surrounding spaces), or None."""
    name = (typed or "").replace("\x00", "").strip()[:254]
    if not name:
        return None
    manager = get_user_model()._default_manager
    ids = list(manager.filter(username__iexact=name).values_list("pk", flat=True)[:2])
    if len(ids) > 1:  # two usernames differing only in case: the exact one
        ids = list(manager.filter(username=name).values_list("pk", flat=True))
    if not ids and "@" in name:
        ids = list(manager.filter(email__iexact=name).values_list("pk", flat=True)[:2])
    return ids[0] if len(ids) == 1 else None


class EmailOrUsernameBackend(ModelBackend):
    """Log in with a username or with the account's email address.

    Learners imported from a spreadsheet know their email address, not a
    username. A name that could mean two accounts logs neither in.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        account = account_for(username)
        if account is None or password is None:
            # The same work as a real check, so the time taken does not say
            # whether the account exists (as ModelBackend does).
            get_user_model()().set_password(password or "")
            return None
        user = get_user_model()._default_manager.get(pk=account)
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in user, as ModelBackend gives it, with their active
        enrolment (or None) as ``user.active_enrolment`` and their reading
        preferences as ``user.reading``: every page needs them, and one query
        reads all three (courses/learner/access.py)."""
        from courses.learner.access import user_with_active_enrolment

        user = user_with_active_enrolment(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        """ModelBackend's, in one query rather than one for the account's own
        permissions and one for its groups', compiled once (every admin page
        asks)."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            shape = "every permission" if user_obj.is_superuser else "granted"
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in PERMISSIONS.rows(shape, user=user_obj.pk)
            }
        return user_obj._perm_cache


def _permissions(shape: str, values: dict):
    from django.contrib.auth.models import Permission

    permissions = Permission.objects.all()
    if shape != "every permission":
        user = values["user"]
        permissions = permissions.filter(Q(user=user) | Q(group__user=user)).distinct()
    return permissions.values_list("content_type__app_label", "codename").order_by()


PERMISSIONS = CompiledQuery(_permissions)


def lockout_key(request, credentials) -> str:
    """What django-axes counts failed logins under: the account the typed name
    means, else the name itself, trimmed and in lower case (so every spelling
    of one unknown name shares its five tries), at most 150 characters (the
    record's column is bounded)."""
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    account = account_for(typed)
    if account is not None:
        return f"account:{account}"
    return typed.replace("\x00", "").strip().lower()[:USERNAME_MAX]


def client_address(request) -> str:
    """The address a request came from, for the lock-out (settings.PROXY_COUNT)."""
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.PROXY_COUNT:
        return remote
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if len(forwarded) < settings.PROXY_COUNT:
        return remote  # not through the expected proxies: the nearest address
    return forwarded[-settings.PROXY_COUNT]
