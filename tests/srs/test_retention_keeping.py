"""Retention keeping (srs/retention.py, services.retention_target): the scheduler aims at the
retention that makes the learner keep the desired one, read back once a study day."""

from datetime import timedelta

import pytest
from django.urls import reverse

from studyapp.srs import retention, scheduler, services
from studyapp.srs.models import ReviewLog, StudyCard, StudySettings
from studyapp.srs.retention import Answer, keep

from .test_services import answer, make_review_card


def answers(count, *, passed, predicted=0.9, scheduled=0.9):
    return [
        Answer(passed=n < passed, predicted=predicted, scheduled=scheduled) for n in range(count)
    ]


# --- the pure rule -------------------------------------------------------------------------


def test_without_answers_the_target_is_the_desired_retention():
    kept = keep(0.9, [])
    assert (kept.target, kept.reviews, kept.observed) == (0.9, 0, None)


def test_a_shortfall_raises_the_target_by_half_of_it():
    # 1,000 answers, 850 passed, the model predicted 0.85 for them: 5 points short → +2.5.
    kept = keep(0.9, answers(1000, passed=850, predicted=0.85))
    assert kept.observed == 0.85 and kept.reviews == 1000
    assert kept.target == pytest.approx(0.925)


def test_the_reading_starts_from_the_targets_the_answers_were_scheduled_at():
    # Yesterday's target 0.93 brought the learner exactly to 0.90: keep aiming at 0.93.
    kept = keep(0.9, answers(1000, passed=900, predicted=0.9, scheduled=0.93))
    assert kept.target == pytest.approx(0.93)


def test_few_answers_move_the_target_on_the_models_prediction_more_than_on_the_results():
    # 20 answers, all forgotten; the model predicted 0.9: the estimate barely moves.
    few = keep(0.9, answers(20, passed=0, predicted=0.9))
    many = keep(0.9, answers(2000, passed=0, predicted=0.9))
    assert 0.9 < few.target < 0.95 < many.target


def test_a_learner_above_the_desired_retention_gets_longer_intervals_within_bounds():
    assert keep(0.9, answers(1000, passed=960, predicted=0.96)).target == pytest.approx(0.87)
    assert keep(0.9, answers(1000, passed=1000, predicted=1.0)).target == pytest.approx(0.85)


@pytest.mark.parametrize(
    ("desired", "low", "high"), [(0.9, 0.85, 1.0), (0.97, 0.92, 0.99), (0.7, 0.7, 0.8)]
)
def test_the_target_stays_within_its_bounds(desired, low, high):
    assert retention.bounds(desired) == (pytest.approx(low), pytest.approx(min(high, 0.99)))
    assert keep(desired, answers(5000, passed=0, predicted=0.5)).target == pytest.approx(
        min(high, 0.99)
    )


# --- the service ---------------------------------------------------------------------------


def reviewed_cards(user, cards, now, *, passed, total, days=3):
    """``total`` review answers in the window, ``passed`` of them passed, ``days`` days ago."""
    moment = now - timedelta(days=days)
    for index, card in enumerate(cards[:total]):
        make_review_card(card, moment, stability=3.0, days=3)
        answer(user, card, 3 if index < passed else 1, moment)


@pytest.mark.django_db
def test_the_target_is_computed_once_a_study_day(
    user, cards, settings_, now, django_assert_num_queries
):
    reviewed_cards(user, cards, now, passed=5, total=10)
    settings = StudySettings.objects.get(user=user)
    target = services.retention_target(settings=settings, now=now)
    assert settings.retention_reviews == 10 and settings.retention_observed == 0.5
    assert target > settings.desired_retention
    stored = StudySettings.objects.get(pk=settings.pk)
    assert (stored.aimed_retention, stored.retention_day) == (target, settings.retention_day)
    with django_assert_num_queries(0):
        assert services.retention_target(settings=settings, now=now + timedelta(hours=2)) == target
    # The next study day reads the window again.
    with django_assert_num_queries(2):
        services.retention_target(settings=settings, now=now + timedelta(days=1))


@pytest.mark.django_db
def test_the_window_reads_only_answers_to_cards_in_review_at_their_interval(
    user, cards, settings_, now
):
    reviewed_cards(user, cards, now, passed=2, total=4)
    # Not read: a new card's first answer, a card studied ahead the same day, answers older
    # than the window.
    answer(user, cards[10], 3, now - timedelta(days=1))
    make_review_card(cards[11], now, stability=3.0, days=0)
    answer(user, cards[11], 1, now)
    old = now - timedelta(days=retention.WINDOW_DAYS + 2)
    make_review_card(cards[12], old, stability=3.0, days=3)
    answer(user, cards[12], 1, old)
    settings = StudySettings.objects.get(user=user)
    services.retention_refresh(settings=settings, now=now)
    assert (settings.retention_reviews, settings.retention_observed) == (4, 0.5)


