from dataclasses import asdict

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Profile, name_on_certificate, reading_preferences
from accounts.second_factor import has_second_factor
from calendars.account import account_section as calendar_section
from completion.models import Certificate
from privacy import services
from privacy.forms import ReadingPreferencesForm
from privacy.models import ErasureRequest
from reminders.preferences import account_form as reminder_form


@never_cache
def account(request):
    """My account and my data: reading preferences, download, who has read
    my work, erasure."""
    form = ReadingPreferencesForm(initial=asdict(reading_preferences(request.user)))
    return _account_page(request, form)


def _account_page(request, reading_form, status=200):
    return render(
        request,
        "privacy/account.html",
        {
            "reading_form": reading_form,
            "access": services.grouped_access(request.user),
            "has_second_factor": has_second_factor(request.user),
            "calendar": calendar_section(request),
            "reminder_form": reminder_form(request.user),
            "certificates": Certificate.objects.filter(enrolment__learner=request.user),
            "name_on_certificate": name_on_certificate(request.user),
            "erasure": ErasureRequest.objects.filter(
                learner=request.user, status=ErasureRequest.Status.REQUESTED
            ).first(),
        },
        status=status,
    )


@never_cache
@require_POST
def reading(request):
    """Save the reading preferences; every page after this one uses them."""
    form = ReadingPreferencesForm(request.POST)
    if not form.is_valid():
        # The page again, with what was chosen and a message by each problem.
        return _account_page(request, form, status=400)
    # Only these fields: the rest of the profile (the name on certificates) stays.
    Profile.objects.update_or_create(user=request.user, defaults=form.cleaned_data)
    messages.success(
        request,
        "Your reading preferences are saved. Every page uses them from now on, "
        "on any phone or computer you log in on.",
    )
    return redirect("account")


@never_cache
def data_download(request):
    """Everything the app holds about me, as a ZIP."""
    response = HttpResponse(services.data_export(request.user), content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.zip"'
    return response


@require_POST
def erasure(request):
    if request.user.is_staff:
        messages.error(request, "Staff accounts are closed by an administrator.")
        return redirect("account")
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Please tick the box to confirm that you want your account erased.")
        return redirect("account")
    services.request_erasure(request.user)
    messages.success(
        request,
        "Your request is sent. A course coordinator will confirm it; until then nothing is "
        "deleted and you can still log in and download your data.",
    )
    return redirect("account")
