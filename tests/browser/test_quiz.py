"""A short mock exam in Chromium: start, answer (autosave), reload (answers kept, timer
continues), flag, move with the navigator, review summary, submit, see the breakdown."""

import re

import pytest
from playwright.sync_api import expect

from studyapp.quizzes.models import ExamProfile
from tests.browser.conftest import check_a11y, login
from tests.quizzes.conftest import deck_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seconds(hms: str) -> int:
    h, m, s = (int(part) for part in hms.split(":"))
    return h * 3600 + m * 60 + s


@pytest.fixture
def short_exam(import_text):
    report = import_text(
        {
            "content/pt-br/alpha.md": deck_text("alpha", "Alpha", "1", 6, multiple=(2,)),
            "content/pt-br/flash.md": deck_text("flash", "Beta", "2", 4, flashcards=True),
        }
    )
    assert report.ok, report.errors
    return ExamProfile.objects.create(
        slug="curto",
        name="Curto",
        question_count=5,
        minutes=10,
        pass_mark=720,
        domain_1_weight=60,
        domain_2_weight=40,
        domain_3_weight=0,
        domain_4_weight=0,
        position=1,
    )


def test_take_a_short_mock_exam(page, user, short_exam):
    login(page, "ana", "senha-de-teste-1")
    page.goto("/quiz/")
    check_a11y(page, "quiz-index")
    page.get_by_role("link", name="Simulado Curto").click()
    page.get_by_role("button", name="Começar").click()  # the start page (issue 14)

    expect(page.get_by_role("heading", name="Questão 1 de 5")).to_be_visible(timeout=20_000)
    clock = page.locator("[data-clock]")
    expect(clock).to_have_text(re.compile(r"^0:\d\d:\d\d$"))  # h:mm:ss
    assert seconds(clock.inner_text()) <= 600
    check_a11y(page, "quiz-question")

    first = page.locator("#answer-form input[name=option]").first
    chosen = first.get_attribute("value")
    first.check()
    expect(page.locator("#save-status")).to_contain_text("Resposta salva")
    expect(page.locator("#nav-1")).to_have_class("nav-item answered")

    page.get_by_role("button", name="Marcar para revisão").click()
    expect(page.get_by_role("button", name="Marcar para revisão")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#nav-1")).to_have_class("nav-item answered flagged")

    page.wait_for_timeout(1500)  # let the countdown move before reloading
    before = seconds(clock.inner_text())
    page.reload()
    expect(page.locator(f'#answer-form input[value="{chosen}"]')).to_be_checked()
    expect(page.get_by_role("button", name="Marcar para revisão")).to_have_attribute(
        "aria-pressed", "true"
    )
    after = seconds(page.locator("[data-clock]").inner_text())
    assert after <= before < 600  # the timer continues from the stored deadline, no reset

    page.locator("#nav-2 a").click()  # the navigator (htmx swap; the timer stays)
    expect(page.get_by_role("heading", name="Questão 2 de 5")).to_be_visible()
    assert "/q/2/" in page.url
    page.locator("#answer-form input[name=option]").last.check()
    expect(page.locator("#save-status")).to_contain_text("Resposta salva")

    page.locator("#exam-bar").get_by_role("button", name="Revisão", exact=True).click()
    expect(page.get_by_role("link", name="Sem resposta 3")).to_be_visible()
    expect(page.get_by_role("link", name="Marcadas 1")).to_be_visible()
    check_a11y(page, "quiz-summary")
    page.get_by_role("link", name="Finalizar").click()
    page.get_by_role("button", name="Sim, finalizar").click()

    expect(page.get_by_role("heading", name="Resultado")).to_be_visible()
    expect(page.get_by_role("heading", name="Por domínio do exame")).to_be_visible()
    expect(page.get_by_role("heading", name="Por tópico")).to_be_visible()
    expect(page.get_by_text("Desenvolvimento com serviços da AWS")).to_be_visible()
    check_a11y(page, "quiz-result")

    page.get_by_role("link", name="Revisar as respostas").click()
    expect(page.locator(".review-item")).to_have_count(5)
    page.get_by_role("link", name="Marcadas").click()
    expect(page.locator(".review-item")).to_have_count(1)
    check_a11y(page, "quiz-review")


@pytest.mark.parametrize(("width", "height"), [(1366, 800), (390, 844)])
def test_a_self_graded_card_in_practice(page, user, import_text, width, height):
    """A seed-style flashcard (✅ only): no options to pick; show the answer, then Acertei or
    Errei, which grades the question; keyboard only."""
    cards = deck_text("cards", "Cards", "1", 5, flashcards=True)
    assert import_text({"content/pt-br/cards.md": cards}).ok
    page.set_viewport_size({"width": width, "height": height})
    login(page, "ana", "senha-de-teste-1")
    page.goto("/quiz/?deck=cards")
    page.get_by_label("Número de questões").fill("5")
    page.get_by_role("button", name="Praticar").click()
    expect(page.get_by_role("heading", name="Questão 1 de 5")).to_be_visible()
    expect(page.locator("input[name=option]")).to_have_count(0)
    reveal = page.get_by_role("button", name="Mostrar resposta")
    reveal.focus()
    check_a11y(page, f"quiz-self-graded-{width}")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Resposta", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Explicação cards \d\.$"))).to_be_visible()
    expect(page.get_by_role("group", name="Você acertou?")).to_be_visible()
    check_a11y(page, f"quiz-self-graded-answer-{width}")
    page.get_by_role("button", name="Errei").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text("Você marcou: errei.")).to_be_visible()
    expect(page.locator("#nav-1")).to_have_class("nav-item answered")
    expect(page.get_by_role("button", name="Acertei")).to_have_count(0)
    check_a11y(page, f"quiz-self-graded-done-{width}")


def test_back_after_moving_through_the_quiz_shows_whole_pages(page, user, short_exam):
    """Moves between questions are htmx swaps that push their URL. Going Back must restore the
    whole page, never the bare fragment the swap fetched (htmx's historyRestoreAsHxRequest)."""
    login(page, "ana", "senha-de-teste-1")
    page.goto("/quiz/")
    page.get_by_role("link", name="Simulado Curto").click()
    page.get_by_role("button", name="Começar").click()  # the start page (issue 14)
    expect(page.get_by_role("heading", name="Questão 1 de 5")).to_be_visible(timeout=20_000)
    page.locator("#nav-2 a").click()
    expect(page.get_by_role("heading", name="Questão 2 de 5")).to_be_visible()
    page.locator("#nav-3 a").click()
    expect(page.get_by_role("heading", name="Questão 3 de 5")).to_be_visible()

    for position in (2, 1):
        # Drop htmx's snapshot cache (not its current-path record) so Back must fetch the
        # page again: the history miss where a fragment could be restored as the page.
        page.evaluate("sessionStorage.removeItem('htmx-history-cache')")
        page.go_back()
        heading = page.locator("main").get_by_role("heading", name=f"Questão {position} de 5")
        expect(heading).to_be_visible()  # inside <main>: the layout is there, not a fragment
        assert f"/q/{position}/" in page.url
        expect(page.locator("[data-clock]")).to_be_visible()
