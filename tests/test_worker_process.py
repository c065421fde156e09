"""The worker as a real process: killed while a mail server hangs, then
started again when it answers; the email still arrives, once.

`manage.py worker` runs against a SQLite file of the test's own (it must be
shared between processes); the mail server is tests/smtp.py.
"""

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.processes import ROOT, manage
from tests.smtp import SmtpServer

pytestmark = pytest.mark.slow


def _env(tmp_path, smtp_port):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="worker-process-test-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        DJANGO_EMAIL_HOST="127.0.0.1",
        DJANGO_EMAIL_PORT=str(smtp_port),
        DJANGO_EMAIL_TIMEOUT="60",  # longer than the test: the worker hangs until killed
        DJANGO_MAIL_STALLED_AFTER="1",
    )
    env.pop("REDIS_URL", None)
    return env


def _worker(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"waited {seconds} s in vain")


def _email_statuses(tmp_path):
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        return [row[0] for row in db.execute("SELECT status FROM outbox_email")]


def test_a_worker_killed_while_sending_loses_no_email(tmp_path):
    with SmtpServer(mode="hang") as smtp:
        env = _env(tmp_path, smtp.port)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_course", "-v0")
        manage(env, "seed_demo", "--force")
        manage(
            env, "shell", "-c",
            "from django.contrib.auth.models import User; from tests.essays import "
            "submitted_essay; submitted_essay(User.objects.get(username='learner'))",
        )  # fmt: skip
        assert _email_statuses(tmp_path) == ["pending"]

        first = _worker(env)
        try:
            _wait_for(lambda: smtp.connections >= 1)  # talking to the hanging server
            assert _email_statuses(tmp_path) == ["sending"]
        finally:
            first.kill()  # as the OOM killer or a lost host would
            first.wait(timeout=10)

        smtp.mode = "accept"
        time.sleep(1.2)  # DJANGO_MAIL_STALLED_AFTER
        second = _worker(env)
        try:
            _wait_for(lambda: len(smtp.messages) == 1)
            _wait_for(lambda: _email_statuses(tmp_path) == ["sent"])
        finally:
            second.terminate()  # a graceful stop, as a process manager does
            second.wait(timeout=20)
        assert second.returncode == 0
        assert smtp.subjects() == ["We have received your essay for assignment 1"]
        assert str(smtp.messages[0]["To"]) == "learner@example.com"
