from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from peersupport import views

urlpatterns = [
    path("", include("courses.urls")),
    path("", include("completion.urls")),
    path("sessions/", include("sessions.urls")),
    path("journal/", include("reflections.urls")),
    path("assignments/", include("assessments.urls")),
    path("account/", include("privacy.urls")),
    path("", include("reminders.urls")),  # /account/reminders/, /unsubscribe/<token>/
    path("", include("calendars.urls")),  # /calendar/<token>.ics, /account/calendar/
    # Before Django's own, which it partly replaces (password reset).
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/keep-alive/", views.keep_alive, name="keep_alive"),
]

if settings.BENCHMARK_FLOOR:
    urlpatterns.append(path("bench/floor", views.benchmark_floor))
