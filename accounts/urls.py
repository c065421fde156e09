from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import LoginForm, PasswordResetForm

urlpatterns = [
    # Django's login view with a form that says it takes an email address too.
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logged-out/", views.logged_out, name="logged_out"),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("two-step/", views.verify, name="second_factor_verify"),
    path("two-step/set-up/", views.set_up, name="second_factor_setup"),
    path("two-step/recovery-codes/", views.new_recovery_codes, name="second_factor_new_codes"),
    path("two-step/turn-off/", views.turn_off, name="second_factor_turn_off"),
    path("email/", views.change_email, name="email_change"),
    path("email/confirm/<str:token>/", views.confirm_email, name="email_change_confirm"),
]
