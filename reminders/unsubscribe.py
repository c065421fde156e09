"""The one-click unsubscribe link every reminder carries (RFC 8058).

The link holds a signed token naming the person and the kind of email: the
signature is the authority, so it works without logging in, from any mail
program. It does not expire (an old email's link still stops the emails);
nobody can make one for someone else without the secret key.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from reminders.models import Kind

SALT = "reminders.unsubscribe"


def make_token(user_id: int, kind: str) -> str:
    """The same for the same person and kind, so every email's link is one link."""
    return signing.Signer(salt=SALT).sign_object({"u": user_id, "k": Kind(kind).value})


def read_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) from a token, or None for one that was not made here."""
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
        return int(data["u"]), Kind(data["k"]).value
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_url(user_id: int, kind: str, site_url: str = "") -> str:
    """The link's absolute address, on ``site_url`` or else settings.SITE_URL;
    "" when neither is known (the email then says where to turn it off)."""
    site = (site_url or settings.SITE_URL).rstrip("/")
    if not site:
        return ""
    return site + reverse("unsubscribe", args=[make_token(user_id, kind)])


def unsubscribe_headers(url: str) -> dict:
    """RFC 2369's List-Unsubscribe and RFC 8058's one-click POST: mail
    programs show an "Unsubscribe" button that POSTs to the link."""
    if not url:
        return {}
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
