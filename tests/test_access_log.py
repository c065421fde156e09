"""The access logs' view of a path: no query string, no secret."""

import pytest

from peersupport.access_log import loggable_path


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/calendar/abcDEF_123-x.ics", "/calendar/(token).ics"),
        ("/calendar/abc.ics?x=1", "/calendar/(token).ics"),
        ("/unsubscribe/eyJ1Ijo1fQ:1sX:abc/", "/unsubscribe/(token)/"),
        ("/accounts/email/confirm/abc/", "/accounts/email/confirm/(token)/"),
        ("/accounts/reset/MQ/set-password/", "/accounts/reset/(token)/"),
        ("/sessions/3/?q=private", "/sessions/3/"),
        ("/account/calendar/reset/", "/account/calendar/reset/"),
        ("/", "/"),
    ],
)
def test_secrets_and_query_strings_are_left_out(path, logged):
    assert loggable_path(path) == logged
