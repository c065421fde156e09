#!/usr/bin/env python3
"""Render the nginx configuration for Peer Support Training (stdlib only).

For a system nginx (production), print the site file:

    python deploy/render_nginx.py --server-name learn.example.org \\
        --upstream 127.0.0.1:8000 --static-root /srv/peersupport/staticfiles \\
        > /etc/nginx/sites-available/peersupport

For a standalone nginx that keeps its pid, temporary files and logs in one
folder (make serve, tests/test_nginx.py), write nginx.conf and site.conf there:

    python deploy/render_nginx.py --prefix /tmp/px --listen 127.0.0.1:8000 \\
        --upstream 127.0.0.1:8001 --upstream 127.0.0.1:8002
    nginx -p /tmp/px -c /tmp/px/nginx.conf -e stderr
"""

import argparse
import grp
import os
import pwd
import re
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
PLACEHOLDER = re.compile(r"@([A-Z_]+)@")
# A value goes into the configuration as one word: nothing that could end a
# directive, open a block, start a comment or name a variable.
UNSAFE = re.compile(r"""[\s;{}#$"'\\]""")


def render(template: Path, values: dict[str, str]) -> str:
    def value(match):
        name = match.group(1)
        if name not in values:
            raise SystemExit(f"{template.name}: no value for @{name}@")
        return values[name]

    return PLACEHOLDER.sub(value, template.read_text())


def word(name: str, text: str) -> str:
    if not text or UNSAFE.search(text):
        raise SystemExit(f"{name}: {text!r} cannot go into an nginx configuration")
    return text


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--prefix",
        type=Path,
        help="write a standalone nginx.conf and site.conf to this folder (else print the site)",
    )
    parser.add_argument(
        "--listen", help="nginx's address: 80 for a site, e.g. 127.0.0.1:8000 standalone"
    )
    parser.add_argument(
        "--server-name", default="_", help="the site's host name(s), space-separated (default: any)"
    )
    parser.add_argument(
        "--upstream",
        action="append",
        help="a gunicorn address (host:port or unix:/path); repeat for several "
        "(default 127.0.0.1:8000, gunicorn.conf.py's)",
    )
    parser.add_argument(
        "--static-root", type=Path, default=ROOT / "staticfiles", help="STATIC_ROOT"
    )
    parser.add_argument("--access-log", help="default: PREFIX/logs/access.log, or nginx's folder")
    parser.add_argument(
        "--error-log", help="standalone only; default PREFIX/logs/error.log ('stderr' works)"
    )
    parser.add_argument("--mime-types", default="/etc/nginx/mime.types")
    args = parser.parse_args(argv)

    static_root = args.static_root.resolve()
    if not (static_root / "staticfiles.json").exists():
        print(
            f"warning: {static_root} has no staticfiles.json: run "
            "`python manage.py collectstatic` before nginx serves it",
            file=sys.stderr,
        )
    upstreams = args.upstream or ["127.0.0.1:8000"]
    names = args.server_name.split()
    prefix = args.prefix.resolve() if args.prefix else None
    if prefix:
        access_log = args.access_log or str(prefix / "logs" / "access.log")
    else:
        access_log = args.access_log or "/var/log/nginx/peersupport.access.log"
    site = render(
        DEPLOY / "nginx-site.conf",
        {
            "UPSTREAM_SERVERS": "\n".join(
                f"    server {word('--upstream', u)};" for u in upstreams
            ),
            "LISTEN": word("--listen", args.listen or ("127.0.0.1:8000" if prefix else "80")),
            "SERVER_NAME": " ".join(word("--server-name", n) for n in names),
            "STATIC_ROOT": word("--static-root", str(static_root)),
            "ERROR_PAGES": word("deploy/errors", str(DEPLOY / "errors")),
            "ACCESS_LOG": word("--access-log", access_log),
        },
    )
    if prefix is None:
        sys.stdout.write(site)
        return

    for folder in (prefix, prefix / "tmp", prefix / "logs"):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.geteuid() == 0:
        user = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        user_line = f"user {user} {group};"
    else:
        user_line = "# (not root: the workers run as this user; no `user` directive)"
    main_conf = render(
        DEPLOY / "nginx.conf",
        {
            "PREFIX": word("--prefix", str(prefix)),
            "USER_LINE": user_line,
            "ERROR_LOG": word("--error-log", args.error_log or str(prefix / "logs" / "error.log")),
            "MIME_TYPES": word("--mime-types", args.mime_types),
        },
    )
    (prefix / "site.conf").write_text(site)
    (prefix / "nginx.conf").write_text(main_conf)
    print(prefix / "nginx.conf")


if __name__ == "__main__":
    main()
