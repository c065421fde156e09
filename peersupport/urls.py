from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from peersupport import views

urlpatterns = [
    path("", include("courses.urls")),
    path("sessions/", include("sessions.urls")),
    path("journal/", include("reflections.urls")),
    path("assignments/", include("assessments.urls")),
    path("account/", include("privacy.urls")),
    # The reset email is plain text: a .txt template, not Django's .html name.
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt"
        ),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/keep-alive/", views.keep_alive, name="keep_alive"),
]

if settings.BENCHMARK_FLOOR:
    urlpatterns.append(path("bench/floor", views.benchmark_floor))
