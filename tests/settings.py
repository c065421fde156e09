"""Settings for the test suite: the real settings, with test-only defaults."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-insecure-key")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The test client and live server speak plain HTTP.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from peersupport.settings import *  # noqa: E402,F403

# Fast hashing: the suite logs people in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# No collectstatic in tests: serve from the app folders, as runserver does.
STORAGES = {
    "default": {"BACKEND": "peersupport.storage.SafeFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None

# Uploads from tests never land in the checkout.
MEDIA_ROOT = tempfile.mkdtemp(prefix="peersupport-test-media-")
FILE_UPLOAD_TEMP_DIR = f"{MEDIA_ROOT}/.incoming"

# Cookies over plain HTTP, for the live server.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False

# Every read of a process's copy of the course or a cohort is compared with
# the database: a write path that forgets to change a version fails loudly.
COPIES_CHECK = True

# The test process keeps its cache in memory, whatever REDIS_URL says (the
# tests of several processes give theirs Redis), and each test starts with it
# empty (tests/conftest.py): a rate limit counted in one test never decides
# another.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
