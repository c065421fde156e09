from django.urls import path

from calendars import views

# Included at the site's root (peersupport/urls.py).
urlpatterns = [
    # DESIGN.md: whoever holds the token; no login.
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("account/calendar/reset/", views.reset, name="calendar_reset"),
]
