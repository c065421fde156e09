"""Two-step sign-in: an authenticator app's code (TOTP) and single-use
recovery codes, through django-otp.

Staff (tutors, coordinators, administrators) must use it: until a staff
login has passed its second step, it opens nothing but the pages that set up
or check the second factor. Learners may turn it on from their account page;
then it is required for them too.

A login that has passed the second step carries django-otp's device id in
its session (``DEVICE_ID_SESSION_KEY``); whether one is needed at all is
decided once, at login, and kept in the session too, so a page that needs
neither costs no query. Failed codes count towards the same lock-out as
failed passwords (django-axes, per account and address), and the count is
cleared only once the whole sign-in succeeds.
"""

import io
from dataclasses import dataclass

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# Set at login: this login must pass the second step before it opens anything.
REQUIRED_SESSION_KEY = "second_factor_required"
RECOVERY_CODE_COUNT = 10
AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"


def has_second_factor(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def is_required(user) -> bool:
    """Staff always; a learner once they have set it up."""
    return user.is_staff or has_second_factor(user)


def note_login(request, user) -> None:
    """At login: whether this login needs the second step. When it does not,
    the sign-in is complete, and its failed attempts are cleared."""
    required = is_required(user)
    request.session[REQUIRED_SESSION_KEY] = required
    if not required:
        clear_failures(request, user)


def is_verified(request) -> bool:
    return DEVICE_ID_SESSION_KEY in request.session


def is_pending(request) -> bool:
    """Logged in, but not through the second step it needs yet."""
    user = request.user
    if not user.is_authenticated or is_verified(request):
        return False
    return user.is_staff or bool(request.session.get(REQUIRED_SESSION_KEY))


# ---------------------------------------------------------------- setting up


def unconfirmed_device(user) -> TOTPDevice:
    """The authenticator being set up: the same one until it is confirmed, so
    reloading the page does not change the code to scan."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code (made here: no
    request leaves the site)."""
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        buffer, kind="svg", border=4, omitsize=True, xmldecl=False, svgns=True, title="QR code"
    )
    return buffer.getvalue().decode()


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@dataclass(frozen=True)
class SetUp:
    device: TOTPDevice
    recovery_codes: list[str]


def confirm(request, device: TOTPDevice, code: str) -> SetUp | None:
    """Confirm the authenticator with a code from it; on success the login is
    verified and fresh recovery codes are made (shown once, stored only as
    django-otp keeps them)."""
    if not _verify(request, device, code):
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
        codes = new_recovery_codes(device.user)
    _verified(request, device)
    return SetUp(device, codes)


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with ten new ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


# ---------------------------------------------------------------- signing in


def verify(request, code: str) -> bool:
    """Check a code from the authenticator, or a recovery code (which then
    stops working), for the logged-in user."""
    code = "".join(code.split()).lower()
    # Six digits come from the app; anything else is a recovery code. Asking
    # only the device it can be for keeps the other's throttling untouched.
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    device = model.objects.filter(user=request.user, confirmed=True).first()
    if device is not None and _verify(request, device, code, count_failure=False):
        _verified(request, device)
        return True
    _failed(request, request.user)
    return False


def is_locked_out(request) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": request.user.get_username()})


def _verify(request, device, code: str, count_failure=True) -> bool:
    with transaction.atomic():
        # Locked, as django_otp.verify_token does, so its throttling holds
        # when two requests try codes at once.
        device = type(device).objects.select_for_update().get(pk=device.pk)
        ok = device.verify_token(code)
    if not ok and count_failure:
        _failed(request, device.user)
    return ok


def _failed(request, user) -> None:
    # Counted by django-axes like a wrong password, for this account and address.
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )


def _verified(request, device) -> None:
    otp_login(request, device)
    clear_failures(request, device.user)


def clear_failures(request, user) -> None:
    AxesProxyHandler.update_request(request)  # the client's address, as axes reads it
    AxesProxyHandler.get_implementation().reset_user_attempts(
        request, {"username": user.get_username()}
    )


# ---------------------------------------------------------------- resetting


def turn_off(user) -> int:
    """Remove every second-factor device of ``user`` (a lost phone: the
    operator's `reset_second_factor`, or a learner turning it off)."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    return removed
