"""Issue 17, accounts: password change and reset with Django's views, mail through Django's
email backend, reset requests rate-limited and silent about which accounts exist."""

import re
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from studyapp.accounts import mail as background_mail
from studyapp.accounts.ratelimit import RESET_PER_CLIENT, RESET_PER_EMAIL

pytestmark = pytest.mark.django_db
RESET = "/accounts/password/reset/"
TOKEN = re.compile(r'(?<=csrfmiddlewaretoken" value=")[^"]+|(?<="X-CSRFToken": ")[^"]+')
LINK = re.compile(r"https?://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def ana(user):
    user.email = "ana@example.com"
    user.save()
    return user


# -- change ------------------------------------------------------------------------------------
def test_change_password_keeps_the_session_and_the_new_password_works(client, ana):
    client.force_login(ana)
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and "Alterar senha" in page.content.decode()
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "senha-de-teste-1",
            "new_password1": "outra-frase-longa-7",
            "new_password2": "outra-frase-longa-7",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    assert client.get("/progress/").status_code == 200  # still signed in
    ana.refresh_from_db()
    assert ana.check_password("outra-frase-longa-7")


def test_change_with_a_wrong_old_password_is_400_with_a_message(client, ana):
    client.force_login(ana)
    response = client.post(
        "/accounts/password/",
        {"old_password": "errada", "new_password1": "x-y-z-1234", "new_password2": "x-y-z-1234"},
    )
    assert response.status_code == 400 and "Corrija os campos" in response.content.decode()


def test_the_menu_links_to_the_account_and_it_to_password_change(client, ana):
    client.force_login(ana)
    html = client.get("/").content.decode()
    assert 'href="/accounts/"' in html  # the header stays short (issue 14): one account link
    assert 'href="/accounts/password/"' in client.get("/accounts/").content.decode()


def test_change_needs_a_signed_in_user(client):
    response = client.get("/accounts/password/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# -- reset -------------------------------------------------------------------------------------
def test_login_page_links_to_the_reset(client):
    assert 'href="/accounts/password/reset/"' in client.get("/accounts/login/").content.decode()


def test_reset_mail_link_sets_a_new_password_once(client, ana):
    response = client.post(RESET, {"email": "ANA@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.com"] and message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "ana" in message.body and "2 horas" in message.body
    link = LINK.search(message.body).group(1)

    form = client.get(link, follow=True)
    assert "Criar uma senha nova" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "frase-nova-longa-8", "new_password2": "frase-nova-longa-8"},
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    assert client.login(username="ana", password="frase-nova-longa-8")
    client.logout()
    again = client.get(link, follow=True)  # a link works once
    assert "Este link não vale mais" in again.content.decode()


def test_reset_mail_is_in_the_readers_language(client, ana):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(RESET, {"email": "ana@example.com"})
    assert "New password" in mail.outbox[0].subject
    assert "The link works for 2 hours" in mail.outbox[0].body


def test_reset_does_not_tell_whether_an_account_exists(client, ana):
    """Same status, page and database work for a known and an unknown address."""
    responses, queries = {}, {}
    for email in ["ana@example.com", "nobody@example.com"]:
        with CaptureQueriesContext(connection) as captured:
            # The mail job (lookup, render, SMTP) is captured, not run, to see the request alone.
            jobs = []

            def queue(job, _jobs=jobs, **kwargs):
                _jobs.append(kwargs)

            with mock.patch.object(background_mail, "send_later", queue):
                response = client.post(RESET, {"email": email})
        assert len(jobs) == 1
        responses[email] = (response.status_code, response["Location"])
        queries[email] = [q["sql"] for q in captured.captured_queries]
        page = client.get(response["Location"]).content.decode()
        responses[email] += (TOKEN.sub("", page),)  # CSRF tokens are masked anew each time
    assert responses["ana@example.com"] == responses["nobody@example.com"]
    assert queries["ana@example.com"] == queries["nobody@example.com"]
    assert not any("auth_user" in sql for sql in queries["ana@example.com"])


def test_reset_for_an_address_without_account_sends_nothing(client, ana):
    client.post(RESET, {"email": "nobody@example.com"})
    assert mail.outbox == []


def test_reset_is_rate_limited_per_address_with_a_clear_message(client, ana):
    limit, _window = RESET_PER_EMAIL
    for n in range(limit):
        assert client.post(RESET, {"email": "ana@example.com"}).status_code == 302, n
    response = client.post(RESET, {"email": "ana@example.com"})
    assert response.status_code == 429
    assert "Muitos pedidos de nova senha" in response.content.decode()
    assert len(mail.outbox) == limit
    # An unknown address is limited the same way (the limit says nothing about accounts).
    for _ in range(limit):
        client.post(RESET, {"email": "nobody@example.com"})
    assert client.post(RESET, {"email": "nobody@example.com"}).status_code == 429


def test_reset_is_rate_limited_per_client_address(client, ana):
    limit, _window = RESET_PER_CLIENT
    for n in range(limit):
        response = client.post(RESET, {"email": f"x{n}@example.com"}, REMOTE_ADDR="10.0.0.9")
        assert response.status_code == 302
    limited = client.post(RESET, {"email": "ana@example.com"}, REMOTE_ADDR="10.0.0.9")
    assert limited.status_code == 429 and mail.outbox == []
    other = client.post(RESET, {"email": "ana@example.com"}, REMOTE_ADDR="10.0.0.10")
    assert other.status_code == 302 and len(mail.outbox) == 1


def test_a_bad_address_is_400_with_a_message(client):
    response = client.post(RESET, {"email": "não é e-mail"})
    assert response.status_code == 400 and "Corrija os campos" in response.content.decode()


def test_a_smtp_failure_is_logged_not_shown(client, ana, caplog):
    with override_settings(EMAIL_BACKEND="tests.accounts.broken_mail.EmailBackend"):
        response = client.post(RESET, {"email": "ana@example.com"})
    assert response.status_code == 302  # the same page as ever
    assert "Failed to send password reset email" in caplog.text


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=2)
def test_a_completed_reset_lifts_a_login_lockout(client, ana):
    for _ in range(2):
        client.post("/accounts/login/", {"username": "ana", "password": "errada"})
    assert client.post("/accounts/login/", {"username": "ana", "password": "x"}).status_code == 429
    client.post(RESET, {"email": "ana@example.com"})
    link = LINK.search(mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "frase-nova-longa-8", "new_password2": "frase-nova-longa-8"},
    )
    response = client.post(
        "/accounts/login/", {"username": "ana", "password": "frase-nova-longa-8"}
    )
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_the_mail_really_leaves_in_the_background(monkeypatch):
    """The real thread: the request returns, then the mail is sent from another thread."""
    from django.test import Client

    monkeypatch.undo()  # the real send_later
    User.objects.create_user("bia", email="bia@example.com", password="senha-de-teste-9")
    response = Client().post(RESET, {"email": "bia@example.com"})
    assert response.status_code == 302
    background_mail.drain()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bia@example.com"]


