import time

from django.conf import settings
from django.http import Http404, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.views.defaults import page_not_found


class RefuseNulCharactersMiddleware:
    """Refuse requests with a NUL character in the query string.

    Search boxes, filters and admin lists pass query values straight to the
    database, and PostgreSQL cannot store or compare a NUL: without this the
    request would fail with a server error.

    Form posts are left to their forms, whatever their encoding: every text
    field refuses a NUL with a message beside it and shows the form again
    with what was typed (the journal and the essay with the NUL taken out),
    instead of this generic page losing it all. Admin actions refuse ids
    that are not numbers (peersupport.admin.GuardedAdmin).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET):
            return HttpResponseBadRequest(
                render_to_string("400.html", {"reason": "nul"}, request=request)
            )
        return self.get_response(request)


def _has_nul(querydict) -> bool:
    return any(
        "\x00" in key or any("\x00" in v for v in values) for key, values in querydict.lists()
    )


# ---------------------------------------------------------------- browser policies

# Nothing here uses a camera, a microphone, the location or any other device
# feature, and no other site may embed or read these pages and files. The
# features are those Chromium knows (it logs an error for any other).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)

# Pages of Django's own views that carry a person's account but are not
# marked never_cache by Django: a shared computer's browser must not keep them.
NO_STORE_URL_NAMES = frozenset({"password_change", "password_change_done"})


class BrowserPolicyMiddleware:
    """Headers that tell the browser what the site never does.

    ``Permissions-Policy`` turns off every device feature;
    ``Cross-Origin-Resource-Policy: same-origin`` keeps other sites from
    loading these pages and files (with the learner's cookies) into theirs.
    (``Cross-Origin-Opener-Policy: same-origin`` is Django's own, from
    SecurityMiddleware's SECURE_CROSS_ORIGIN_OPENER_POLICY.) It sits just
    below SecurityMiddleware, above whitenoise, so static files get the same
    headers; and it marks Django's password-change pages never to be stored.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name in NO_STORE_URL_NAMES:
            add_never_cache_headers(response)
        return response


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


class DebugErrorPagesMiddleware:
    """Under DEBUG (``make run``), a page that is not there shows the site's
    own 404.html, as it does in production, instead of Django's yellow
    technical page, so what a tester sees is what a learner will see.

    Django picks the technical 404 page for any Http404 while DEBUG is on,
    before a handler404 is consulted, so a handler cannot change it. This
    middleware answers first, in the two places a 404 starts: an address
    that matches no URL (checked here, before the view; the resolver only
    runs again under DEBUG) and a view that raises Http404
    (``process_exception``). It sits at the end of the list (just above
    django-axes, which must be last), so a 404 still gets CommonMiddleware's
    added slash, every security header, and the page knows who is logged in.

    PermissionDenied already shows 403.html under DEBUG (Django renders it
    for any setting), and errors keep Django's technical 500 page, which a
    developer needs. In production (DEBUG off) this does nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG:
            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as exception:
                return page_not_found(request, exception)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
