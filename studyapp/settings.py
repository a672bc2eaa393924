"""Settings for the study app, read from the environment (safe defaults: debug off).

Every variable read here is listed in the README ("Environment variables"). Without
DATABASE_URL the database is SQLite in ``var/db.sqlite3`` (WAL, IMMEDIATE transactions). The
test suite uses ``studyapp.settings_test``, which imports this module and relaxes it; nothing
here changes because tests are running, and no variable meant for tests weakens it.
"""

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Development only (DJANGO_DEBUG=1): never used with debug off.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "studyapp.accounts",
    "studyapp.content",
    "studyapp.srs",
    "studyapp.quizzes",
    "studyapp.progress",
    "studyapp.authoring",
    "studyapp.demo",  # manage.py seed_demo_data, create_demo_accounts
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "studyapp.middleware.RequestBodyLimitMiddleware",  # before anything reads the body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "studyapp.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "studyapp.middleware.HtmxVaryMiddleware",
    "axes.middleware.AxesMiddleware",
    "studyapp.middleware.DatabaseUnavailableMiddleware",
    "studyapp.middleware.PrivateCacheMiddleware",
]

ROOT_URLCONF = "studyapp.urls"
WSGI_APPLICATION = "studyapp.wsgi.application"

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
                "studyapp.accounts.context_processors.roles",
            ],
        },
    },
]

SQLITE_PATH = BASE_DIR / "var" / "db.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Connections are kept open between requests (reconnecting costs ~1.7 ms a request on SQLite)
# and checked before reuse: one that broke (server restart, network) is replaced, never used.
CONN_MAX_AGE = int(os.environ.get("DJANGO_CONN_MAX_AGE", "600"))
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE)}
else:
    # var/ is created by manage.py and wsgi.py (studyapp.startup), not by importing settings.
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": SQLITE_PATH}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # However SQLite is named: WAL lets readers work while one writer writes; IMMEDIATE takes
    # the write lock at BEGIN so two writers queue (busy timeout) instead of deadlocking.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DJANGO_DB_PREPARED", True
):
    # Parameters bound on the server, and a statement run 5 times on a connection prepared
    # (psycopg's prepare_threshold): PostgreSQL then parses and plans it once per connection
    # instead of on every request. The hot pages' statements are planned in more time than
    # they run (the study queue's: ~2.3 ms planning, ~1 ms execution); with this the load
    # test's study answer costs PostgreSQL ~3 ms of CPU instead of ~6. Off
    # (DJANGO_DB_PREPARED=0) behind a pooler that cannot keep prepared statements (PgBouncer
    # before 1.21 in transaction mode): docs/deploy.md.
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": 5,
        **DATABASES["default"].get("OPTIONS", {}),
    }
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Two caches (docs/deploy.md, "Caches"):
# - "default": counters (reset rate limits) and cached sessions;
# - "shared" (SHARED_CACHE): pages and figures built from the database (a deck's body, the
#   dashboard), keyed by versions of the data they show. It is Redis or nothing: never a
#   per-process cache, which could serve one worker's stale copy after another worker changed
#   the data. Without REDIS_URL it is a dummy cache (every page built fresh) and "default" is
#   each process's own memory (rate limits count per worker).
SHARED_CACHE = "shared"


def _release() -> str:
    """A digest of this release's code, templates and compiled translations: part of every
    shared cache key but the version tokens', so a release never reads what another one kept
    there (pickled figures whose shape changed, HTML rendered by old templates), while the
    tokens every release renews stay the same keys (a rollback, or two releases side by side,
    never reads entries kept under tokens it did not see renewed). Read once per process
    (~15 ms, only with Redis)."""
    digest = hashlib.sha256()
    for root, pattern in (("studyapp", "*.py"), ("templates", "*.html"), ("locale", "*.mo")):
        for path in sorted((BASE_DIR / root).rglob(pattern)):
            digest.update(str(path.relative_to(BASE_DIR)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    _redis = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True},  # a cache outage degrades, never 500s
    }
    # Version tokens keep their keys across releases; every other entry is its release's own
    # (studyapp.versions.cache_key).
    SHARED_CACHE_RELEASE = _release()
    CACHES = {
        "default": _redis,
        SHARED_CACHE: {
            **_redis,
            "KEY_PREFIX": "shared",
            "KEY_FUNCTION": "studyapp.versions.cache_key",
        },
    }
    # Sessions read from Redis, written through to the database: a Redis restart logs no one out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    SHARED_CACHE_RELEASE = ""
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        SHARED_CACHE: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must be first: counts failures, locks out
    "django.contrib.auth.backends.ModelBackend",
]
# Login protection: 5 failures for the same username from the same IP lock that pair out
# for 15 minutes (a shared classroom IP does not lock everyone out).
AXES_ENABLED = env_bool("DJANGO_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # retrying does not extend a lockout
# Behind the proxy of docs/deploy.md (DJANGO_PROXY_COUNT ≥ 1) the client address is the
# X-Real-IP header that proxy sets (it overwrites any sent by the client); else the peer.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_REAL_IP", "REMOTE_ADDR")
    if int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
    else ("REMOTE_ADDR",)
)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 2 * 60 * 60  # a reset link works for 2 hours

# Email (password resets; docs/deploy.md "Email"): SMTP configured by DJANGO_EMAIL_*; in
# development (DJANGO_DEBUG) printed to the console unless DJANGO_EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "webmaster@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if DEBUG and not os.environ.get("DJANGO_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", _("Português (Brasil)")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    # No collectstatic needed in development; WhiteNoise serves from finders.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True

CONTENT_DIR = BASE_DIR / "content"

# Request bodies (docs/deploy.md, "Body limits"): a view takes at most 256 KiB unless it
# declares its form's need (studyapp.middleware.body_limit: the editor 4 MiB, uploads 11 MiB);
# more gets a 413 page before the body is read. Django's own cap: the editor's form text.
REQUEST_BODY_MAX_BYTES = 256 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # an accepted file (≤ 1 MiB) stays in memory

SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True  # only the server reads it (the language form posts)
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie: the token is sent via hx-headers.
X_FRAME_OPTIONS = "DENY"
# No inline scripts or styles anywhere: JavaScript lives in static/js, htmx runs with
# allowEval off and without its inline indicator styles (see templates/_base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    LANGUAGE_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

if os.environ.get("DJANGO_TESTING"):
    # An old switch that once relaxed these settings for tests: it does nothing now; say so.
    import warnings

    warnings.warn("DJANGO_TESTING is ignored: tests use studyapp.settings_test", stacklevel=1)
