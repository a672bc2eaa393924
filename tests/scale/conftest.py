"""Fixtures for the scale and fault tests: a live PostgreSQL database shared with real
gunicorn app servers (debug off), and users whose passwords those servers can check."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tests.scale.live import Gunicorn, collectstatic, production_env

PASSWORD = "senha-de-escala-1"


def is_postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


requires_postgres = pytest.mark.skipif(
    not is_postgres(),
    reason="needs PostgreSQL (app servers sharing one database, row locks): "
    "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/studyapp",
)


@pytest.fixture(scope="session")
def password_hash() -> str:
    """Production servers check PBKDF2 (tests hash with MD5): hash the password once."""
    hasher = PBKDF2PasswordHasher()
    return hasher.encode(PASSWORD, hasher.salt())


@pytest.fixture
def live_database_url(transactional_db) -> str:
    """The test database, committed for real so other processes see the data (flushed after
    the test). The default mock exam profile (a data migration) is put back if an earlier
    transactional test flushed it."""
    importlib.import_module("studyapp.quizzes.migrations.0002_default_profile").create_default(
        apps, None
    )
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def start_server(live_database_url, tmp_path):
    """``start_server()`` → a running :class:`Gunicorn` on the live database; all stopped
    (before the database is flushed) at the end, and none may have logged a traceback."""
    env = production_env(live_database_url)
    collectstatic(env)
    servers: list[Gunicorn] = []

    def start(**options) -> Gunicorn:
        servers.append(Gunicorn(env, log_dir=tmp_path, **options))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()
    for server in servers:
        assert not server.errors(), server.errors()[-5000:]