@pytest.mark.django_db
def test_answers_are_scheduled_at_the_target_and_the_buttons_show_it(user, cards, settings_, now):
    settings = StudySettings.objects.get(user=user)
    StudySettings.objects.filter(pk=settings.pk).update(
        retention_offset=0.05, retention_day=scheduler.timing.study_day(now, settings.tzinfo)
    )
    settings.refresh_from_db()
    card = make_review_card(cards[0], now, stability=30.0, days=30)
    preview = services.card_preview(card=card, settings=settings, now=now)
    at_desired = scheduler.preview(
        services._memory(card), now=now, seed=card.pk, tz=settings.tzinfo, desired_retention=0.9
    )
    assert preview[3] < at_desired[3]  # a higher target: a shorter interval
    result = answer(user, card, 3, now, settings=settings)
    assert result.log.interval_after == preview[3]
    assert StudyCard.objects.get(pk=card.pk).scheduled_retention == 0.95
    # The next answer logs the target that scheduled it (what the window reads back).
    later = now + preview[3]
    answer(user, card, 3, later, settings=settings)
    assert ReviewLog.objects.filter(card=card).first().scheduled_retention_before == 0.95


@pytest.mark.django_db
def test_changing_the_desired_retention_recomputes_the_target(user, cards, settings_, now):
    settings = StudySettings.objects.get(user=user)
    reviewed_cards(user, cards, now, passed=5, total=10)
    services.retention_target(settings=settings, now=now)
    offset = settings.retention_offset
    assert offset > 0
    services.study_settings_update(settings=settings, desired_retention=0.85)
    # The next reading starts from the new desired retention (not yesterday's target)...
    assert services.retention_target(settings=settings, now=now) < 0.85 + offset
    # ...and a desired retention changed any other way (the admin) is aimed at at once.
    StudySettings.objects.filter(pk=settings.pk).update(desired_retention=0.8)
    settings.refresh_from_db()
    assert settings.aimed_retention == pytest.approx(0.8 + settings.retention_offset)
    # Saving the other settings keeps today's target.
    day = settings.retention_day
    services.study_settings_update(settings=settings, new_per_day=10)
    assert StudySettings.objects.get(pk=settings.pk).retention_day == day


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pt-br", "você lembrou 50,0% de 10 revisões. Para você manter 90,0%, o agendador mira"),
        ("en", "you recalled 50.0% of 10 reviews. To keep 90.0%, the scheduler aims at"),
    ],
)
def test_the_settings_page_says_what_the_scheduler_aims_at(
    user_client, user, cards, settings_, now, language, text
):
    reviewed_cards(user, cards, services.timezone.now(), passed=5, total=10)
    user_client.cookies["django_language"] = language
    page = user_client.get(reverse("srs:settings"))
    assert text in " ".join(page.content.decode().split())


@pytest.mark.django_db
def test_the_settings_page_of_a_new_learner_says_the_target_adjusts(user_client, user):
    page = user_client.get(reverse("srs:settings")).content.decode()
    assert "O agendador mira 90,0%" in " ".join(page.split())


@pytest.mark.django_db
def test_keeping_switched_off_measures_but_aims_at_the_desired_retention(
    user_client, user, cards, settings_, now, django_assert_num_queries
):
    reviewed_cards(user, cards, now, passed=5, total=10)
    settings = StudySettings.objects.get(user=user)
    services.study_settings_update(settings=settings, keep_retention=False)
    with django_assert_num_queries(0):  # switched off: nothing read or written
        assert services.retention_target(settings=settings, now=now) == 0.9
    services.study_settings_update(settings=settings, keep_retention=True)
    assert services.retention_target(settings=settings, now=now) > 0.9
    # The form: an unticked box switches it off, and the page says so.
    data = {
        "new_per_day": 20,
        "reviews_per_day": 200,
        "desired_retention": "0.9",
        "maximum_interval": 36500,
        "leech_threshold": 8,
        "timezone": "America/Sao_Paulo",
    }
    assert user_client.post(reverse("srs:settings"), data).status_code == 302
    assert StudySettings.objects.get(user=user).keep_retention is False
    page = " ".join(user_client.get(reverse("srs:settings")).content.decode().split())
    assert "Desligado: o agendador mira 90,0% em cada cartão." in page


@pytest.mark.django_db
def test_a_new_target_renews_the_learners_cached_figures(
    user, cards, settings_, now, django_capture_on_commit_callbacks
):
    from studyapp.progress import dashboard_cache
    from studyapp.versions import tokens

    reviewed_cards(user, cards, now, passed=5, total=10)
    settings = StudySettings.objects.get(user=user)
    key = dashboard_cache.USER_KEY.format(user.pk)
    before = tokens(key)[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.retention_target(settings=settings, now=now + timedelta(days=1))
    assert tokens(key)[0] != before
