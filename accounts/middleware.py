from urllib.parse import quote

from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from accounts import second_factor

# What a login that still owes its second step may open.
OPEN_WHILE_PENDING = {
    "second_factor_verify", "second_factor_setup", "logout", "resources", "healthz",
    "keep_alive", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete",
}  # fmt: skip


class SecondFactorMiddleware:
    """Until a login that needs a second step has passed it, every page but
    those above leads to it: the setting-up page for staff who have no
    authenticator yet, else the page that asks for a code. Reads only the
    session for everyone else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if second_factor.is_pending(request) and not _open_while_pending(request.path_info):
            step = (
                "second_factor_verify"
                if second_factor.has_second_factor(request.user)
                else "second_factor_setup"
            )
            return redirect(f"{reverse(step)}?next={quote(request.get_full_path())}")
        return self.get_response(request)


def _open_while_pending(path) -> bool:
    try:
        return resolve(path).url_name in OPEN_WHILE_PENDING
    except Resolver404:
        return False
