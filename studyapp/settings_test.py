"""Settings for the test suite (pytest's DJANGO_SETTINGS_MODULE; see pyproject.toml).

The production module, relaxed explicitly here and only here: a fast password hasher, login
lockout off (tests that need it turn it on), plain HTTP, static files from the finders. A
production process never imports this module, so no variable can switch these on there.
"""

import os

# A fixed key for tests, set before the production module insists on one.
os.environ.setdefault("DJANGO_SECRET_KEY", "test-suite-only-key-" + "x" * 40)

from studyapp.settings import *  # noqa: E402, F403
from studyapp.settings import BASE_DIR, CACHES, SHARED_CACHE, STORAGES, env_bool  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = env_bool("DJANGO_AXES_ENABLED", False)

# Plain HTTP: the test client and the browser tests' live server do not speak TLS.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = False
SECURE_PROXY_SSL_HEADER = None

# No collectstatic in tests: WhiteNoise serves from the finders.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

(BASE_DIR / "var").mkdir(exist_ok=True)

# One process: the shared cache may live in its memory, so tests exercise caching and its
# invalidation (tests/conftest.py clears it before each test; production: Redis or nothing).
if "django_redis" not in CACHES[SHARED_CACHE]["BACKEND"]:
    CACHES[SHARED_CACHE] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "shared",
    }
