"""Settings for the test suite: the real settings, with test-only defaults."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-insecure-key")

from peersupport.settings import *  # noqa: E402,F403

# Fast hashing: the suite logs people in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# No collectstatic in tests: serve from the app folders, as runserver does.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None

# Uploads from tests never land in the checkout.
MEDIA_ROOT = tempfile.mkdtemp(prefix="peersupport-test-media-")
