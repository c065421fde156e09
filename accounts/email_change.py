"""Changing an account's email address without handing the account over.

The address is where password-reset links go, so whoever can change it can
take the account, and with it a learner's private journal. So:

* A learner changes their own address from their account page, with their
  password; the change takes effect when the new address confirms it, and
  the old address is told.
* Staff (coordinators, and superusers) may change it in the admin only for
  an account that has never been used (a typo in an import); the old and
  new addresses are both told. Once a learner has logged in, only the
  learner can change it.
"""

from django.core import signing
from django.db import transaction

from accounts import emails
from outbox.services import queue_email

SALT = "accounts.email-change"
LINK_LASTS = 3 * 24 * 3600  # seconds


class EmailChangeError(Exception):
    """The message is for the person who tried."""


def staff_may_change(user) -> bool:
    return user.last_login is None


def confirmation_token(user, new_address: str) -> str:
    # The current address is signed too: once it changes, older links die.
    return signing.dumps({"u": user.pk, "new": new_address, "old": user.email}, salt=SALT)


def request_change(user, new_address: str, site_url: str) -> None:
    """A learner asks for ``new_address``: a link to it, a notice to the old."""
    new_address = new_address.strip()
    with transaction.atomic():
        queue_email(
            emails.email_change_confirmation,
            user,
            "Confirm a new email address",
            user_id=user.pk,
            new_address=new_address,
            site_url=site_url,
        )
        queue_email(
            emails.email_change_notice,
            user,
            "Email change asked for: notice to the old address",
            user_id=user.pk,
            old_address=user.email,
            new_address=new_address,
            by_staff=False,
        )


def confirm_change(user, token: str) -> str:
    """Apply the change a link confirms, for the logged-in ``user``."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_LASTS)
    except signing.SignatureExpired:
        raise EmailChangeError("This link has expired. Please ask for the change again.") from None
    except signing.BadSignature:
        raise EmailChangeError("This link is not valid. Please ask for the change again.") from None
    if data.get("u") != user.pk:
        raise EmailChangeError("This link is for another account: log in as its owner.")
    if data.get("old") != user.email:
        raise EmailChangeError("Your email address has changed since: this link no longer works.")
    changed(user, data["old"], data["new"], by_staff=False)
    return data["new"]


@transaction.atomic
def changed(user, old_address: str, new_address: str, by_staff: bool) -> None:
    """Save ``new_address`` (if not saved yet) and tell the old one."""
    if user.email != new_address:
        user.email = new_address
        user.save(update_fields=["email"])
    queue_email(
        emails.email_change_notice,
        user,
        "Email changed: notice to the old address",
        user_id=user.pk,
        old_address=old_address,
        new_address=new_address,
        by_staff=by_staff,
    )
