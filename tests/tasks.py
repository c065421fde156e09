"""Running the task queue inside a test, as `manage.py worker` would."""

from contextlib import contextmanager
from unittest import mock

from django_tasks_db.management.commands.db_worker import Worker


def run_tasks() -> None:
    """Run every task that is due now (queued email), then return.

    The worker's own loop, in batch mode, without the signal handlers the
    command installs: it reads the queue through the test's own database
    connection, so it sees what the test's requests queued.
    """
    # The worker closes "old" connections between tasks; inside a test's
    # transaction Django finds the connection's autocommit changed and
    # closes it, which on PostgreSQL ends the test's transaction.
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        _run()


def _run() -> None:
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


@contextmanager
def worker_runs_after():
    """``with worker_runs_after(): client.post(...)``: the worker runs what
    the request queued once it has answered."""
    yield
    run_tasks()
