from django.conf import settings


def session_timeout(request):
    """How long a login lasts without activity, for the page's warning."""
    return {"idle_seconds": settings.SESSION_COOKIE_AGE}
