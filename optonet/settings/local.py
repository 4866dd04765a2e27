"""The embedded default for a developer's machine: SQLite, eager Celery, e-mail to the console."""

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, STATIC_ROOT, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="insecure-local-development-key-not-for-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEMO_PASSWORD = env("DEMO_PASSWORD", default="optonet-demo")
(BASE_DIR / "var").mkdir(exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
