"""gunicorn settings for Peer Support Training (`make serve` uses them).

Each value can be overridden with an environment variable; see README,
"Operations".
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual rule for sync workers: two per core, plus one.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Long enough for a 10 MB essay upload on a slow phone connection; a hung
# request is killed and its worker replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak can never grow for ever.
max_requests = 2000
max_requests_jitter = 200
# The access log never includes query strings' personal data: it logs the
# path and status, not bodies; Django logs no request bodies either.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load the app once, before forking: a recycled worker starts in
# milliseconds instead of importing Django again (about a second of CPU taken
# from the others), and the workers share its memory. A new version therefore
# needs a restart, not a HUP (README, "Upgrading").
preload_app = True