# -- email on the account page and at sign-up --------------------------------------------------
def test_account_page_sets_the_email_with_the_current_password(client, user):
    client.force_login(user)
    page = client.get("/accounts/")
    assert "Nenhum e-mail cadastrado" in page.content.decode()
    wrong = client.post("/accounts/", {"email": "ana@example.com", "password": "errada"})
    assert wrong.status_code == 400 and "Senha incorreta" in wrong.content.decode()
    ok = client.post("/accounts/", {"email": "ana@Example.COM", "password": "senha-de-teste-1"})
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.email == "ana@example.com"


def test_an_email_belongs_to_one_account(client, ana, other_user):
    client.force_login(other_user)
    response = client.post(
        "/accounts/", {"email": "ANA@example.com", "password": "senha-de-teste-2"}
    )
    assert (
        response.status_code == 400
        and "Já existe uma conta com este e-mail" in response.content.decode()
    )
    client.logout()
    signup = client.post(
        "/accounts/signup/",
        {
            "username": "caio",
            "email": "ana@example.com",
            "password1": "frase-longa-99",
            "password2": "frase-longa-99",
        },
    )
    assert signup.status_code == 400


def test_signup_with_an_email(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "dani",
            "email": "dani@example.com",
            "password1": "frase-longa-99",
            "password2": "frase-longa-99",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="dani").email == "dani@example.com"
