import pytest

from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_log_in_and_open_the_ecr_deck(page, seed_deck):
    page.goto("/")
    check_a11y(page, "home-anonymous")
    page.get_by_role("link", name="Criar conta").first.click()
    check_a11y(page)
    page.get_by_label("Usuário").fill("carla")
    page.locator("#id_password1").fill("uma-senha-bem-longa-42")
    page.locator("#id_password2").fill("uma-senha-bem-longa-42")
    page.get_by_role("button", name="Criar conta").click()
    page.get_by_text("Conta criada").wait_for()

    page.get_by_role("button", name="Sair").click()
    login(page, "carla", "uma-senha-bem-longa-42")
    page.get_by_role("link", name=seed_deck.title).click()
    page.get_by_role("heading", name="🔐 Segurança").wait_for()
    page.get_by_text("Quero detectar vulnerabilidades nas imagens").click()
    page.get_by_text("Ative o escaneamento de imagens do ECR").wait_for()
    check_a11y(page, "deck-ecr")
