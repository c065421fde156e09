"""Queue the reminders and tutors' digests that are due now.

Run it every few minutes (a systemd timer, deploy/peersupport-reminders.timer,
or cron); the worker sends what it queues. Safe to run again, or twice at
once: each reminder is sent at most once (reminders/services.py). `make run`
keeps one running with ``--every 300`` beside the worker.
"""

import logging
import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from reminders.models import Kind
from reminders.services import send_due_reminders

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Queue the reminders (a session tomorrow, a deadline in 3 days) and tutors' digests "
        "that are due now, outside quiet hours (21:00-08:00 where each cohort meets). Run "
        "it every few minutes; nothing is ever sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Keep running, once every SECONDS, until stopped (for development: "
            "production runs it from a timer).",
        )

    def handle(self, *args, every=None, **options):
        self.run_once(options["verbosity"])
        while every:
            time.sleep(every)
            close_old_connections()
            try:
                self.run_once(options["verbosity"])
            except DatabaseError as error:  # a locked or restarting database: next time
                logger.warning("Reminders not queued this time: %s", type(error).__name__)

    def run_once(self, verbosity):
        try:
            counts = send_due_reminders()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if verbosity:
            self.stdout.write(
                f"Queued {counts[Kind.SESSION_TOMORROW]} session reminder(s), "
                f"{counts[Kind.DEADLINE_SOON]} deadline reminder(s) and "
                f"{counts[Kind.TUTOR_DIGEST]} tutors' digest(s); "
                f"{counts['already sent']} were sent before."
            )
