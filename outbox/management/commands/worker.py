"""The task worker: sends queued email (and, later, anything slow).

It is django-tasks-db's ``db_worker`` (every option of it works here), which
first queues again any email a worker that died left unsent. Run one or more
under a process manager, on any host that reaches the database (README,
"Operations").
"""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from outbox.services import recover_stalled


class Command(DatabaseWorkerCommand):
    help = (
        "Run the task worker (queued email and other background work). Emails a stopped "
        "worker left unsent are queued again first."
    )

    def handle(self, *args, **options):
        recovered = recover_stalled()
        if recovered and options["verbosity"]:
            self.stdout.write(f"Queued again {recovered} email(s) a stopped worker left unsent.")
        super().handle(*args, **options)
