"""What an access log may say about a request's address.

Some addresses carry a secret in their path: a calendar feed's token, a
one-click unsubscribe link, an email-change or password-reset link. Whoever
reads the logs could use them, so the logs show the path with the secret
replaced, and never the query string. gunicorn uses the logger below
(gunicorn.conf.py); nginx has the same patterns in its log map
(deploy/nginx-site.conf); tests/test_nginx.py checks both logs.
"""

import re

from gunicorn.glogging import Logger

SECRET_PATHS = [
    (re.compile(r"^/calendar/[^/]+\.ics$"), "/calendar/(token).ics"),
    (re.compile(r"^/unsubscribe/[^/]+/$"), "/unsubscribe/(token)/"),
    (re.compile(r"^/accounts/email/confirm/[^/]+/$"), "/accounts/email/confirm/(token)/"),
    (re.compile(r"^/accounts/reset/[^/]+/[^/]+/$"), "/accounts/reset/(token)/"),
]


def loggable_path(path: str) -> str:
    """``path`` without its query string, and with any secret in it replaced."""
    path = path.split("?", 1)[0]
    for pattern, replacement in SECRET_PATHS:
        if pattern.match(path):
            return replacement
    return path


class PathMaskingLogger(Logger):
    """gunicorn's logger, writing the request line with loggable_path()."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = loggable_path(atoms.get("U", ""))
        atoms.update(U=path, q="", r=f"{atoms.get('m', '-')} {path} {atoms.get('H', '-')}")
        return atoms
