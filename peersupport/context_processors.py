from functools import cache

from django.conf import settings
from django.urls import reverse


def session_timeout(request):
    """How long a login lasts without activity, for the page's warning."""
    return {"idle_seconds": settings.SESSION_COOKIE_AGE}


# The addresses every page's header and footer link to. Reversed once per
# process: a {% url %} tag reverses on every render, and the header and
# footer have eleven of them, about a tenth of a learner page's work.
SITE_URL_NAMES = ("dashboard", "journal", "resources", "account", "logout", "login", "keep_alive")


@cache
def _site_urls() -> dict[str, str]:
    return {name: reverse(name) for name in SITE_URL_NAMES} | {"admin": reverse("admin:index")}


def site_urls(request):
    """``urls.dashboard``, ``urls.resources``…: the site's fixed addresses."""
    return {"urls": _site_urls()}
