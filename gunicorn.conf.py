"""gunicorn settings for Peer Support Training (`make serve` uses them).

gunicorn runs behind nginx (deploy/nginx-site.conf), which reads each request
whole before passing it on and takes each response at once: sync workers are
then busy only for the app's own work, never waiting on a slow client. Never
expose these workers to clients directly.

Each value can be overridden with an environment variable; see README,
"Operations".
"""

import gc
import multiprocessing
import os

# Only nginx connects: listen on loopback, or on a private address when nginx
# runs on another host.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual rule for sync workers: two per core, plus one.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# nginx passes an upload on only once it has all of it, so this is the app's
# own time (a large export); a hung request is killed and its worker replaced.
# nginx's proxy_read_timeout (70 s) is longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak can never grow for ever.
max_requests = 2000
max_requests_jitter = 200
# The access log never includes query strings' personal data: it logs the
# path and status, not bodies; Django logs no request bodies either.
accesslog = "-"
# The path only, with secrets in it (calendar and unsubscribe tokens, email
# links) replaced: peersupport/access_log.py.
logger_class = "peersupport.access_log.PathMaskingLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Whose X-Forwarded-Proto gunicorn believes: nginx's address (loopback when it
# runs on the same host; list nginx's hosts' addresses otherwise). Django
# reads the same header with DJANGO_SECURE_PROXY_SSL_HEADER=1, and the
# client's address from X-Forwarded-For with DJANGO_PROXY_COUNT=1.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Load the app once, before forking: a recycled worker starts in
# milliseconds instead of importing Django again (about a second of CPU taken
# from the others), and the workers share its memory. A new version therefore
# needs a restart, not a HUP (README, "Upgrading").
preload_app = True


def pre_fork(server, worker):
    """Just before each worker is forked, move everything the loaded app holds
    into the garbage collector's permanent generation: the workers' full
    collections then never walk those objects (the review queue took 3% less
    CPU per request), and never write to their memory pages, which stay
    shared. Python's gc.freeze documentation advises it for forking servers.
    A frozen object that later becomes garbage in a reference cycle is not
    collected; those are few, and workers are recycled (max_requests)."""
    gc.freeze()
