"""The calendar feed, which calendar apps fetch without a login, and
resetting its address from the account page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from calendars import services

# The feed is one person's timetable: no shared cache (a proxy, a CDN) may
# keep it ("private"); their own calendar app may, for five minutes.
FEED_CACHE_CONTROL = "private, max-age=300"


@require_safe
@login_not_required  # the token is the authority: calendar apps send no cookies
def calendar_feed(request, token):
    """/calendar/<token>.ics: the feed of the person whose token it is."""
    user = services.feed_owner(token)
    if user is None:
        raise Http404("No calendar has this address.")
    body = services.calendar_for(user, site=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="peer-support-training.ics"'
    response["Cache-Control"] = FEED_CACHE_CONTROL
    # Search engines must never list a private address, even if it leaks.
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    return response


@require_POST
@never_cache
def reset(request):
    """A new address for the person's calendar; the old one stops working now."""
    services.reset_feed(request.user)
    messages.success(
        request,
        "Your calendar has a new address. The old one has stopped working: add the new one "
        "to your calendar app, and remove the old calendar from it.",
    )
    return redirect(f"{reverse('account')}#calendar")
