"""Django settings for cchc.web.

Environment:

- ``CCHC_DATA_DIR``: directory for the embedded SQLite database and uploaded evidence
  (default ``~/.local/share/cchc``).
- ``DATABASE_URL``: e.g. ``postgresql://user:pass@host:5432/cchc``; overrides SQLite.
- ``CCHC_SECRET_KEY``: secret key (a per-data-directory key is generated when unset).
- ``CCHC_DEBUG``: ``1`` for debug mode.
- ``CCHC_ALLOWED_HOSTS``: comma-separated host names (default loopback names).
- ``CCHC_CSRF_TRUSTED_ORIGINS``: comma-separated origins when served behind a proxy over HTTPS.
- ``CCHC_EVIDENCE_MAX_MB``: maximum evidence file size in MiB (default 20).
- ``CCHC_DOSSIER_STORE``: the dossier store directory (default ``DATA_DIR/dossiers``);
  ``CCHC_DOSSIER_UPLOAD_MAX_MB``: maximum dossier upload in MiB (default 200).
- ``CCHC_SURVEY_UPLOAD_MAX_MB``: maximum survey responses upload in MiB (default 20).
- ``CCHC_REPORT_UPLOAD_MAX_MB``: maximum report input upload (the national table) in MiB (default 5).
- ``CCHC_PUBLIC_RESULTS``: ``1`` to allow published cycles marked public to be shown without login.
- ``CCHC_PROVINCE``: the province's name, the report form's default (e.g. ``Kon Tum``; default empty).
- ``CCHC_REWARD_RULES``: the province's reward rules, a shipped id or a YAML path (default ``kon-tum-example``).
- ``CCHC_REPORTS_INLINE``, ``CCHC_IMPORTS_INLINE``: ``1`` to make reports and dossier imports in the request
  instead of a background thread (tests, debugging).
- ``CCHC_EMAIL_BACKEND``: Django e-mail backend (default console); ``CCHC_EMAIL_HOST``, ``CCHC_EMAIL_PORT``,
  ``CCHC_EMAIL_USER``, ``CCHC_EMAIL_PASSWORD``, ``CCHC_EMAIL_USE_TLS`` for SMTP; ``CCHC_FROM_EMAIL`` the sender
  (default ``cchc@localhost``).
- ``CCHC_CONN_MAX_AGE``: seconds a PostgreSQL connection is kept between requests (default 0: one per request).
- ``CCHC_SECURE_COOKIES``: ``1`` behind HTTPS: session and CSRF cookies only over HTTPS, the proxy's
  ``X-Forwarded-Proto`` trusted.
- ``CCHC_LOG_LEVEL``: the root logger's level (default ``WARNING``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("CCHC_DATA_DIR") or Path.home() / ".local" / "share" / "cchc").expanduser()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    env = os.environ.get("CCHC_SECRET_KEY")
    if env:
        return env
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    try:
        key_file.write_text(key)
        key_file.chmod(0o600)
    except OSError:  # read-only data dir: fall back to a per-process key
        pass
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("CCHC_DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("CCHC_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CCHC_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "simple_history",
    "cchc.web.org",
    "cchc.web.accounts",
    "cchc.web.assessments",
    "cchc.web.results",
    "cchc.web.steering",
    "cchc.web.reports",
    "cchc.web.dossiers",
    "cchc.web.surveys",
    "cchc.web.api",
    "cchc.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "cchc.web.errors.RefusalMiddleware",  # a refusal no view caught: the 403 or 404 page
]

ROOT_URLCONF = "cchc.web.urls"
WSGI_APPLICATION = "cchc.web.wsgi.application"

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
                "cchc.web.context.roles",
            ],
        },
    }
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'cchc.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _default_sqlite,
        conn_max_age=int(os.environ.get("CCHC_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "fragments" holds the rendered content of the results page, a unit's result page and the assessment sheet
# (cchc.web.fragments). Memory per process is enough, also with several gunicorn workers: every key is made of
# the data the fragment was rendered from (a published snapshot's identity, a digest of the participation's
# rows, the cycle and unit rows, the viewer's roles, the language), so when data changes the keys change and
# no process can serve an old fragment; nothing is ever invalidated, old entries are culled. Sessions are NOT
# cached here (a per-process session cache would keep a logged-out session alive in the other workers).
# "sessions" is shared by every process on the machine (files in the data directory): sessions are written to
# the database and to it, read from it (no database round trip per request), and a sign-out deletes both.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cchc-default"},
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "cchc-fragments",
        "TIMEOUT": 24 * 3600,
        # a sheet's content is about 40 kB, a results table about 80 kB: at most some 60 MB per process
        "OPTIONS": {"MAX_ENTRIES": 1500},
    },
    "sessions": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "sessions"),
        "TIMEOUT": None,  # the session's own expiry applies
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"

AUTHENTICATION_BACKENDS = ["cchc.web.accounts.backends.UserWithRolesBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["cchc.web.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Integers in templates are ids, years and codes as often as quantities: no automatic grouping (2026, not
# 2.026; proposal-1025, not proposal-1.025). Quantities use the explicit Vietnamese number filters.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = DATA_DIR / "evidence"
EVIDENCE_ROOT = MEDIA_ROOT
EVIDENCE_MAX_BYTES = int(float(os.environ.get("CCHC_EVIDENCE_MAX_MB", "20")) * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CCHC_PUBLIC_RESULTS = _env_bool("CCHC_PUBLIC_RESULTS", True)
CCHC_PROVINCE = os.environ.get("CCHC_PROVINCE", "")
CCHC_REWARD_RULES = os.environ.get("CCHC_REWARD_RULES") or "kon-tum-example"
CCHC_REPORTS_INLINE = _env_bool("CCHC_REPORTS_INLINE")
CCHC_IMPORTS_INLINE = _env_bool("CCHC_IMPORTS_INLINE")
# dossier store written by `cchc dossiers import` (issue 5), read by the service-delivery pages
CCHC_DOSSIER_STORE = Path(os.environ.get("CCHC_DOSSIER_STORE") or DATA_DIR / "dossiers").expanduser()
# upload limits, read at each upload by the callers of cchc.web.uploads.receive (evidence: EVIDENCE_MAX_BYTES)
CCHC_DOSSIER_UPLOAD_MAX_BYTES = int(float(os.environ.get("CCHC_DOSSIER_UPLOAD_MAX_MB", "200")) * 1024 * 1024)
CCHC_SURVEY_UPLOAD_MAX_BYTES = int(float(os.environ.get("CCHC_SURVEY_UPLOAD_MAX_MB", "20")) * 1024 * 1024)
CCHC_REPORT_UPLOAD_MAX_BYTES = int(float(os.environ.get("CCHC_REPORT_UPLOAD_MAX_MB", "5")) * 1024 * 1024)

EMAIL_BACKEND = os.environ.get("CCHC_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("CCHC_FROM_EMAIL", "cchc@localhost")
EMAIL_HOST = os.environ.get("CCHC_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CCHC_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CCHC_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CCHC_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("CCHC_EMAIL_USE_TLS")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 200,
    "EXCEPTION_HANDLER": "cchc.web.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "cchc API",
    "DESCRIPTION": "Units, frameworks, assessment cycles, per-leaf assessments and published results; steering "
                   "plans, tasks and targets; service-delivery indicators, late dossiers and dossier imports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cchc.web.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {"CycleStateEnum": "cchc.web.assessments.models.State"},
}

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if _env_bool("CCHC_SECURE_COOKIES"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CCHC_LOG_LEVEL", "WARNING")},
}
