import time

from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string


class RefuseNulCharactersMiddleware:
    """Refuse requests with a NUL character in a query string or form field.

    Forms refuse NULs themselves, but search boxes, filters and admin actions
    pass query values straight to the database, and PostgreSQL cannot store
    or compare a NUL: without this the request would fail with a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Multipart forms (the site's and the admin's) are left to their form
        # fields, which refuse NULs with a message beside the field.
        if _has_nul(request.GET) or (
            request.method == "POST"
            and request.content_type != "multipart/form-data"
            and _has_nul(request.POST)
        ):
            return HttpResponseBadRequest(
                render_to_string("400.html", {"reason": "nul"}, request=request)
            )
        return self.get_response(request)


def _has_nul(querydict) -> bool:
    return any(
        "\x00" in key or any("\x00" in v for v in values) for key, values in querydict.lists()
    )


IDLE_STAMP = "_idle_refreshed_at"
# How often a busy login's expiry moves on. Restarting the idle clock on every
# request would write the session row on every page view and autosave.
IDLE_REFRESH_SECONDS = 60


class IdleTimeoutMiddleware:
    """Slide a login's expiry forward as the person uses the site.

    A login ends SESSION_COOKIE_AGE after the last activity, give or take
    IDLE_REFRESH_SECONDS: the session is saved (which moves its expiry) at
    most once a minute rather than on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get(IDLE_STAMP, 0) >= IDLE_REFRESH_SECONDS:
                session[IDLE_STAMP] = now  # marks it modified: SessionMiddleware saves it
        return response


def stamp_new_login(sender, request, user, **kwargs):
    """A login has just been saved with a fresh expiry: no refresh needed yet."""
    if request is not None and hasattr(request, "session"):
        request.session[IDLE_STAMP] = int(time.time())
