"""Choosing emails on the account page, and the unsubscribe link in each email."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from reminders.models import Kind, Unsubscription
from reminders.preferences import PreferencesForm, save_choices, turn_off
from reminders.unsubscribe import read_token


@never_cache
@require_POST
def preferences(request):
    """Save the account page's email choices (each person's own)."""
    form = PreferencesForm(request.POST, user=request.user)
    if form.is_valid():  # checkboxes: every answer is valid
        save_choices(request.user.pk, form.cleaned_data, Unsubscription.How.ACCOUNT)
        messages.success(request, "Your email choices are saved.")
    return redirect(reverse("account") + "#reminders")


# The signed link is the authority, not a login or a CSRF token: mail
# programs POST "List-Unsubscribe=One-Click" to it with no cookies (RFC 8058).
# A GET only shows a button: mail scanners open links, and must not
# unsubscribe anyone by doing so.
@never_cache
@login_not_required
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    found = read_token(token)
    if found is None or not get_user_model()._default_manager.filter(pk=found[0]).exists():
        return render(request, "reminders/bad_link.html", status=400)
    user_id, kind = found
    if request.method == "POST":
        how = (
            Unsubscription.How.PAGE if "from_page" in request.POST else Unsubscription.How.ONE_CLICK
        )
        turn_off(user_id, kind, how)
        return render(request, "reminders/unsubscribed.html", {"kind": Kind(kind)})
    return render(request, "reminders/unsubscribe.html", {"kind": Kind(kind)})
