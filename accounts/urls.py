from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.forms import PasswordResetForm

urlpatterns = [
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
]
