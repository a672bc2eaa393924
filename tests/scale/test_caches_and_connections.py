"""Production settings for speed: connections kept and checked, caches shared or none.

The shared cache (pages and figures built from the database) is Redis or nothing: a
per-process cache could serve one gunicorn worker's stale copy after another changed the data.
"""

import os
import re
import subprocess
import sys


def production_settings(env: dict[str, str], expression: str) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_"))}
    environ.update(
        DJANGO_SETTINGS_MODULE="studyapp.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="settings-test-" + "x" * 40,
        DATABASE_URL="",
    )
    environ.update(env)
    out = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_without_redis_the_shared_cache_is_a_dummy_never_per_process():
    backends = production_settings(
        {}, '[settings.CACHES[a]["BACKEND"].rsplit(".", 1)[-1] for a in ("default", "shared")]'
    )
    assert backends == "['LocMemCache', 'DummyCache']"


def test_with_redis_both_caches_use_it_under_their_own_prefix():
    expression = (
        '[(settings.CACHES[a]["BACKEND"], settings.CACHES[a].get("KEY_PREFIX", "")) '
        'for a in ("default", "shared")] + [settings.SESSION_ENGINE]'
    )
    out = production_settings({"REDIS_URL": "redis://127.0.0.1:6379/9"}, expression)
    assert out == (
        "[('django_redis.cache.RedisCache', ''), ('django_redis.cache.RedisCache', 'shared'), "
        "'django.contrib.sessions.backends.cached_db']"
    )
    keys = production_settings(
        {"REDIS_URL": "redis://127.0.0.1:6379/9"},
        "[settings.CACHES['shared']['KEY_FUNCTION'], settings.SHARED_CACHE_RELEASE]",
    )
    function, release = eval(keys)  # noqa: S307 (our own subprocess's repr of two strings)
    assert function == "studyapp.versions.cache_key"
    assert re.fullmatch(r"[0-9a-f]{12}", release)


def test_the_shared_caches_prefix_changes_with_the_code_templates_and_translations(
    tmp_path, monkeypatch
):
    """A release never reads what an earlier one kept in the shared cache (pickled figures of
    another shape, HTML of old templates): the prefix digests the code, templates and .mo."""
    from studyapp import settings as app_settings

    for name in ("studyapp/x.py", "templates/t.html", "locale/pt_BR/LC_MESSAGES/django.mo"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"one")
    monkeypatch.setattr(app_settings, "BASE_DIR", tmp_path)
    first = app_settings._release()
    assert app_settings._release() == first
    for name in ("studyapp/x.py", "templates/t.html", "locale/pt_BR/LC_MESSAGES/django.mo"):
        (tmp_path / name).write_bytes(b"two")
        changed = app_settings._release()
        assert changed != first
        first = changed
    (tmp_path / "studyapp" / "notes.txt").write_bytes(b"not code")
    assert app_settings._release() == first


def test_connections_are_kept_and_checked_before_reuse(tmp_path):
    expression = (
        '[settings.DATABASES["default"][k] for k in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")]'
    )
    assert production_settings({}, expression) == "[600, True]"
    sqlite_url = {"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    assert production_settings(sqlite_url, expression) == "[600, True]"
    postgres = {"DATABASE_URL": "postgres://u@127.0.0.1:5432/x", "DJANGO_CONN_MAX_AGE": "60"}
    assert production_settings(postgres, expression) == "[60, True]"


def test_gunicorn_forks_its_workers_from_a_loaded_app_that_holds_no_connection(tmp_path):
    """A recycled worker is a fork that serves at once (docs/deploy.md, "Serving"): before
    forking, the master has imported the URL map and the catalogs and holds no connection."""
    code = (
        "import sys; from types import SimpleNamespace; import django; django.setup(); "
        "from django.db import connections; from django.utils.translation import trans_real; "
        "import studyapp.gunicorn_conf as conf; "
        "before = 'studyapp.quizzes.views' in sys.modules; "
        "connections['default'].ensure_connection(); "
        "conf.when_ready(SimpleNamespace(cfg=SimpleNamespace(preload_app=conf.preload_app))); "
        "print([before, 'studyapp.quizzes.views' in sys.modules, sorted(trans_real._translations),"
        " connections['default'].connection is None, conf.max_requests])"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_"))}
    environ.update(
        DJANGO_SETTINGS_MODULE="studyapp.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="settings-test-" + "x" * 40,
        DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3",
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[False, True, ['en', 'pt-br'], True, 2000]"


def test_version_tokens_keep_their_keys_across_releases_and_nothing_else_does(settings):
    """A release reads only what it kept itself, under tokens every release renews: after a
    rollback, entries kept under tokens renewed since are never read."""
    from studyapp import versions

    settings.SHARED_CACHE_RELEASE = "aaaaaaaaaaaa"
    token_a = versions.cache_key("version:progress:data:7", "shared", 1)
    entry_a = versions.cache_key("progress:part:7:study", "shared", 1)
    settings.SHARED_CACHE_RELEASE = "bbbbbbbbbbbb"
    assert versions.cache_key("version:progress:data:7", "shared", 1) == token_a
    assert versions.cache_key("progress:part:7:study", "shared", 1) != entry_a
    assert "aaaaaaaaaaaa" in entry_a


def test_every_version_token_key_is_marked_as_one():
    from studyapp import versions
    from studyapp.content import versions as content_versions
    from studyapp.progress import dashboard_cache
    from studyapp.srs import selectors as srs_selectors

    keys = [
        content_versions.CONTENT_KEY,
        srs_selectors.HELD_VERSION_KEY,
        dashboard_cache.USER_KEY,
        dashboard_cache.PROFILE_KEY,
        *dashboard_cache.KIND_KEYS.values(),
    ]
    assert all(key.startswith(versions.TOKEN_PREFIX) for key in keys)
    values = [dashboard_cache.SLOT_KEY, dashboard_cache.PART_KEY, dashboard_cache.SECTION_KEY]
    assert not any(key.startswith(versions.TOKEN_PREFIX) for key in values)
