"""What learners do about finishing the course: apologies in advance, their
certificate (the PDF, whether it can be checked online, the name printed on
it), and the public page that checks a certificate."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.backends import client_address
from accounts.models import Profile
from completion import services
from completion.models import Certificate
from completion.pdf import certificate_pdf
from courses.learner.access import learner_page
from courses.models import Enrolment

# Checking certificates: at most this many lookups an hour from one address,
# so that nobody can try codes in bulk (they are 100 bits long anyway).
VERIFY_LOOKUPS_PER_HOUR = 30
APOLOGY_NOTE_MAX = 2000


@require_POST
@learner_page
def apologies(request, number):
    """Send apologies for a session in advance, or take them back."""
    access = request.access
    session = access.structure.session_by_number.get(number)
    if session is None or access.is_preview:
        raise Http404("No such session.")
    enrolment = Enrolment.objects.select_related("learner").get(pk=access.enrolment_id)
    try:
        if request.POST.get("action") == "withdraw":
            services.withdraw_apologies(enrolment, session)
            messages.info(request, "Your apologies are withdrawn: see you at the session.")
        else:
            note = request.POST.get("note", "").replace("\x00", "")[:APOLOGY_NOTE_MAX]
            services.send_apologies(enrolment, session, note)
            messages.success(request, "Your apologies are sent to your tutor. Thank you.")
    except services.CompletionError as error:
        messages.error(request, str(error))
    return redirect(session.page_url)


def _own_certificate(request, pk) -> Certificate:
    return get_object_or_404(Certificate.objects.live(), pk=pk, enrolment__learner=request.user)


@never_cache
def certificate_download(request, pk):
    certificate = _own_certificate(request, pk)
    response = HttpResponse(
        certificate_pdf(certificate, request.build_absolute_uri("/")),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


@require_POST
def certificate_verification(request, pk):
    certificate = _own_certificate(request, pk)
    enabled = request.POST.get("enabled") == "1"
    services.set_verification(certificate, enabled)
    messages.success(
        request,
        "Anyone with your certificate's code can now check it online."
        if enabled
        else "Your certificate can no longer be checked online.",
    )
    return redirect("account")


class NameForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["name_on_certificate"]


@require_POST
def certificate_name(request):
    profile, _ = Profile.objects.get_or_create(user=request.user)
    form = NameForm(request.POST, instance=profile)
    if form.is_valid():
        form.save()
        messages.success(request, "Saved. Certificates issued from now on will show this name.")
    else:
        # Only a name too long to print gets here (the field also says so in
        # the browser); what was typed comes back in the message, not lost.
        typed = request.POST.get("name_on_certificate", "")
        problems = " ".join(form.errors.get("name_on_certificate", []))
        messages.error(request, f"Your name was not saved: {problems} You typed: {typed}")
    return redirect("account")


def normalise_code(code: str) -> str:
    """What was typed, as codes are printed: capitals in groups of four."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@never_cache
@login_not_required
def verify(request):
    """Check a certificate by its whole code. Only certificates whose holder
    turned checking on are found; anything else is "not found", whatever
    the reason, so nothing about anyone can be learnt by guessing."""
    typed = request.GET.get("code", "")[:100]
    if not typed.strip():
        return render(request, "completion/verify.html", {"code": ""})
    if _too_many_lookups(request):
        return render(
            request,
            "429.html",
            {"reason": "Too many certificates were checked from here in the last hour."},
            status=429,
        )
    certificate = (
        Certificate.objects.filter(code=normalise_code(typed), verification_enabled=True)
        .order_by("-issued_at")
        .first()
    )
    if certificate is None:
        return render(request, "completion/not_found.html", status=404)
    response = render(
        request, "completion/verify.html", {"certificate": certificate, "code": certificate.code}
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def _too_many_lookups(request) -> bool:
    key = f"certificate-lookups:{client_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > getattr(settings, "CERTIFICATE_LOOKUPS_PER_HOUR", VERIFY_LOOKUPS_PER_HOUR)
