"""Settings shared by every environment; everything that differs comes from the environment.

`local.py` is the embedded default (SQLite, eager Celery, console e-mail), `production.py` requires
the real services and secrets, `test.py` is what pytest uses.
"""

import os
from collections.abc import Mapping
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "optonet.apps.PortalAdminConfig",  # django.contrib.admin, logins through allauth
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "import_export",
    "optonet",
    "mailings",
    "members",
    "workinggroups",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "optonet.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "members.middleware.UserLanguageMiddleware",
    "members.middleware.PrivacyAcceptanceMiddleware",
    # Last: any blank 405 left (class-based views of allauth and the admin) becomes the page.
    "optonet.http.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "optonet.urls"
WSGI_APPLICATION = "optonet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workinggroups.context_processors.roles",
            ],
        },
    },
]

# --- Database: PostgreSQL in production and tests, a SQLite file as the embedded default.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default under parallel clicks: SQLite has no row locks
    # (select_for_update is a no-op), so every transaction takes the write lock when it begins
    # (IMMEDIATE) and waits for it up to `timeout` seconds instead of failing with "database is
    # locked". That serialises registrations like the row lock does on PostgreSQL. WAL lets
    # pages be read while a registration writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and shared cache (login rate limits must work across processes).
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="optonet"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions are read on every request of a logged-in person: from Redis, written through to the
# database (which keeps them across a Redis restart and lets privacy deletion find them).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# --- Users and authentication
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "members.auth_backends.PortalModelBackend",
    "members.auth_backends.PortalAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# --- Internationalisation: German first, English second; times shown in Europe/Berlin.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
# The portal's own catalog first; then formal ("Sie") versions of allauth's informal German.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "optonet_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
# German times with "Uhr", English with the 24-hour clock (optonet/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["optonet.formats"]

# --- Static and uploaded files (uploads are never served as static files)
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- E-mail
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="OptoNet-Mitgliederportal <portal@optonet.example>"
)
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)


def portal_base_url(environ: Mapping[str, str]) -> str:
    """The address in e-mails and calendar files: PORTAL_BASE_URL, or else where `make run`
    serves the portal (HOST and PORT, as the Makefile passes them; 127.0.0.1:8000 by default)."""
    if environ.get("PORTAL_BASE_URL"):
        return environ["PORTAL_BASE_URL"].rstrip("/")
    host = environ.get("HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::", "[::]"):  # listening everywhere: reachable on this machine
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    port = environ.get("PORT") or "8000"
    return f"http://{host}:{port}"


PORTAL_BASE_URL = portal_base_url(os.environ)

# --- Celery: Redis broker when REDIS_URL is set; otherwise tasks run in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = "default"
# CPU-heavy rendering gets its own queue so that e-mail is never stuck behind a PDF.
# CPU-heavy rendering gets its own queue and its own worker, so that e-mail is never stuck
# behind a PDF; e-mail has its own queue too ("mail", served by the mail worker).
CELERY_TASK_ROUTES = {
    "reports.tasks.render_*": {"queue": "pdf"},
    "workinggroups.tasks.render_attendee_export": {"queue": "pdf"},
    "mailings.tasks.*": {"queue": "mail"},
}
# A test's or benchmark's worker listens on a queue of its own: everything goes there.
if env("CELERY_SINGLE_QUEUE", default=""):
    CELERY_TASK_DEFAULT_QUEUE = env("CELERY_SINGLE_QUEUE")
    CELERY_TASK_ROUTES = {}
