"""A learner studies in Portuguese, switches to English with the switcher and keeps studying
the same card: same item (its English text), same schedule, one review history."""

import pytest

from studyapp.content.models import Item
from studyapp.srs.models import ReviewLog, StudyCard
from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shown_card(page) -> StudyCard:
    return StudyCard.objects.select_related("item").get(
        pk=page.locator("#study-card").get_attribute("data-card")
    )


def test_switch_language_and_keep_studying_the_same_card(page, user, all_content):
    login(page, "ana", "senha-de-teste-1")
    page.goto("/study/ecr/")
    assert page.locator("html").get_attribute("lang") == "pt-br"
    first = shown_card(page)
    page.get_by_role("button", name="Mostrar resposta").click()
    page.get_by_role("button", name="Bom").click()
    page.wait_for_function(
        "id => document.querySelector('#study-card')?.dataset.card !== String(id)", arg=first.pk
    )
    current = shown_card(page)
    first.refresh_from_db()
    schedule = (first.state, first.due, first.stability, first.reps)

    page.select_option("#language-select", "en")
    page.get_by_role("button", name="Mudar").click()
    page.wait_for_selector("html[lang='en']")
    assert page.url.endswith("/study/ecr/")

    # The same card, now in English where the deck has a translation.
    assert shown_card(page).pk == current.pk
    english = Item.objects.get(translation_of=current.item, deck__language="en")
    assert page.locator("#study-card").get_attribute("lang") is None
    assert english.deck.title in page.locator("#study-card .crumb").inner_text()
    assert page.locator("h1").inner_text() == english.deck.title
    check_a11y(page, "i18n-study-en-front")
    page.get_by_role("button", name="Show answer").click()
    assert english.text_html.strip() in page.locator("#study-card").inner_html()
    check_a11y(page, "i18n-study-en-back")

    # The schedule of the card answered in Portuguese is untouched; studying goes on.
    first.refresh_from_db()
    assert (first.state, first.due, first.stability, first.reps) == schedule
    page.get_by_role("button", name="Good").click()
    page.wait_for_function(
        "id => document.querySelector('#study-card')?.dataset.card !== String(id)",
        arg=current.pk,
    )
    page.get_by_role("button", name="Show answer").wait_for()
    reviewed = list(ReviewLog.objects.filter(user=user).values_list("card_id", flat=True))
    assert sorted(reviewed) == sorted([first.pk, current.pk])
    assert all(card.item.deck.language == "pt-BR" for card in StudyCard.objects.filter(user=user))

    # The choice is remembered for the signed-in user.
    page.goto("/progress/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("heading", name="Your progress").wait_for()
