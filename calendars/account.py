"""The "Your calendar" section of the account page (privacy/views.py)."""

from urllib.parse import quote, urlencode

from django.urls import reverse

from calendars import services
from calendars.services import COURSE_NAME


def account_section(request) -> dict:
    """The person's feed address and the links that add it to a calendar app.
    Creates the feed the first time the page is shown."""
    feed = services.feed_for(request.user)
    address = request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))
    webcal = "webcal://" + address.split("://", 1)[1]
    return {
        "address": address,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe=""),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": address, "name": COURSE_NAME}, quote_via=quote),
        "reset_at": feed.reset_at,
        "is_staff": request.user.is_staff,
    }
