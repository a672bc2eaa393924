"""Study counters update after every answer (learning steps within the learn-ahead window
count), the empty state says why it is empty (limit reached: how many, when it resets, a
link to raise it), Undo names the card it undid, and instructors get "Editar" on a card —
at 1366×800 and 390×844, axe clean."""

import pytest

from studyapp.srs.services import cards_ensure, study_settings_get
from tests.browser.conftest import check_a11y, login, screenshot
from tests.srs.conftest import concept_deck_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1366, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def two_decks(import_text):
    report = import_text(
        {
            "content/pt-br/aaa.md": concept_deck_text("Alfa", "a", 4),
            "content/pt-br/bbb.md": concept_deck_text("Beta", "b", 4),
        }
    )
    assert report.ok, report.errors


def counts_text(page) -> str:
    return " ".join(page.locator(".study-counts").inner_text().split())


def reveal(page) -> None:
    page.wait_for_function("() => document.activeElement?.matches('[data-reveal]')")
    page.keyboard.press("Space")
    page.locator("#card-back").wait_for(state="visible")


def answer_shown(page, key: str) -> None:
    card_id = page.locator("#study-card").get_attribute("data-card")
    page.wait_for_function("() => document.activeElement?.matches('[data-reveal]')")
    page.keyboard.press("Space")
    page.locator("#card-back").wait_for(state="visible")
    page.keyboard.press(key)
    page.wait_for_function(
        "id => document.querySelector('#study-card')?.dataset.card !== id", arg=card_id
    )


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_counters_and_the_empty_state(page, user, two_decks, viewport):
    settings = study_settings_get(user=user)
    settings.new_per_day = 2
    settings.save()
    cards_ensure(user=user)
    page.set_viewport_size(VIEWPORTS[viewport])
    login(page, "ana", "senha-de-teste-1")
    page.goto("/study/aaa/")
    assert counts_text(page) == "0 aprendendo 0 revisão 2 novos"
    assert check_a11y(page, f"study-counters-{viewport}") == []

    answer_shown(page, "1")  # De novo: a 1-minute step, inside the learn-ahead window
    page.wait_for_function(
        "() => document.querySelector('.study-counts').innerText.includes('1 aprendendo')"
    )
    assert counts_text(page) == "1 aprendendo 0 revisão 1 novo"
    answer_shown(page, "4")  # the second new card: today's new limit is used up
    assert counts_text(page).startswith("1 aprendendo 0 revisão 0 novo")
    # The learning card comes ahead (learn-ahead); Fácil graduates it.
    reveal(page)
    page.keyboard.press("4")
    page.locator(".study-empty").wait_for()
    assert counts_text(page).startswith("0 aprendendo 0 revisão 0 novo")
    empty = page.locator(".study-empty").inner_text()
    assert "Limite de hoje atingido" in empty
    assert "2 cartões novos esperam: você já estudou 2 novos hoje" in empty
    assert "Os limites diários recomeçam" in empty and "04:00" in empty
    assert "O próximo cartão vence em 1 hora" not in empty
    assert check_a11y(page, f"study-empty-limit-{viewport}") == []

    # The other deck shares the overall limit: it says so, not "due in N hours".
    page.goto("/study/bbb/")
    empty = page.locator(".study-empty").inner_text()
    assert "4 cartões novos esperam" in empty and "limite geral: 2" in empty
    page.get_by_role("link", name="Aumentar o limite diário").click()
    page.wait_for_url("**/study/settings/")
    assert check_a11y(page, f"study-settings-deck-limits-{viewport}") == []

    # English.
    page.goto("/study/bbb/", wait_until="load")
    page.context.add_cookies(
        [{"name": "django_language", "value": "en", "url": page.url.split("/study")[0]}]
    )
    page.goto("/study/bbb/")
    empty = page.locator(".study-empty").inner_text()
    assert "Today's limit reached" in empty and "4 new cards are waiting" in empty
    assert check_a11y(page, f"study-empty-limit-en-{viewport}") == []


def test_undo_names_the_card_and_instructor_edits_it(page, instructor, two_decks):
    page.set_viewport_size(VIEWPORTS["desktop"])
    login(page, "prof", "senha-de-teste-3")
    page.goto("/study/aaa/")
    answer_shown(page, "3")
    page.goto("/study/bbb/")
    page.evaluate("window.__marker = 1")
    page.keyboard.press("z")
    page.get_by_text("Resposta desfeita: o cartão “Fato 0 de […] sobre Alfa”").wait_for()
    assert "Alfa" in page.locator("#study-card .crumb").inner_text()
    assert page.evaluate("window.__marker") == 1
    assert check_a11y(page, "study-undo-names-card") == []

    page.locator("#study-card a.edit-item").click()
    page.wait_for_url(lambda url: "/decks/pt-BR/aaa/?line=4" in url, wait_until="domcontentloaded")
    selected = page.evaluate(
        "() => { const t = document.querySelector('#id_text');"
        " return t.value.slice(t.selectionStart, t.selectionEnd); }"
    )
    assert "Fato 0 de **a0** sobre Alfa" in selected
    screenshot(page, "study-edit-opens-editor-at-line")


def test_deck_options_and_quiz_effects_pages_are_accessible(page, user, two_decks, import_text):
    from django.utils import timezone

    from studyapp.quizzes import services as quiz_services

    questions = "\n".join(f"### Q: Pergunta {n} {{#q-{n}}}\n✅ Resposta {n}\n" for n in range(5))
    text = f"# Quiz\n\n## 🧪 Perguntas comuns na prova\n\n{questions}"
    assert import_text({"content/pt-br/qqq.md": text}).ok

    page.set_viewport_size(VIEWPORTS["phone"])
    login(page, "ana", "senha-de-teste-1")
    page.goto("/study/settings/decks/aaa/")
    page.get_by_label("Cartões novos por dia neste deck").fill("-3")
    page.evaluate("() => { document.querySelector('.settings-form').noValidate = true; }")
    page.get_by_role("button", name="Salvar").click()
    page.get_by_text("nada foi salvo").wait_for()
    assert check_a11y(page, "deck-options-error-phone") == []

    # A quiz on never-studied cards: the result says they move to the front.
    attempt = quiz_services.attempt_start_practice(
        user=user, decks=[], count=5, now=timezone.now(), seed=1
    )
    for question in attempt.questions.all():
        quiz_services.answer_reveal(user=user, attempt_id=attempt.pk, position=question.position)
        quiz_services.answer_self_grade(
            user=user, attempt_id=attempt.pk, position=question.position, correct=False
        )
    quiz_services.attempt_submit(user=user, attempt_id=attempt.pk)
    page.goto(f"/quiz/a/{attempt.pk}/result/")
    page.get_by_text("5 cartões novos passam à frente").wait_for()
    assert check_a11y(page, "quiz-result-study-effects-phone") == []
