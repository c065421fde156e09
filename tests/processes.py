"""Helpers for the tests that start real processes (gunicorn, nginx, the
task worker) against a database of their own: tests/test_multiprocess.py,
tests/test_nginx.py, tests/test_worker_process.py."""

import hashlib
import hmac
import http.client
import os
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DEMO_PASSWORD = "peersupport-demo"
LESSON = "/sessions/3/a-personal-story-of-recovery/"


def postgres():
    import psycopg

    try:
        return psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=3, **PG)
    except psycopg.OperationalError as error:
        pytest.skip(f"No PostgreSQL on 127.0.0.1:5432 ({error}); CI always has one.")


def environment(database_url, redis_url=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="multi-process-test-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_HSTS_SECONDS="0",
        MEDIA_ROOT=str(ROOT / "test-artifacts" / "multi-media"),
    )
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn(port, env, log=None, workers=2):
    """A gunicorn process of the app, as in production, on ``port``."""
    logging = ["--access-logfile", str(log), "--error-logfile", str(log)] if log else []
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), *logging,
         "peersupport.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_until_up(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Browser(port).get("/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn on port {port} did not start")


class Browser:
    """A tiny HTTP client that keeps cookies (Secure ones too, as a browser
    behind TLS would) and never follows redirects."""

    def __init__(self, port, cookies=None):
        self.port = port
        self.cookies = cookies if cookies is not None else {}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies:
            headers.setdefault("X-CSRFToken", self.cookies["csrftoken"])
            headers.setdefault("Referer", f"http://127.0.0.1:{self.port}/")
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response.status, content, response

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data, headers=None):
        return self.request(
            "POST",
            path,
            urlencode(data),
            {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        )

    def log_in(self, username, database_url=None):
        """The password; then, for staff (give database_url), the second
        step, with the code their authenticator app would show."""
        self.get("/accounts/login/")
        status, _, response = self.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert status == 302, f"login as {username} failed: {status}"
        if database_url is None:
            return
        status, _, response = self.get("/admin/")
        if status == 302 and response.headers["Location"].startswith("/accounts/two-step/"):
            code = authenticator_code(database_url, username)
            status, _, _ = self.post("/accounts/two-step/", {"code": code})
            assert status == 302, f"second step as {username} failed: {status}"

    def on(self, port):
        """The same cookies (the same login), through another server."""
        return Browser(port, self.cookies)


def sql(database_url, query, params=()):
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        return connection.execute(query, params).fetchall()


def authenticator_code(database_url, username):
    """The current code of the user's authenticator app (RFC 6238 TOTP)."""
    [(key, step, t0, digits, drift)] = sql(
        database_url,
        "SELECT d.key, d.step, d.t0, d.digits, d.drift FROM otp_totp_totpdevice d"
        " JOIN auth_user u ON u.id = d.user_id WHERE u.username = %s AND d.confirmed",
        [username],
    )
    counter = (int(time.time()) - t0) // step + drift
    digest = hmac.new(bytes.fromhex(key), counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"
