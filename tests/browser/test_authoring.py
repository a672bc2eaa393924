"""An instructor edits a deck in the browser, sees a preview error, fixes it, saves, and a
student sees the change."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from studyapp.accounts.roles import INSTRUCTORS_GROUP
from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKEN = "\n## 🧪 Perguntas do navegador\n### Q: Pergunta escrita no navegador\n❌ Só uma errada\n"
FIXED = BROKEN + "✅ Agora com a certa\n"


@pytest.fixture
def people(django_user_model):
    teacher = django_user_model.objects.create_user("prof", password="senha-de-teste-3")
    teacher.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    django_user_model.objects.create_user("ana", password="senha-de-teste-1")


def test_instructor_fixes_a_preview_error_saves_and_a_student_sees_it(page, seed_deck, people):
    login(page, "prof", "senha-de-teste-3")
    page.get_by_role("link", name="Instrutor").click()
    check_a11y(page, "authoring-index")
    page.get_by_role("link", name=f"Editar {seed_deck.title}").click()

    editor = page.get_by_label("Markdown do deck")
    original = editor.input_value()
    editor.fill(original + BROKEN)
    error = page.locator("#preview [data-error-line]")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("pergunta sem resposta correta")
    line = int(error.first.get_attribute("data-error-line"))
    assert line == len((original + BROKEN).rstrip("\n").split("\n")) - 1
    # The error line is highlighted in the editor's gutter.
    page.locator(".gutter .has-error", has_text=str(line)).wait_for()
    check_a11y(page, "authoring-preview-error")
    page.locator("#preview a[data-line]").first.click()
    selected = page.evaluate(
        "() => { const t = document.querySelector('#id_text');"
        " return t.value.slice(t.selectionStart, t.selectionEnd); }"
    )
    assert selected == "### Q: Pergunta escrita no navegador"

    editor.fill(original + FIXED + "🏷️ domains: 9x\n")
    expect(page.locator("#preview [data-error-line]")).to_contain_text("domínio inválido")
    editor.fill(original + FIXED + "🏷️ domains: 4\n🏷️ topics: KMS\n")
    page.get_by_text("Sem erros:").wait_for()
    page.locator("#preview").get_by_text("Pergunta escrita no navegador").click()
    tags = page.locator("#preview details[open] .item-tags")
    expect(tags).to_contain_text("Domínio 4")
    expect(tags).to_contain_text("KMS")
    check_a11y(page, "authoring-preview-tags")
    expect(page.locator(".gutter .has-error")).to_have_count(0)
    page.get_by_label("Descrição da mudança (opcional)").fill("pergunta nova")
    page.get_by_role("button", name="Salvar e publicar").click()
    page.get_by_text("Deck salvo e publicado").wait_for()
    check_a11y(page, "authoring-saved")

    page.get_by_role("link", name="Revisões", exact=True).first.click()
    page.get_by_text("pergunta nova").wait_for()
    check_a11y(page, "authoring-revisions")

    page.get_by_role("button", name="Sair").click()
    login(page, "ana", "senha-de-teste-1")
    page.goto(f"/decks/{seed_deck.slug}/")
    page.get_by_text("Pergunta escrita no navegador").click()
    page.get_by_text("Agora com a certa").wait_for()


def test_demo_instructor_authors_a_new_deck_without_javascript(browser, live_server, people):
    """Progressive enhancement: "Pré-visualizar" renders the preview on the server."""
    context = browser.new_context(
        base_url=live_server.url, locale="pt-BR", java_script_enabled=False
    )
    page = context.new_page()
    try:
        login(page, "prof", "senha-de-teste-3")
        page.goto("/instructor/decks/new/")
        editor = page.get_by_label("Markdown do deck")
        editor.fill(
            "---\ndeck: sem-js\n---\n# Deck sem JS\n\n## Conceitos\n- Um fato sobre **IAM**.\n"
        )
        page.get_by_role("button", name="Pré-visualizar").click()
        page.get_by_text("Sem erros: 1 cartões de conceito, 0 perguntas").wait_for()
        page.get_by_role("button", name="Salvar e publicar").click()
        page.get_by_text("Deck criado e publicado").wait_for()
        page.goto("/decks/sem-js/")
        page.get_by_role("heading", name="Deck sem JS").wait_for()
    finally:
        context.close()
