"""Several app servers on one PostgreSQL: a learner logs in through one and
writes through the other; two tutors on different servers race to claim
the same essay; the database drops every connection and the app recovers.

These start real gunicorn processes against a PostgreSQL database of their
own on 127.0.0.1:5432, whatever DATABASE_URL the rest of the suite uses.
Where no PostgreSQL answers they are skipped, saying why; CI always has one.
"""

import hashlib
import hmac
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DEMO_PASSWORD = "peersupport-demo"
LESSON = "/sessions/3/a-personal-story-of-recovery/"

pytestmark = pytest.mark.slow


def _postgres():
    import psycopg

    try:
        return psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=3, **PG)
    except psycopg.OperationalError as error:
        pytest.skip(f"No PostgreSQL on 127.0.0.1:5432 ({error}); CI always has one.")


@pytest.fixture(scope="module", params=["database", "redis"], ids=["db-sessions", "redis-sessions"])
def session_store(request):
    """Sessions in the database (no REDIS_URL) or in Redis (REDIS_URL set)."""
    if request.param == "redis":
        try:
            with socket.create_connection(("127.0.0.1", 6379), timeout=2):
                pass
        except OSError as error:
            pytest.skip(f"No Redis on 127.0.0.1:6379 ({error}); CI always has one.")
        return "redis://127.0.0.1:6379/15"
    return None


@pytest.fixture(scope="module")
def database_url(session_store):
    admin = _postgres()
    name = f"peersupport_multi_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    try:
        yield url
    finally:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def _env(database_url, redis_url=None):
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


def _manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def servers(database_url, session_store):
    env = _env(database_url, session_store)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "collectstatic", "--noinput", "-v0")
    _manage(env, "load_course")
    _manage(env, "seed_demo", "--force")
    # A second tutor for the demo cohort, to race the first.
    _manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import Group, User;"
        "from courses.models import Cohort;"
        "u = User.objects.filter(username='tutor2').first() or User.objects.create_user("
        "'tutor2', 'tutor2@example.com', 'peersupport-demo', is_staff=True);"
        "u.groups.add(Group.objects.get(name='Tutors'));"
        "Cohort.objects.get(name='Demo cohort').tutors.add(u);"
        "from django_otp.plugins.otp_totp.models import TOTPDevice;"
        "TOTPDevice.objects.get_or_create(user=u, confirmed=True, defaults={'name': 'Phone'})",
    )
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "peersupport.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for port in ports
    ]
    try:
        for port in ports:
            _wait_until_up(port)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def _wait_until_up(port, seconds=30):
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
            code = _authenticator_code(database_url, username)
            status, _, _ = self.post("/accounts/two-step/", {"code": code})
            assert status == 302, f"second step as {username} failed: {status}"

    def on(self, port):
        """The same cookies (the same login), through another server."""
        return Browser(port, self.cookies)


def _sql(database_url, query, params=()):
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        return connection.execute(query, params).fetchall()


def _authenticator_code(database_url, username):
    """The current code of the user's authenticator app (RFC 6238 TOTP)."""
    [(key, step, t0, digits, drift)] = _sql(
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


def test_log_in_through_one_server_and_keep_writing_through_the_other(
    servers, database_url, session_store
):
    first, second = servers
    learner = Browser(first)
    learner.log_in("learner")
    status, page, _ = learner.on(second).get(LESSON)
    assert status == 200 and "When I was 26" in page
    prompt_id = re.search(r'action="/journal/prompts/(\d+)/"', page).group(1)
    for port, text in [(second, "Written through the second server"), (first, "And the first")]:
        status, body, _ = learner.on(port).post(
            f"/journal/prompts/{prompt_id}/", {"text": text}, {"X-Requested-With": "fetch"}
        )
        assert status == 200, body
        assert json.loads(body)["saved"] is True
        stored = _sql(
            database_url,
            "SELECT text FROM reflections_reflection WHERE prompt_id = %s",
            [prompt_id],
        )
        assert stored == [(text,)]


def test_two_tutors_on_different_servers_race_to_claim_one_essay(servers, database_url):
    first, second = servers
    learner = Browser(first)
    learner.log_in("learner2")
    essay = " ".join(f"word{i}" for i in range(1600))
    assert (
        learner.post("/assignments/1/draft/", {"text": essay}, {"X-Requested-With": "fetch"})[0]
        == 200
    )
    assert learner.post("/assignments/1/submit/", {"declaration": "on"})[0] == 302
    [(submission_id,)] = _sql(
        database_url, "SELECT id FROM assessments_submission WHERE status = 'submitted'"
    )
    tutors = {"tutor": Browser(first), "tutor2": Browser(second)}
    for username, browser in tutors.items():
        browser.log_in(username, database_url)
    results = {}
    start = threading.Barrier(len(tutors))

    def open_essay(username):
        start.wait()
        results[username] = tutors[username].get(
            f"/admin/assessments/submission/{submission_id}/change/"
        )

    threads = [threading.Thread(target=open_essay, args=[name]) for name in tutors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [(claimed_by,)] = _sql(
        database_url,
        "SELECT u.username FROM assessments_submission s JOIN auth_user u ON u.id = s.claimed_by_id"
        " WHERE s.id = %s",
        [submission_id],
    )
    assert claimed_by in tutors
    loser = next(name for name in tutors if name != claimed_by)
    assert all(status == 200 for status, _, _ in results.values())
    assert "please leave it to them" in results[loser][1]
    assert "Being reviewed by:</strong>\n    you" in results[claimed_by][1]


def test_a_content_edit_shows_on_every_server_at_once(servers, database_url, session_store):
    """Each worker keeps a copy of the course in memory (courses/structure.py);
    an edit made anywhere else must reach all of them on their next page."""
    learner = Browser(servers[0])
    learner.log_in("learner")
    for port in servers:
        for _ in range(6):  # every worker has read the course into its memory
            status, page, _ = learner.on(port).get("/")
            assert status == 200 and "Welcome and Introductions" in page
    rename = (
        "from sessions.models import Session; s = Session.objects.get(number=1); "
        "s.title = {!r}; s.save()"
    )
    env = _env(database_url, session_store)
    _manage(env, "shell", "-c", rename.format("Welcome, everyone"))
    try:
        for port in servers:
            for _ in range(6):
                page = learner.on(port).get("/")[1]
                assert "Welcome, everyone" in page and "Welcome and Introductions" not in page
    finally:
        _manage(env, "shell", "-c", rename.format("Welcome and Introductions"))


def test_the_app_recovers_when_the_database_drops_every_connection(servers, database_url):
    first, second = servers
    learner = {port: Browser(port) for port in servers}
    for port in servers:
        learner[port].log_in("learner")
        assert learner[port].get("/")[0] == 200  # every worker has a connection now
    name = database_url.rsplit("/", 1)[1]
    admin = _postgres()
    terminated = admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = %s AND pid <> pg_backend_pid()",
        [name],
    ).fetchall()
    admin.close()
    assert terminated, "the servers held no connections to terminate"
    failures = 0
    for _ in range(20):
        for port in servers:
            status, _, _ = learner[port].get("/")
            failures += status != 200
    print(f"requests failed after every connection was terminated: {failures} of 40")
    # Health checks on persistent connections replace a dead one before use:
    # at most the first request on each worker may fail.
    assert failures <= 4, failures
    assert all(learner[port].get("/")[0] == 200 for port in servers)
