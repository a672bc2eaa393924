"""A learner trains their parameters and asks for a retention suggestion on the settings
page, without JavaScript being needed (plain form posts)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from studyapp.srs.models import ParameterEvaluation
from tests.browser.conftest import check_a11y, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_settings_page_parameters_section(page, user, seed_deck, monkeypatch):
    from studyapp.srs import optimizer

    monkeypatch.setattr(optimizer, "suggest_retention", lambda parameters, **inputs: 0.87)
    ParameterEvaluation.objects.create(
        user=user,
        created_at=timezone.now() - timedelta(hours=1),  # past the 10-minute retraining guard
        reviews=812,
        logloss_before=0.3012,
        logloss_after=0.3050,
        rmse_before=0.051,
        rmse_after=0.032,
        accepted=False,
    )
    login(page, "ana", "senha-de-teste-1")
    page.goto("/study/settings/")
    page.get_by_text("812 revisões usadas.").wait_for()
    page.get_by_text("Rejeitados: os anteriores foram mantidos.").wait_for()
    check_a11y(page, "settings-parameters")

    page.get_by_role("button", name="Treinar parâmetros com o meu histórico").click()
    page.get_by_text("0 revisões de 400 necessárias").wait_for()
    check_a11y(page, "settings-parameters-below-minimum")

    page.get_by_role("button", name="Sugerir um valor").click()
    page.get_by_text("Sugestão: 0,87 (menor tempo de estudo por cartão lembrado)").wait_for()
    check_a11y(page, "settings-retention-suggestion")


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}]
)
def test_settings_page_says_what_retention_keeping_aims_at_and_switches_off(
    page, user, seed_deck, viewport
):
    from studyapp.srs import services
    from studyapp.srs.models import StudyCard, StudySettings

    page.set_viewport_size(viewport)
    now = timezone.now() - timedelta(days=2)
    services.cards_ensure(user=user, now=now)
    for index, card in enumerate(StudyCard.objects.filter(user=user).order_by("id")[:10]):
        card.state, card.stability, card.difficulty = "review", 3.0, 5.0
        card.last_review, card.due, card.reps = now - timedelta(days=3), now, 3
        card.save()
        services.review_record(
            user=user, card_id=card.pk, token=card.token, rating=3 if index < 7 else 1, now=now
        )
    login(page, "ana", "senha-de-teste-1")
    page.goto("/study/settings/")
    page.get_by_text("você lembrou 70,0% de 10 revisões.").wait_for()
    page.get_by_text("Para você manter 90,0%, o agendador mira").wait_for()
    check_a11y(page, f"settings-retention-keeping-{viewport['width']}")

    page.get_by_label("manter a retenção desejada").uncheck()
    page.get_by_role("button", name="Salvar", exact=True).click()
    page.get_by_text("Desligado: o agendador mira 90,0% em cada cartão.").wait_for()
    assert StudySettings.objects.get(user=user).keep_retention is False
    check_a11y(page, f"settings-retention-keeping-off-{viewport['width']}")
