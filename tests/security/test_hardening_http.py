"""Issue 17, HTTP side: lockout behind the documented proxy, SQLite options whichever way it
is named, private caching of signed-in pages, cookies and the Server header."""

import importlib
import os
import subprocess
import sys

import pytest
from django.test import override_settings

PROXY = {"AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_REAL_IP", "REMOTE_ADDR")}


def fail(client, address, spoof="6.6.6.6", password="errada"):  # noqa: S107
    return client.post(
        "/accounts/login/",
        {"username": "ana", "password": password},
        REMOTE_ADDR="127.0.0.1",  # every request comes from nginx
        HTTP_X_REAL_IP=address,  # set by nginx: proxy_set_header X-Real-IP $remote_addr
        HTTP_X_FORWARDED_FOR=spoof,  # what a client may send: ignored
    )


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, **PROXY)
def test_behind_the_proxy_lockout_is_per_username_and_client_address(client, user):
    for _ in range(3):
        fail(client, "9.9.9.9")
    assert fail(client, "9.9.9.9", password="senha-de-teste-1").status_code == 429
    # Same username from another client behind the same proxy: not locked out.
    assert fail(client, "8.8.8.8", password="senha-de-teste-1").status_code == 302


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, **PROXY)
def test_a_spoofed_forwarded_for_does_not_change_the_address(client, user):
    for spoof in ["1.1.1.1", "2.2.2.2", "3.3.3.3"]:
        fail(client, "9.9.9.9", spoof=spoof)
    assert fail(client, "9.9.9.9", spoof="4.4.4.4", password="senha-de-teste-1").status_code == 429


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, **PROXY)
def test_failures_during_a_lockout_do_not_extend_it(client, user):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(3):
        fail(client, "9.9.9.9")
    attempt = AccessAttempt.objects.get(username="ana")
    locked_at = attempt.attempt_time
    for _ in range(3):
        assert fail(client, "9.9.9.9").status_code == 429
    attempt.refresh_from_db()
    assert attempt.attempt_time == locked_at
    # Once the cool-off has passed, the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert fail(client, "9.9.9.9", password="senha-de-teste-1").status_code == 302


def settings_in_subprocess(env: dict[str, str], expression: str) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "studyapp.settings", "DJANGO_DEBUG": "1"}
    environ.update(env)
    out = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_sqlite_by_url_gets_the_same_options_as_the_default(tmp_path):
    expression = 'sorted(settings.DATABASES["default"]["OPTIONS"].items())'
    default = settings_in_subprocess({"DATABASE_URL": ""}, expression)
    by_url = settings_in_subprocess({"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}, expression)
    assert by_url == default and "IMMEDIATE" in default and "WAL" in default


def test_proxy_count_switches_the_address_header():
    expression = "settings.AXES_IPWARE_META_PRECEDENCE_ORDER"
    assert "HTTP_X_REAL_IP" in settings_in_subprocess({"DJANGO_PROXY_COUNT": "1"}, expression)
    assert "X_REAL_IP" not in settings_in_subprocess({"DJANGO_PROXY_COUNT": "0"}, expression)


def test_production_language_cookie_is_secure():
    env = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50}
    names = ("SECURE", "HTTPONLY", "SAMESITE")
    expression = "(" + ", ".join(f"settings.LANGUAGE_COOKIE_{name}" for name in names) + ")"
    assert settings_in_subprocess(env, expression) == "(True, True, 'Lax')"


def test_a_variable_meant_for_tests_never_weakens_production(tmp_path):
    env = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_TESTING": "1"}
    expression = (
        "(settings.AXES_ENABLED, settings.SESSION_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT,"
        " settings.PASSWORD_HASHERS[0].rsplit('.', 1)[1])"
    )
    assert settings_in_subprocess(env, expression) == "(True, True, True, 'PBKDF2PasswordHasher')"


def test_production_settings_need_a_secret_key_even_under_pytest():
    code = "import pytest, django; django.setup()"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environ.update(DJANGO_SETTINGS_MODULE="studyapp.settings", DJANGO_DEBUG="0")
    out = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True)
    assert out.returncode != 0 and "DJANGO_SECRET_KEY is not set" in out.stderr


def test_importing_settings_creates_no_directory():
    code = (
        "import pathlib; made = []; pathlib.Path.mkdir = lambda self, *a, **k: made.append(self)\n"
        "import studyapp.settings; print(made)"
    )
    environ = {**os.environ, "DJANGO_DEBUG": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


@pytest.mark.django_db
def test_signed_in_pages_are_private_and_account_pages_not_stored(client, user):
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_gunicorn_does_not_say_gunicorn():
    import gunicorn.http.wsgi

    import studyapp.gunicorn_conf

    importlib.reload(studyapp.gunicorn_conf)
    assert gunicorn.http.wsgi.SERVER == "studyapp"


@pytest.mark.django_db
def test_html_responses_vary_on_hx_request(client, user):
    """A URL can answer with a fragment (htmx) or the whole page: caches must key on it."""
    client.force_login(user)
    for url in ("/", "/quiz/", "/study/", "/progress/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "HX-Request" in response["Vary"], url
    assert "HX-Request" not in client.get("/healthz").get("Vary", "")
