"""Issue 17 in the browser: forgot password → mail link → new password → log in; change the
password and the email from the account menu; a too-large upload gets the 413 page. axe on
every page, desktop and phone."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail

from studyapp.accounts.roles import INSTRUCTORS_GROUP
from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/\S+/)")


@pytest.mark.parametrize("viewport", [(1366, 800), (390, 844)], ids=["desktop", "phone"])
def test_forgot_password_then_change_it_from_the_menu(page, viewport):
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    User.objects.create_user("ana", email="ana@example.com", password="senha-antiga-12")
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Esqueceu a senha?").click()
    check_a11y(page, f"reset-form-{width}")
    page.get_by_label("E-mail").fill("ana@example.com")
    page.get_by_role("button", name="Enviar link").click()
    page.get_by_role("heading", name="Confira seu e-mail").wait_for()
    check_a11y(page, f"reset-sent-{width}")

    link = LINK.search(mail.outbox[-1].body).group(1)
    page.goto(link)
    page.get_by_role("heading", name="Criar uma senha nova").wait_for()
    check_a11y(page, f"reset-confirm-{width}")
    page.locator("#id_new_password1").fill("senha-nova-bem-longa-34")
    page.locator("#id_new_password2").fill("senha-nova-bem-longa-34")
    page.get_by_role("button", name="Salvar a senha nova").click()
    page.get_by_text("Pronto: entre com a senha nova.").wait_for()
    check_a11y(page)

    login(page, "ana", "senha-nova-bem-longa-34")
    check_a11y(page, f"header-signed-in-{width}")
    page.get_by_role("link", name="ana (Minha conta)").click()  # the header keeps it short
    page.get_by_role("link", name="Alterar senha").first.click()
    check_a11y(page, f"password-change-{width}")
    page.get_by_label("Senha antiga").fill("senha-nova-bem-longa-34")
    page.locator("#id_new_password1").fill("terceira-senha-longa-56")
    page.locator("#id_new_password2").fill("terceira-senha-longa-56")
    page.get_by_role("button", name="Alterar senha").click()
    page.get_by_role("heading", name="Senha alterada").wait_for()
    check_a11y(page)

    page.get_by_role("link", name=re.compile("^ana")).click()
    page.get_by_role("heading", name="Minha conta").wait_for()
    page.get_by_role("textbox", name="E-mail").fill("ana.nova@example.com")
    page.get_by_label("Senha atual").fill("terceira-senha-longa-56")
    page.get_by_role("button", name="Salvar e-mail").click()
    page.get_by_text("E-mail salvo.").wait_for()
    check_a11y(page, f"account-{width}")
    assert User.objects.get(username="ana").email == "ana.nova@example.com"


def test_a_too_large_upload_gets_the_413_page(page):
    teacher = User.objects.create_user("prof", password="senha-de-teste-3")
    teacher.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    login(page, "prof", "senha-de-teste-3")
    page.goto("/instructor/upload/")
    big = b"a" * (1024 * 1024)
    files = [{"name": f"d{n}.md", "mimeType": "text/markdown", "buffer": big} for n in range(11)]
    page.locator("input[type=file]").set_input_files(files)
    page.get_by_role("button", name="Enviar").click()
    page.get_by_role("heading", name="Envio grande demais").wait_for()
    assert "Nada foi lido nem salvo" in page.content()
    check_a11y(page, "upload-413")
