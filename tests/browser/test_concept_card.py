"""A concept card in the browser (issue 14): the front hides a term, "Mostrar resposta" fills
the blank in place (Anki's cloze), the sentence is not repeated under it; nested bullets are a
list. Desktop and phone; axe: 0 violations."""

import pytest
from django.contrib.auth import get_user_model

from studyapp.srs.models import StudyCard
from tests.browser.conftest import AXE, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DECK = """# Nested
## Conceitos
- Toda requisição começa em **negação implícita**.
  - Um `Deny` explícito vence qualquer `Allow`.
  - Vale para toda política.
"""


def axe_violations(page):
    page.evaluate(AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']}" for v in result["violations"]]


@pytest.mark.parametrize(("width", "height"), [(1366, 800), (390, 844)])
def test_cloze_fills_in_place_and_sub_bullets_are_a_list(
    browser, live_server, import_text, width, height
):
    assert import_text({"content/pt-br/nested.md": DECK}).ok
    get_user_model().objects.create_user("ana", password="senha-de-teste-1")
    context = browser.new_context(
        base_url=live_server.url, locale="pt-BR", viewport={"width": width, "height": height}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    login(page, "ana", "senha-de-teste-1")
    page.goto("/study/nested/")
    card = page.locator("#study-card")
    front = card.locator(".cloze-front")
    assert front.is_visible()
    assert "[…]" in front.inner_text() and "negação implícita" not in front.inner_text()
    assert card.locator(".cloze-front ul li").count() == 2  # the sub-bullets, as a list
    assert axe_violations(page) == []

    page.keyboard.press("Space")
    page.locator("#card-back").wait_for(state="visible")
    assert front.is_hidden()
    filled = card.locator(".cloze-filled")
    assert filled.is_visible()
    assert filled.locator("mark.cloze").inner_text() == "negação implícita"
    # The sentence shows once (filled in place), not again under the front.
    assert card.inner_text().count("Toda requisição começa em") == 1
    assert axe_violations(page) == []
    screenshot(page, f"study-cloze-back-{width}x{height}")
    assert StudyCard.objects.count() == 1
    context.close()
