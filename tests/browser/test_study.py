"""A learner studies the ECR deck with the keyboard only (answers, and undo of an answer
or a bury); htmx swaps, the page never reloads."""

import pytest

from studyapp.srs.models import CardAction, ReviewLog, StudyCard
from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shown_card_id(page) -> str:
    return page.locator("#study-card").get_attribute("data-card")


def test_study_five_cards_with_the_keyboard_and_undo_one(page, user, seed_deck):
    login(page, "ana", "senha-de-teste-1")
    page.goto("/study/ecr/")
    page.evaluate("window.__marker = 1")
    check_a11y(page, "study-front")

    seen = []
    for number in range(5):
        card_id = shown_card_id(page)
        seen.append(card_id)
        back = page.locator("#card-back")
        assert back.is_hidden()
        page.keyboard.press("Space" if number % 2 == 0 else "Enter")
        back.wait_for(state="visible")
        if number == 0:
            check_a11y(page, "study-back")
        page.keyboard.press("3" if number != 2 else "1")
        page.wait_for_function(
            "id => document.querySelector('#study-card')?.dataset.card !== id", arg=card_id
        )
        page.wait_for_function("() => document.activeElement?.matches('[data-reveal]')")
    assert len(set(seen)) == 5
    assert ReviewLog.objects.filter(user=user).count() == 5

    page.keyboard.press("z")
    page.wait_for_function(
        "id => document.querySelector('#study-card')?.dataset.card === id", arg=seen[-1]
    )
    page.get_by_text("Resposta desfeita").wait_for()
    check_a11y(page, "study-after-undo")
    assert ReviewLog.objects.filter(user=user).count() == 4
    assert StudyCard.objects.get(pk=seen[-1]).state == "new"

    assert page.evaluate("window.__marker") == 1  # never reloaded
    durations = list(ReviewLog.objects.filter(user=user).values_list("duration_ms", flat=True))
    assert all(duration is not None for duration in durations)


def test_bury_then_z_brings_the_same_card_back(page, user, seed_deck):
    login(page, "ana", "senha-de-teste-1")
    page.goto("/study/ecr/")
    page.evaluate("window.__marker = 1")
    first = shown_card_id(page)

    page.get_by_role("button", name="Esconder até amanhã").click()
    page.wait_for_function(
        "id => document.querySelector('#study-card')?.dataset.card !== id", arg=first
    )
    page.get_by_text("Cartão escondido até amanhã").wait_for()
    page.wait_for_function("() => document.activeElement?.matches('[data-reveal]')")
    assert StudyCard.objects.get(pk=first).buried_until is not None

    page.keyboard.press("z")
    page.wait_for_function(
        "id => document.querySelector('#study-card')?.dataset.card === id", arg=first
    )
    page.get_by_text("não está mais escondido").wait_for()
    check_a11y(page, "study-after-undo-bury")
    assert StudyCard.objects.get(pk=first).buried_until is None
    assert not CardAction.objects.exists() and not ReviewLog.objects.exists()
    assert page.evaluate("window.__marker") == 1  # never reloaded


def test_study_works_without_javascript(browser, live_server, user, seed_deck):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="pt-BR"
    )
    page = context.new_page()
    login(page, "ana", "senha-de-teste-1")
    page.goto("/study/ecr/")
    first = shown_card_id(page)
    page.get_by_role("button", name="Mostrar resposta").click()
    page.get_by_role("button", name="Bom").click()
    page.wait_for_url("**/study/ecr/")
    assert shown_card_id(page) != first
    page.get_by_role("button", name="Desfazer").click()
    assert shown_card_id(page) == first
    context.close()
