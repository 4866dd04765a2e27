"""pytest: real PostgreSQL and Redis (URLs from the environment), fast hashing, in-memory e-mail."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import DATABASES, REDIS_URL, STATIC_ROOT, env

# The suite proves behaviour against the real services; it never falls back to SQLite or memory.
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Tests need DATABASE_URL=postgres://... (see `make test`).")
if not REDIS_URL:
    raise ImproperlyConfigured("Tests need REDIS_URL=redis://... (see `make test`).")

DEBUG = False
SECRET_KEY = "test-secret-key-only-for-the-test-suite-0123456789abcdefghij"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default="")
DEMO_PASSWORD = env("DEMO_PASSWORD", default="optonet-demo")
# Tests run tasks in-process unless a test starts a real worker itself (see tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing directory
