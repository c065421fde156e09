"""How an app says what an email contains.

An app writes a function that takes ids and returns the message, marks it
with ``@email_builder`` and hands it to ``outbox.services.queue_email``. The
function runs when the email is sent, so a retry writes the email from the
data as it is then (a corrected address, a fresh link).
"""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string


def email_builder(function):
    """Mark ``function`` as one the outbox may call to write an email."""
    function.is_email_builder = True
    return function


def plain_text_email(
    to, subject: str, template: str, context: dict, headers: dict | None = None
) -> EmailMessage | None:
    """A plain-text message to ``to`` (a user); None if they have no address
    (an erased account). ``headers``: extra ones, such as List-Unsubscribe."""
    if not to.email:
        return None
    return EmailMessage(
        subject=subject,
        body=render_to_string(template, context),
        to=[to.email],
        headers=headers,
    )
