"""Settings for Peer Support Training, read from environment variables.

The table in README.md ("Configuration") lists every variable. Defaults are the
safe ones: debug is off unless DJANGO_DEBUG says otherwise, and without debug
there is no secret key unless DJANGO_SECRET_KEY gives one.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url
import fontpkg_atkinson_hyperlegible
from django.core.exceptions import ImproperlyConfigured

from peersupport.env import env_bool, env_int, env_int_list, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

if not DEBUG and not env_str("DJANGO_ALLOWED_HOSTS"):
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS is not set. Set it to the site's host names, comma separated "
        "(e.g. 'training.example.org'), or set DJANGO_DEBUG=1 for local development."
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "peersupport.apps.PeerSupportAdminConfig",  # django.contrib.admin, with our AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # Bootstrap's CSS/JS, from the django-bootstrap-static package
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "peersupport",
    "outbox",
    "accounts",
    "courses",
    "sessions.apps.CourseSessionsConfig",
    "reflections",
    "assessments",
    "completion",
    "calendars",
    "reminders",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy, Cross-Origin-Resource-Policy, and no-store on the
    # password-change pages; above whitenoise, so static files get them too.
    "peersupport.middleware.BrowserPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are compressed here, not by nginx: Django's gzip adds random
    # padding to each response, which defeats BREACH (pages carry CSRF tokens
    # and learners' writing). Below whitenoise, which serves static files
    # already compressed.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "peersupport.middleware.IdleTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a login unless it opts out with @login_not_required, so a
    # forgotten decorator can never open a learner's page to the world.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A login that owes its second step (staff always) opens nothing else.
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change to course content (its revision history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "peersupport.middleware.RefuseNulCharactersMiddleware",
    # Under DEBUG (make run), the site's own 404 page instead of Django's
    # technical one; nothing when DEBUG is off.
    "peersupport.middleware.DebugErrorPagesMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account and address is refused before any check.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailOrUsernameBackend",
]

ROOT_URLCONF = "peersupport.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peersupport.context_processors.session_timeout",
                "peersupport.context_processors.site_urls",
            ],
        },
    },
]

WSGI_APPLICATION = "peersupport.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The task worker writes beside the web server (make run): take the write
    # lock when a transaction starts, and wait for it, instead of failing
    # with "database is locked" half-way through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server let psycopg prepare the statements a
    # connection runs again and again, so PostgreSQL plans each once: learner
    # pages took about 10% less time. Turn it off (0) behind a pooler in
    # transaction mode, such as PgBouncer, which cannot keep prepared statements.
    server_side_binding = env_bool("DATABASE_SERVER_SIDE_BINDING", True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=server_side_binding,
        # psycopg prepares a statement on its fifth run in a connection, but
        # only if asked: Django turns preparing off unless this is set.
        prepare_threshold=5 if server_side_binding else None,
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ---------------------------------------------------------------- security
# With DJANGO_DEBUG=0, `manage.py check --deploy` reports no warnings. Behind a
# proxy that terminates HTTPS, set DJANGO_SECURE_PROXY_SSL_HEADER=1 so Django
# trusts its X-Forwarded-Proto header (only if the proxy always sets it).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# Idle timeout: activity restarts the clock (autosaves count, and
# IdleTimeoutMiddleware moves the expiry at most once a minute), so a learner
# who is writing stays logged in; the page warns before it runs out.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_IDLE_MINUTES", 120) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = False

# No inline script or style anywhere: every script and stylesheet is a file
# this app serves. Images only from here too: no request leaves the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Failed logins (django-axes): locked out after 5 failures for the same
# account *from the same address*, for 15 minutes, reset by a success. Keying
# on both means nobody can lock a learner out from elsewhere, and a shared
# address (a proxy, an office) does not lock everyone out.
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A success clears the count only once the whole sign-in succeeds, second
# step included (accounts/second_factor.py), or a correct password would
# give a fresh five tries at the code each time.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_DISABLE_ACCESS_LOG = True  # no record of successful logins beyond last_login
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_USERNAME_CALLABLE = "accounts.backends.lockout_key"
# The client's address, for the lock-out: REMOTE_ADDR, or, behind N proxies
# that each append the address they were reached from (nginx, a load
# balancer), the Nth address from the right of X-Forwarded-For: what a client
# writes there itself is further left, and ignored (accounts/backends.py).
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "accounts.backends.client_address"

# Two-step sign-in (django-otp): the name authenticator apps show.
OTP_TOTP_ISSUER = "Peer Support Training"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
# A page that says "You have logged out" (accounts.views.logged_out).
LOGOUT_REDIRECT_URL = "logged_out"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Europe/London")
# The course is in English only. Django's translation machinery costs every
# page (the journal rendered 20% faster without it); dates keep the en-GB
# formats. A translated course would turn this on with LocaleMiddleware.
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # The reading preferences' legible font, served from its package (a
    # dependency): static/css/reading.css names it as ../fonts/atkinson-hyperlegible/.
    ("fonts/atkinson-hyperlegible", Path(fontpkg_atkinson_hyperlegible.ROOT) / "files"),
]
STORAGES = {
    # Files are written under a temporary name and renamed into place once
    # whole (peersupport/storage.py).
    "default": {"BACKEND": "peersupport.storage.SafeFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests run without collectstatic; whitenoise then finds files as runserver does.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", default=DEBUG)

# Uploads (exercise files, later essay attachments) live here and are never
# served as public files: there is no MEDIA_URL route. Each download goes
# through a view that checks the login first.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
# Django needs a MEDIA_URL, but no route serves it (not even under DEBUG).
MEDIA_URL = "/media/"
# A lesson's exercise files can be slides or handouts; an essay is far smaller.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Larger uploads arrive here first (made at start-up). It is inside
# MEDIA_ROOT, so moving a file into place is a rename on the same disk, and
# what a killed worker leaves behind is found by clean_orphan_files.
FILE_UPLOAD_TEMP_DIR = str(MEDIA_ROOT / ".incoming")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# A file over the limit of the page it is sent to is refused while it
# arrives, none of it kept (peersupport.uploads.UploadLimitHandler): an
# essay's attachment 10 MB, any other file (a lesson's) UPLOAD_MAX_BYTES.
FILE_UPLOAD_HANDLERS = [
    "peersupport.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_MAX_BYTES = 25 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

_email_url = env_str("EMAIL_URL")
if _email_url:
    _email = dj_email_url.parse(_email_url)
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
else:
    EMAIL_BACKEND = env_str(
        "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )
    EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
# A mail server that neither answers nor refuses gives up after this long;
# mail is sent by the task worker, never while a person waits.
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 20)

# The durable task queue: Django's Tasks API (the django-tasks backport) with
# its database backend. A task is a row written in the same transaction as
# the change it belongs to, so mail can never be lost between the two, and
# `manage.py worker` runs tasks on any host that reaches the database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Seconds before each retry of an email the mail server did not take; after
# the last, it is marked failed for a coordinator to retry (outbox/).
MAIL_RETRY_DELAYS = env_int_list("DJANGO_MAIL_RETRY_DELAYS", "60,300,1800,7200,21600")
# An email a worker claimed this many seconds ago and never finished (the
# worker died) is queued again when a worker starts.
MAIL_STALLED_AFTER = env_int("DJANGO_MAIL_STALLED_AFTER", 15 * 60)

# Who learners contact about the course when no cohort names someone.
COURSE_CONTACT_EMAIL = env_str("DJANGO_COURSE_CONTACT_EMAIL", "")
DEFAULT_FROM_EMAIL = env_str(
    "DJANGO_DEFAULT_FROM_EMAIL", "Peer Support Training <noreply@localhost>"
)
# The site's address, for links in emails sent with no request to take it
# from: reminders, the tutors' digest and their unsubscribe links
# (reminders/). Without it `send_reminders` stops with a message.
SITE_URL = (env_str("DJANGO_SITE_URL") or "").rstrip("/")
if SITE_URL and not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        f"DJANGO_SITE_URL must start with https:// (or http://); got {SITE_URL!r}."
    )

# Learners' writing is sensitive: nothing here logs request bodies, and errors
# go to the console (the operator's process manager) rather than by mail.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Lock-outs are warnings; routine login bookkeeping is not worth a line.
        "axes": {"level": "WARNING"},
        # WeasyPrint narrates every step of making a certificate.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# What erasing a learner keeps of their assessed work (README, "Privacy"):
# "outcomes" (the default) keeps assignment, dates, word count and outcome
# only; "full" also keeps the essay and feedback, tied to the anonymised account.
ASSESSMENT_RETENTION = env_str("DJANGO_ASSESSMENT_RETENTION", "outcomes")
if ASSESSMENT_RETENTION not in ("outcomes", "full"):
    raise ImproperlyConfigured(
        f"DJANGO_ASSESSMENT_RETENTION must be 'outcomes' or 'full', not {ASSESSMENT_RETENTION!r}."
    )

# Each process's copy of the course and of each cohort's timetable is read
# again after this many seconds even if nothing said it changed
# (courses/learner/copies.py); COPIES_CHECK, on in the tests, compares every
# copy with the database as it is read.
COPIES_MAX_AGE = 60
COPIES_CHECK = False

# bench/run.py measures pages against a bare Django view, routed only then.
BENCHMARK_FLOOR = env_bool("DJANGO_BENCHMARK_FLOOR", default=False)
