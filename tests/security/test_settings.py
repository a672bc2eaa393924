"""Production settings: check --deploy is clean, secrets are required, headers are set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, manage; sys.argv = ['manage.py', *sys.argv[1:]]; manage.main()",
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, **env},
        check=False,
    )


def test_check_deploy_has_no_warnings_under_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="x" * 20 + "production-secret-key-with-enough-entropy-1234567890",
        DJANGO_ALLOWED_HOSTS="estudo.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_in_production_is_a_clear_error():
    result = run_manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_is_off_by_default(settings):
    assert settings.DEBUG is False


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp


@pytest.mark.django_db
def test_pages_have_no_inline_scripts(client, seed_deck, user):
    import re

    pages = [client.get(url) for url in ["/accounts/login/", "/accounts/signup/"]]
    client.force_login(user)
    pages += [client.get(url) for url in ["/", "/decks/ecr/"]]
    for response in pages:
        url = response.request["PATH_INFO"]
        assert response.status_code == 200, url
        html = response.content.decode()
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, (url, tag)
        assert not re.search(r"<script[^>]*>\s*[^<\s]", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert 'allowEval": false' in html


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_login_lockout_after_repeated_failures_with_a_clear_message(client, user):
    for _ in range(3):
        response = client.post(
            "/accounts/login/", {"username": "ana", "password": "errada"}, REMOTE_ADDR="10.0.0.1"
        )
    response = client.post(
        "/accounts/login/",
        {"username": "ana", "password": "senha-de-teste-1"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 429
    assert "bloqueado" in response.content.decode()
    # Another address (another student in another room) is not locked out.
    response = client.post(
        "/accounts/login/",
        {"username": "ana", "password": "senha-de-teste-1"},
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 302
