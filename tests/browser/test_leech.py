"""A leech as the learner meets it: the tag on the card, the suspension at the next leech
lapse, the tag in the suspended list, and the threshold in the settings."""

from datetime import timedelta

import pytest
from django.utils import timezone

from studyapp.srs.models import StudyCard
from studyapp.srs.services import cards_ensure
from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leech_tag_suspension_and_threshold(page, user, seed_deck):
    cards_ensure(user=user)
    card = StudyCard.objects.filter(user=user).order_by("id").first()
    now = timezone.now()
    StudyCard.objects.filter(pk=card.pk).update(
        state="review",
        stability=3.0,
        difficulty=8.0,
        lapses=11,  # a leech at 8, reactivated; the next leech lapse is the 12th
        leech=True,
        reps=30,
        due=now - timedelta(hours=1),
        last_review=now - timedelta(days=3),
    )
    login(page, "ana", "senha-de-teste-1")
    page.goto("/study/ecr/")
    assert page.locator("#study-card").get_attribute("data-card") == str(card.pk)
    page.locator(".study-card .badge.leech").get_by_text("sanguessuga").wait_for()
    check_a11y(page, "leech-card")

    page.keyboard.press("Space")
    page.locator("#card-back").wait_for(state="visible")
    page.keyboard.press("1")
    page.get_by_text("foi suspenso (sanguessuga)").wait_for()
    card.refresh_from_db()
    assert card.suspended and card.lapses == 12

    page.goto("/study/settings/")
    page.locator(".suspended-list .badge.leech").get_by_text("sanguessuga").wait_for()
    field = page.get_by_label("Limite de sanguessuga (lapsos)")
    field.fill("0")
    field.evaluate("input => input.removeAttribute('min')")  # let the server validate
    page.get_by_role("button", name="Salvar", exact=True).click()
    page.locator(".errorlist").first.wait_for()
    check_a11y(page, "leech-settings-error")
    page.get_by_label("Limite de sanguessuga (lapsos)").fill("6")
    page.get_by_role("button", name="Salvar", exact=True).click()
    page.wait_for_function("() => !document.querySelector('.errorlist')")
    user.study_settings.refresh_from_db()
    assert user.study_settings.leech_threshold == 6
