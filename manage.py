#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersupport.settings")
    # manage.py on a developer's machine, with no settings given at all, runs
    # in development mode. A deployment sets DJANGO_SECRET_KEY (the app server,
    # peersupport/wsgi.py, refuses to start without it), and then debug stays
    # off unless DJANGO_DEBUG says otherwise.
    if "DJANGO_DEBUG" not in os.environ and "DJANGO_SECRET_KEY" not in os.environ:
        os.environ["DJANGO_DEBUG"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
