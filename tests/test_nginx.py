"""nginx in front of two gunicorn processes, with the repository's
configuration (deploy/): slow clients hold no worker, pages come compressed
by Django (with BREACH padding) and pass through nginx untouched, static files
come from nginx with long cache lifetimes, a body over the limit gets the
friendly 413 page, and uploads are never served.

Like tests/test_multiprocess.py these start real processes against a
PostgreSQL database of their own, and are skipped, saying why, where no
PostgreSQL answers. nginx must be installed (`make test` installs Debian's):
without it they fail.
"""

import contextlib
import gzip
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest

from tests.processes import (
    LESSON,
    PG,
    ROOT,
    Browser,
    environment,
    free_port,
    gunicorn,
    manage,
    postgres,
    sql,
    wait_until_up,
)

pytestmark = pytest.mark.slow

SLOW_CLIENTS = 50
MB = 1024 * 1024


def _nginx_binary():
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    assert os.access(found, os.X_OK), (
        "nginx is not installed; `make test` installs Debian's (apt-get install nginx)"
    )
    return found


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """PostgreSQL database → two gunicorn processes (two sync workers each) →
    one nginx. Yields the ports and the folder with the processes' logs."""
    nginx = _nginx_binary()
    admin = postgres()
    name = f"peersupport_nginx_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    folder = tmp_path_factory.mktemp("nginx-stack")
    env = environment(url)
    env.update(DJANGO_PROXY_COUNT="1", DJANGO_SECURE_PROXY_SSL_HEADER="1")
    processes = []
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "load_course")
        manage(env, "seed_demo", "--force")
        app_ports = [free_port(), free_port()]
        for index, port in enumerate(app_ports):
            log = folder / f"gunicorn-{index}.log"
            processes.append(gunicorn(port, env, log=log))
        port = free_port()
        prefix = folder / "nginx"
        render = [sys.executable, "deploy/render_nginx.py", "--prefix", str(prefix)]
        render += ["--listen", f"127.0.0.1:{port}"]
        for app_port in app_ports:
            render += ["--upstream", f"127.0.0.1:{app_port}"]
        subprocess.run(render, cwd=ROOT, check=True, capture_output=True)
        processes.append(
            subprocess.Popen(
                [
                    nginx,
                    "-p",
                    str(prefix),
                    "-c",
                    str(prefix / "nginx.conf"),
                    "-e",
                    str(prefix / "logs" / "error.log"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
        )
        for app_port in app_ports:
            wait_until_up(app_port)
        wait_until_up(port)
        yield {"port": port, "app_ports": app_ports, "folder": folder, "database_url": url}
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@pytest.fixture(scope="module")
def learner(stack):
    """A learner logged in through nginx, as a browser logs in: with an
    Origin, which Django's CSRF check compares with the Host nginx passes on
    (port included)."""
    browser = Browser(stack["port"])
    browser.get("/accounts/login/")
    site = f"127.0.0.1:{stack['port']}"
    status, _, _ = browser.post(
        "/accounts/login/",
        {"username": "learner", "password": "peersupport-demo"},
        {"Host": site, "Origin": f"http://{site}"},
    )
    assert status == 302, "login through nginx failed"
    return browser


def _app_log(stack):
    return "".join((stack["folder"] / f"gunicorn-{i}.log").read_text() for i in (0, 1))


def _app_logged(stack, text, seconds=5):
    """Whether the app logs text within a few seconds: gunicorn writes its
    access log line just after the response, which nginx may have passed on
    already."""
    deadline = time.monotonic() + seconds
    while text not in _app_log(stack):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _raw(port, method, path, headers=None, cookies=None, body=None):
    """One request; the response's status, headers and undecoded body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {"Host": "127.0.0.1", **(headers or {})}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response.status, response.headers, content


class SlowClients:
    """Connections that never finish their request: half send their headers a
    line at a time (slowloris), half send a form body a few bytes at a time.
    A thread trickles a little more down each of them every second."""

    def __init__(self, port, count):
        self.port = port
        self.headers_only, self.bodies = [], []
        for index in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.settimeout(None)  # blocking, so that MSG_DONTWAIT returns at once
            if index % 2:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                self.headers_only.append(sock)
            else:
                sock.sendall(
                    b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: 100000\r\n\r\nusername=learner"
                )
                self.bodies.append(sock)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self):
        while not self.stopping.wait(1):
            for sock in self.headers_only:
                self._send(sock, b"X-Slow: 1\r\n")
            for sock in self.bodies:
                self._send(sock, b"x")

    @staticmethod
    def _send(sock, data):
        with contextlib.suppress(OSError):  # closed by the server
            sock.sendall(data)

    @staticmethod
    def is_open(sock):
        """Open with nothing to read: no response yet, not closed."""
        try:
            sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)  # b"" when closed
        except BlockingIOError:
            return True
        except OSError:
            return False
        return False

    def close(self):
        self.stopping.set()
        self.thread.join()
        for sock in self.headers_only + self.bodies:
            sock.close()


def test_slow_clients_hold_no_worker(stack, learner):
    """Four sync workers behind nginx, 50 connections that never finish: a
    learner's page answers at once. Without nginx in front (the slow clients
    pointed at the gunicorns), the same page waits for a worker to be killed
    by gunicorn's 60 s timeout."""
    for _ in range(8):  # every worker has the course in memory
        assert learner.get(LESSON)[0] == 200
    logins = _app_log(stack).count("POST /accounts/login/")
    opened = time.monotonic()
    slow = SlowClients(stack["port"], SLOW_CLIENTS)
    try:
        time.sleep(2)  # long enough for every slow client to reach whatever serves it
        timings = []
        for _ in range(6):
            started = time.monotonic()
            status, page, _ = learner.get(LESSON)
            timings.append(time.monotonic() - started)
            assert status == 200 and "When I was 26" in page
        still_open = sum(map(slow.is_open, slow.headers_only + slow.bodies))
        print(
            f"\nlesson page through nginx with {SLOW_CLIENTS} slow clients open "
            f"({still_open} still open): slowest {max(timings) * 1000:.0f} ms, "
            f"fastest {min(timings) * 1000:.0f} ms"
        )
        assert still_open == SLOW_CLIENTS
        assert max(timings) < 1, timings
        # Nothing of theirs reached the app: nginx still holds every request.
        assert _app_log(stack).count("POST /accounts/login/") == logins

        # client_header_timeout (10 s) for the whole header: nginx drops the
        # slowloris connections however steadily they trickle. A body that
        # keeps coming stays open (client_body_timeout is 10 s between reads).
        time.sleep(max(0, opened + 11.5 - time.monotonic()))
        assert not any(map(slow.is_open, slow.headers_only))
        assert all(map(slow.is_open, slow.bodies))
        print(f"after {time.monotonic() - opened:.1f} s: nginx closed every slowloris connection")
    finally:
        slow.close()


def _gzip_padding(body):
    """The length of the FNAME field Django's GZipMiddleware writes into the
    gzip header: random padding against BREACH."""
    assert body[:3] == b"\x1f\x8b\x08", "not gzip"
    assert body[3] & 0x08, "no FNAME field: not compressed by Django's GZipMiddleware"
    return body.index(b"\0", 10) - 10


def test_pages_are_compressed_by_django_and_pass_through_untouched(stack, learner):
    plain_status, plain_headers, plain = _raw(
        stack["port"], "GET", "/", {"Accept-Encoding": "identity"}, learner.cookies
    )
    assert plain_status == 200 and plain_headers["Content-Encoding"] is None
    responses = [
        _raw(stack["port"], "GET", "/", {"Accept-Encoding": "gzip"}, learner.cookies)
        for _ in range(4)
    ]
    for status, headers, body in responses:
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in headers["Vary"]
        assert b"Welcome and Introductions" in gzip.decompress(body)
    bodies = [body for _, _, body in responses]
    paddings = [_gzip_padding(body) for body in bodies]
    print(
        f"\ndashboard: {len(plain)} bytes plain, {[len(b) for b in bodies]} bytes gzipped; "
        f"gzip padding {paddings} bytes"
    )
    assert max(len(b) for b in bodies) < len(plain) / 3
    assert len(set(bodies)) == len(bodies)
    assert len({len(b) for b in bodies}) > 1 or len(set(paddings)) > 1


def test_static_files_come_from_nginx_with_long_cache_lifetimes(stack):
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())
    hashed = "/static/" + manifest["paths"]["css/site.css"]
    status, headers, body = _raw(stack["port"], "GET", hashed, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"  # the .gz collectstatic wrote
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Type"].startswith("text/css")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert gzip.decompress(body) == (ROOT / "staticfiles" / "css" / "site.css").read_bytes()
    status, headers, _ = _raw(stack["port"], "GET", "/static/css/site.css")
    assert status == 200 and headers["Cache-Control"] == "public, max-age=60"
    assert headers["Content-Encoding"] is None
    assert _raw(stack["port"], "GET", "/static/css/no-such-file.css")[0] == 404
    font = (
        "/static/"
        + manifest["paths"]["fonts/atkinson-hyperlegible/AtkinsonHyperlegible-Regular.ttf"]
    )
    status, headers, _ = _raw(stack["port"], "GET", font)
    assert (status, headers["Content-Type"]) == (200, "font/ttf")
    print(f"\n{hashed}: {len(body)} bytes gzipped, {headers['Content-Length']} plain")
    assert "/static/" not in _app_log(stack)


def test_a_body_over_the_limit_gets_the_friendly_413_page(stack, learner):
    connection = http.client.HTTPConnection("127.0.0.1", stack["port"], timeout=20)
    connection.putrequest("POST", "/assignments/1/submit/", skip_host=True)
    connection.putheader("Host", "127.0.0.1")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(27 * MB))
    connection.endheaders()  # nginx answers from the headers alone
    response = connection.getresponse()
    page = response.read().decode()
    connection.close()
    assert response.status == 413
    assert response.headers["Content-Type"].startswith("text/html")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "That file is too large" in page and "25 MB" in page
    assert "nginx" not in page
    # A body under the limit passes (the essay form answers it).
    status, _, _ = _raw(
        stack["port"],
        "POST",
        "/assignments/1/submit/",
        {"Content-Type": "application/x-www-form-urlencoded"},
        learner.cookies,
        body=b"x=" + b"y" * (2 * MB),
    )
    assert status != 413
    assert _app_logged(stack, "POST /assignments/1/submit/")


def test_uploads_are_never_served(stack, learner):
    media = ROOT / "test-artifacts" / "multi-media"  # the MEDIA_ROOT of environment
    secret = media / "essays" / "private.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("a learner's private essay")
    try:
        for path in ["/media/essays/private.txt", "/media/", "/media/anything"]:
            status, headers, body = _raw(stack["port"], "GET", path, cookies=learner.cookies)
            assert status == 404, path
            assert b"private essay" not in body
        assert "/media/" not in _app_log(stack)  # nginx answered, not the app
    finally:
        secret.unlink()


def test_error_pages_are_not_reachable_directly(stack):
    assert _raw(stack["port"], "GET", "/_errors/413.html")[0] == 404


def test_the_app_sees_the_clients_address_not_nginxs(stack):
    """A failed login from 127.0.0.2, claiming to come from elsewhere: the
    lock-out counts it against 127.0.0.2, neither nginx's address nor the
    forged one."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", stack["port"], timeout=20, source_address=("127.0.0.2", 0)
    )
    connection.request("GET", "/accounts/login/", headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    page = response.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", response.headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = f"csrfmiddlewaretoken={token}&username=someone-else&password=wrong"
    connection.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Host": "127.0.0.1",
            "Cookie": f"csrftoken={cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": "203.0.113.9",
        },
    )
    assert connection.getresponse().status == 200  # the form again, with an error
    connection.close()
    addresses = sql(stack["database_url"], "SELECT ip_address FROM axes_accessattempt")
    assert [str(address) for (address,) in addresses] == ["127.0.0.2"]


def test_a_standalone_nginx_keeps_its_files_in_its_prefix(tmp_path):
    """pid, logs and temporary files in the given folder, so make serve and
    these tests run as any user; and the settings this stack relies on."""
    prefix = tmp_path / "nginx"
    subprocess.run(
        [sys.executable, "deploy/render_nginx.py", "--prefix", str(prefix)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    conf = (prefix / "nginx.conf").read_text() + (prefix / "site.conf").read_text()
    conf = re.sub(r"#.*", "", conf)
    files = re.findall(r"^\s*(pid|\w+_log|\w+_temp_path)\s+(\S+?)[\s;]", conf, re.M)
    assert len(files) == 8, files
    assert all(path.startswith(f"{prefix}/") for _, path in files), files
    assert not re.search(r"\bgzip\s+on", conf), "nginx must never compress pages"
    assert re.search(r"^\s*gzip\s+off;", conf, re.M)
    assert re.search(r"^\s*proxy_request_buffering\s+on;", conf, re.M)
    assert re.search(r"^\s*proxy_buffering\s+on;", conf, re.M)
    assert re.search(r"^\s*server_tokens\s+off;", conf, re.M)
    result = subprocess.run(
        [_nginx_binary(), "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
         "-e", str(prefix / "logs" / "error.log")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_secrets_in_paths_stay_out_of_both_access_logs(stack):
    """A calendar token or an unsubscribe link in a log would let whoever
    reads the logs use them: both logs show the path with the secret replaced."""
    secret = "Zq8SECRETtoken-in-the-path"
    for path in (
        f"/calendar/{secret}.ics",
        f"/unsubscribe/{secret}/",
        f"/accounts/email/confirm/{secret}/",
        f"/accounts/reset/MQ/{secret}/",
        f"/healthz?who={secret}",
    ):
        _raw(stack["port"], "GET", path)
    assert _app_logged(stack, "GET /healthz ")
    assert _app_logged(stack, "GET /calendar/(token).ics ")
    access_log = stack["folder"] / "nginx" / "logs" / "access.log"
    deadline = time.monotonic() + 5
    while "/accounts/reset/(token)/" not in access_log.read_text():
        assert time.monotonic() < deadline, access_log.read_text()[-2000:]
        time.sleep(0.1)
    for log in (_app_log(stack), access_log.read_text()):
        assert secret not in log
        assert "/unsubscribe/(token)/" in log and "/calendar/(token).ics" in log