# E-mail retries are rows in the outbox (not waiting tasks), so a task is short-lived; a
# redelivered task finds its rows claimed and sends nothing twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Publishing a task must not hang a request while Redis is down: the outbox keeps the message
# and the beat sweep asks again.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULE = {
    "mailings-sweep-outbox": {
        "task": "mailings.tasks.sweep_outbox",
        "schedule": 60.0,
    },
    "workinggroups-delete-expired-attendee-exports": {
        "task": "workinggroups.tasks.delete_expired_attendee_exports",
        "schedule": crontab(minute=5),
    },
    "workinggroups-send-meeting-reminders": {
        "task": "workinggroups.tasks.send_meeting_reminders",
        "schedule": crontab(minute=10),
    },
    "workinggroups-send-moderator-digests": {
        "task": "workinggroups.tasks.send_moderator_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    "members-apply-ended-memberships": {
        "task": "members.tasks.apply_ended_memberships",
        "schedule": crontab(hour=0, minute=20),
    },
    "members-anonymise-expired-personal-data": {
        "task": "members.tasks.anonymise_expired_personal_data",
        "schedule": crontab(hour=3, minute=15),
    },
    "reports-sweep-report-documents": {
        "task": "reports.tasks.sweep_report_documents",
        "schedule": 300.0,
    },
}

# --- Portal rules
# The outbox: how long a worker may hold claimed messages before they count as abandoned
# (longer than the delivery task's hard time limit), and how many delivery tasks to start at once.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
OUTBOX_PARALLEL_TASKS = env.int("OUTBOX_PARALLEL_TASKS", default=4)
# Messages handed to the SMTP server per commit: after a worker's death at most this many are
# "uncertain" (perhaps delivered); fewer commits let a campaign send far faster.
OUTBOX_HANDOVER_GROUP = env.int("OUTBOX_HANDOVER_GROUP", default=10)
# Confirmed attendees are reminded this many days before a meeting (once).
MEETING_REMINDER_DAYS = env.int("MEETING_REMINDER_DAYS", default=2)
# Apps whose permissions the "Office" group holds ("account": members' e-mail addresses).
OFFICE_PERMISSION_APPS = ["members", "mailings", "workinggroups", "reports", "account"]
# Personal data of registrations and invitations is anonymised this long after the meeting.
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=3 * 365)
PRIVACY_POLICY_VERSION = "2026-11"
# Sign-in sheets with more confirmed attendees than this are rendered by a worker (the "pdf"
# queue) instead of within the request; 500 attendees take about two and a half seconds to render.
ATTENDEE_PDF_SYNC_LIMIT = env.int("ATTENDEE_PDF_SYNC_LIMIT", default=500)
DEMO_PASSWORD = env("DEMO_PASSWORD", default="")
# The growth report's confidentiality rules (reports/disclosure.py): a figure is published only
# when at least this many organisations contribute to it and no single one dominates it (the
# others together are at least P percent of the largest); medians and quartiles need at least
# REPORT_MIN_CONTRIBUTORS_QUANTILES answers.
REPORT_MIN_CONTRIBUTORS = env.int("REPORT_MIN_CONTRIBUTORS", default=3)
REPORT_P_PERCENT = env.int("REPORT_P_PERCENT", default=10)
REPORT_MIN_CONTRIBUTORS_QUANTILES = env.int("REPORT_MIN_CONTRIBUTORS_QUANTILES", default=5)

# --- Security defaults that hold everywhere
# Flash messages live in the session, so the portal sets only the cookies the privacy page
# lists (session, CSRF, language) and no "messages" cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content Security Policy (django-csp): everything from the portal itself; no inline scripts or
# styles, no third-party hosts, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {
            "handlers": ["console"],
            "level": env("DJANGO_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
        # WeasyPrint logs every step of a layout at INFO (hundreds of lines per PDF).
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- django-allauth: e-mail is the login, verified before anything member-only.
ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[OptoNet] "
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupForm"
ACCOUNT_FORMS = {"signup": "members.signup.PortalSignupForm"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# How many reverse proxies in front of the portal append to X-Forwarded-For. Rate limits count
# per client address; with a proxy and a count of 0 every client would share the proxy's address
# (and 11 failed logins by anyone would lock out everyone).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "OptoNet"
# Office staff must enrol TOTP before they can use the admin (on in production).
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=False)
