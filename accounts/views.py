"""The second step of signing in: setting it up, and giving a code."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import email_change, second_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
        help_text="The 6-digit code your authenticator app shows now, or one of your "
        "recovery codes.",
    )


class SetupForm(forms.Form):
    code = forms.CharField(
        label="The 6-digit code the app shows",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/admin/" if request.user.is_staff else "/"


def _locked_out(request):
    """Too many wrong codes (with wrong passwords, for this account and
    address): the login ends, as django-axes' own lock-out page says."""
    logout(request)
    return render(
        request,
        "registration/locked_out.html",
        {"cooloff_timedelta": settings.AXES_COOLOFF_TIME},
        status=429,
    )


@never_cache
@sensitive_post_parameters("code")
def verify(request):
    """Give a code to finish signing in."""
    if not second_factor.is_pending(request):
        return redirect(_next(request))
    if not second_factor.has_second_factor(request.user):
        return redirect(f"/accounts/two-step/set-up/?next={_next(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(request, form.cleaned_data["code"]):
            return redirect(_next(request))
        if second_factor.is_locked_out(request):
            return _locked_out(request)
        form.add_error(
            "code",
            "That code did not work. Check the time on your phone is right, wait a few "
            "seconds, and try the newest code; or use a recovery code.",
        )
    return render(
        request, "accounts/second_factor_verify.html", {"form": form, "next": _next(request)}
    )


@never_cache
@sensitive_post_parameters("code")
def set_up(request):
    """Set up an authenticator app (staff at their first login; learners and
    staff who want a new one, once signed in fully)."""
    if second_factor.is_pending(request) and second_factor.has_second_factor(request.user):
        # A login that has not passed its existing second factor cannot add one.
        return redirect(f"/accounts/two-step/?next={_next(request)}")
    device = second_factor.unconfirmed_device(request.user)
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = second_factor.confirm(request, device, form.cleaned_data["code"])
        if done is not None:
            messages.success(request, "Two-step sign-in is on.")
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": done.recovery_codes, "next": _next(request)},
            )
        if second_factor.is_locked_out(request):
            return _locked_out(request)
        form.add_error(
            "code",
            "That code did not match. Wait a few seconds, then type the newest code the app shows.",
        )
    context = {
        "form": form,
        "next": _next(request),
        "qr_code_html": second_factor.qr_code_svg(device),  # made by segno, no user text
        "secret": second_factor.secret_for_typing(device),
        "required": request.user.is_staff,
    }
    return render(request, "accounts/second_factor_setup.html", context)


@require_POST
@never_cache
def new_recovery_codes(request):
    if not second_factor.is_verified(request):
        return redirect("account")
    codes = second_factor.new_recovery_codes(request.user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "/account/"})


@require_POST
@never_cache
@sensitive_post_parameters("password")
def turn_off(request):
    """A learner turns two-step sign-in off (staff cannot: it is required)."""
    if request.user.is_staff:
        messages.error(request, "Staff accounts need two-step sign-in.")
    elif not request.user.check_password(request.POST.get("password", "")):
        messages.error(request, "That password is not right, so two-step sign-in is still on.")
    else:
        second_factor.turn_off(request.user)
        request.session[second_factor.REQUIRED_SESSION_KEY] = False
        messages.success(request, "Two-step sign-in is off.")
    return redirect("account")


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label="New email address", max_length=254)
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError("That password is not right.")
        return ""

    def clean_email(self):
        address = self.cleaned_data["email"].strip()
        if address.lower() == (self.user.email or "").lower():
            raise forms.ValidationError("That is already your email address.")
        return address


@never_cache
@sensitive_post_parameters("password")
def change_email(request):
    """A person changes their own email address: it changes once the new
    address confirms it, and the old address is told (accounts/email_change.py)."""
    form = EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        email_change.request_change(
            request.user, form.cleaned_data["email"], request.build_absolute_uri("/")
        )
        messages.success(
            request,
            "We have sent a link to the new address. Your address changes when you open it; "
            "until then emails go to the old one.",
        )
        return redirect("account")
    return render(request, "accounts/change_email.html", {"form": form})


@never_cache
def confirm_email(request, token):
    if request.method == "POST":
        try:
            address = email_change.confirm_change(request.user, token)
        except email_change.EmailChangeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Your email address is now {address}.")
        return redirect("account")
    return render(request, "accounts/confirm_email.html")


@login_not_required
def logged_out(request):
    """Where logging out leads (settings.LOGOUT_REDIRECT_URL): a page that
    says so, rather than a login form that leaves the learner wondering.
    Logging out itself stays Django's POST-only LogoutView; this page only
    answers the redirect after it. Someone who is logged in has nothing to
    read here and goes to their start page."""
    if request.user.is_authenticated:
        return redirect("/admin/" if request.user.is_staff else "dashboard")
    return render(request, "registration/logged_out.html")
