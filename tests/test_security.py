"""Deployment settings, headers, logins and sessions."""

import contextlib
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session as DjangoSession

from tests.helpers import PASSWORD, log_in

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    """Run manage.py in a fresh process with exactly these settings variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_check_deploy_has_no_warnings_without_debug():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 60 + "-a-long-random-production-key-1234567890",
        DJANGO_ALLOWED_HOSTS="training.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_ALLOWED_HOSTS": "example.org"}, "DJANGO_SECRET_KEY is not set"),
        ({"DJANGO_SECRET_KEY": "k" * 50}, "DJANGO_ALLOWED_HOSTS is not set"),
        ({"DJANGO_DEBUG": "perhaps"}, "DJANGO_DEBUG must be one of"),
        (
            {
                "DJANGO_SECRET_KEY": "k" * 50,
                "DJANGO_ALLOWED_HOSTS": "x",
                "DJANGO_SESSION_IDLE_MINUTES": "ten",
            },
            "DJANGO_SESSION_IDLE_MINUTES must be a whole number",
        ),
    ],
)
def test_missing_or_bad_settings_stop_start_up_with_a_clear_message(env, message):
    result = manage("check", **{"DJANGO_DEBUG": "0", **env})
    assert result.returncode != 0
    assert message in result.stderr


def test_security_headers(alice_client):
    response = alice_client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "url",
    ["/", "/sessions/3/", "/sessions/3/a-personal-story-of-recovery/", "/journal/",
     "/journal/export/", "/assignments/1/", "/account/", "/account/data/"],
)  # fmt: skip
def test_personal_pages_are_never_stored_by_browsers_or_proxies(alice_client, url):
    response = alice_client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "url",
    ["/", "/sessions/3/", "/sessions/3/a-personal-story-of-recovery/", "/journal/",
     "/assignments/1/", "/account/", "/resources/"],
)  # fmt: skip
def test_pages_have_no_inline_script_or_style(alice_client, url):
    import re

    html = alice_client.get(url).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert " style=" not in html and "<style" not in html


# ---------------------------------------------------------------- logins


def attempt(client, username, password="wrong", ip="10.0.0.1", url="/accounts/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_account_from_that_address_only(client, alice, bob, cohort):
    for _ in range(4):
        assert attempt(client, "alice").status_code == 200
    assert attempt(client, "alice").status_code == 429  # the fifth failure locks
    locked = attempt(client, "alice", PASSWORD)  # even the right password, for now
    assert locked.status_code == 429
    assert "Please wait a little before trying again" in locked.content.decode()
    assert "try again in 15 minutes" in locked.content.decode()
    # The same account from elsewhere, and another account from here, still work.
    assert attempt(client, "alice", PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert attempt(client, "bob", PASSWORD).status_code == 302


def test_the_lock_out_does_not_reveal_whether_an_account_exists(client, alice):
    for username in ("alice", "nobody-at-all"):
        for _ in range(5):
            attempt(client, username)
        page = attempt(client, username).content.decode()
        assert "Please wait a little" in page
        assert username not in page


def test_a_success_resets_the_count(client, alice, cohort):
    for _ in range(4):
        attempt(client, "alice")
    assert attempt(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, "alice")
    assert attempt(client, "alice", PASSWORD).status_code == 302


def test_the_lock_out_ends_after_the_cool_off(client, alice, cohort):
    for _ in range(5):
        attempt(client, "alice")
    assert attempt(client, "alice", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16)
    )
    assert attempt(client, "alice", PASSWORD).status_code == 302


def test_the_admin_login_is_covered_too(client, coordinator):
    for _ in range(5):
        attempt(client, "cora", url="/admin/login/")
    assert attempt(client, "cora", PASSWORD, url="/admin/login/").status_code == 429


def test_logging_in_starts_a_new_session(client, alice, cohort):
    client.get("/accounts/login/")
    client.session["marker"] = "before"
    before = client.session.session_key
    log_in(client, "alice")
    assert client.session.session_key != before


def test_changing_the_password_ends_every_other_session(client, alice, cohort):
    from django.test import Client

    other_device = Client()
    other_device.force_login(alice)
    assert other_device.get("/").status_code == 200
    client.force_login(alice)
    client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-secret",
            "new_password2": "a-new-long-secret",
        },
    )
    assert client.get("/").status_code == 200  # this one carries on
    assert other_device.get("/").status_code == 302  # the other is logged out


def test_sessions_expire_after_the_idle_time_and_activity_extends_them(
    alice_client, settings, monkeypatch
):
    import time

    from peersupport import middleware

    assert settings.SESSION_COOKIE_AGE == 120 * 60
    session = DjangoSession.objects.get()
    DjangoSession.objects.update(expire_date=session.expire_date - timedelta(minutes=100))
    alice_client.get("/")  # within a minute of logging in: no write
    assert DjangoSession.objects.get().expire_date < session.expire_date - timedelta(minutes=99)
    later = time.time() + 61
    monkeypatch.setattr(middleware.time, "time", lambda: later)
    alice_client.get("/")  # activity a minute on: the clock starts again
    assert DjangoSession.objects.get().expire_date > session.expire_date - timedelta(minutes=1)


def test_keep_alive_answers_with_the_idle_time(alice_client):
    response = alice_client.post("/accounts/keep-alive/")
    assert response.json() == {"idle_seconds": 7200}
    assert alice_client.get("/accounts/keep-alive/").status_code == 405


def test_error_reports_never_carry_a_learners_writing(alice_client, alice, cohort, rf):
    from django.views.debug import SafeExceptionReporterFilter

    from reflections.models import ReflectionPrompt
    from reflections.views import answer

    request = rf.post("/", {"text": "MY-SECRET-WORDS", "shared_with_tutor": "on"})
    request.user = alice
    # The decorated view marks "text" as sensitive before anything can fail.
    with contextlib.suppress(Exception):  # only the marking matters here
        answer(request, prompt_id=ReflectionPrompt.objects.first().pk)
    cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleaned["text"] != "MY-SECRET-WORDS"


def test_the_app_server_refuses_to_start_without_a_secret_key():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", "import peersupport.wsgi"],
        cwd=ROOT, env=clean, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_manage_py_with_no_settings_at_all_is_a_developer_machine():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


@pytest.mark.parametrize(("value", "expected"), [(None, "True"), ("0", "False")])
def test_server_side_binding_is_on_for_postgresql_unless_turned_off(value, expected):
    """Off behind PgBouncer in transaction mode, which cannot keep prepared statements."""
    env = {"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://user@db.example.org:5432/name"}
    if value is not None:
        env["DATABASE_SERVER_SIDE_BINDING"] = value
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings;"
        "print(settings.DATABASES['default']['OPTIONS']['server_side_binding'])",
        **env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
