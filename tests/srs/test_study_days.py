"""Study-day dues through the services, the queue and the dashboard; leeches as the learner
sees them; the leech threshold setting; the data migration (issue 12, points 1–3)."""

import importlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone, translation

from studyapp.progress.selectors import dashboard_get
from studyapp.srs import selectors, services, timing
from studyapp.srs.models import DeckLimits, StudyCard
from studyapp.srs.rollups import retention_field
from studyapp.srs.services import action_undo, card_unsuspend, review_record

pytestmark = pytest.mark.django_db
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def local(*args, tz=SAO_PAULO):
    return datetime(*args, tzinfo=tz).astimezone(UTC)


def answer(user, card, rating, now, **kwargs):
    card.refresh_from_db()
    return review_record(
        user=user, card_id=card.pk, token=card.token, rating=rating, now=now, **kwargs
    )


def as_review(card, *, last, due, stability=10.0, lapses=0, **fields):
    card.state, card.stability, card.difficulty = "review", stability, 5.0
    card.last_review, card.due, card.reps, card.lapses = last, due, 5, lapses
    for name, value in fields.items():
        setattr(card, name, value)
    card.save()
    return card


def queue_reviews(user, settings, now):
    day = selectors.day_counts(user=user, settings=settings, now=now)
    return selectors.queue_counts(user=user, scope=selectors.Scope(), now=now, day=day).review


def test_a_review_answered_at_night_is_shown_the_whole_due_day(user, cards, settings_):
    evening = local(2025, 3, 12, 21, 0)
    card = as_review(cards[0], last=evening - timedelta(days=10), due=evening)
    result = answer(user, card, 3, evening)
    days = result.log.interval_after.days
    due_date = (evening.astimezone(SAO_PAULO) + timedelta(days=days)).date()
    morning = datetime.combine(due_date, datetime.min.time(), SAO_PAULO)
    assert queue_reviews(user, settings_, (morning + timedelta(hours=8)).astimezone(UTC)) == 1
    # 03:59 that date still belongs to the study day before: not due yet.
    early = (morning + timedelta(hours=3, minutes=59)).astimezone(UTC)
    assert queue_reviews(user, settings_, early) == 0
    assert queue_reviews(user, settings_, early + timedelta(minutes=1)) == 1


def test_dashboard_due_today_equals_what_the_queue_shows_today(user, cards, settings_, seed_deck):
    now = local(2025, 3, 12, 9, 0)
    start = timing.day_start(now, SAO_PAULO)
    tomorrow = timing.next_day_start(now, SAO_PAULO)
    for card in cards[:4]:  # due today (stored at the study day's start)
        as_review(card, last=start - timedelta(days=5), due=start)
    as_review(cards[4], last=start - timedelta(days=5), due=start - timedelta(days=2))  # overdue
    as_review(cards[5], last=start, due=tomorrow)  # tomorrow
    as_review(cards[6], last=start, due=start, suspended=True)
    as_review(cards[7], last=start, due=start, buried_until=tomorrow)
    learning = cards[8]
    learning.state, learning.step, learning.stability, learning.difficulty = "learning", 1, 2, 5
    learning.last_review, learning.due = now, now + timedelta(hours=3)  # later today
    learning.save()

    due = selectors.due_counts(user=user, now=now)
    assert queue_reviews(user, settings_, now) == 5
    assert (due.now, due.today) == (5, 6)
    later = now + timedelta(hours=3)
    day = selectors.day_counts(user=user, settings=settings_, now=later)
    counts = selectors.queue_counts(user=user, scope=selectors.Scope(), now=later, day=day)
    assert counts.review + counts.learning == due.today
    dashboard = dashboard_get(user=user, now=now)
    assert (dashboard.cards.due_now, dashboard.cards.due_today) == (5, 6)
    assert dashboard.cards.forecast[0] == (timing.study_day(now, SAO_PAULO), 6)

    # Within today's review limit, as the queue.
    services.study_settings_update(settings=settings_, reviews_per_day=2)
    due = selectors.due_counts(user=user, now=now)
    assert (due.now, due.today) == (2, 3)
    assert queue_reviews(user, settings_, now) == 2
    # And within a deck's own limit (the queue's per-deck rule).
    services.study_settings_update(settings=settings_, reviews_per_day=200)
    DeckLimits.objects.create(settings=settings_, deck=seed_deck, reviews_per_day=1)
    due = selectors.due_counts(user=user, now=now)
    assert (due.now, due.today) == (1, 2)
    assert queue_reviews(user, settings_, now) == 1


def test_due_counts_without_settings_use_the_defaults(user, seed_deck):
    services.cards_ensure(user=user)
    assert selectors.due_counts(user=user, now=timezone.now()).today == 0


def test_young_and_mature_count_study_days(user, cards):
    last = local(2025, 3, 1, 21, 0)
    due = timing.day_start(last, SAO_PAULO) + timedelta(days=21)  # 20 d 7 h of clock
    column = retention_field(
        state_before="review",
        rescheduled=True,
        due_before=due,
        last_review_before=last,
        rating=3,
        tz=SAO_PAULO,
    )
    assert column == "mature_pass"


# --- leeches through the services ------------------------------------------------------------


def test_leech_at_eight_lapses_then_every_four(user, cards, settings_):
    now = local(2025, 3, 12, 10, 0)
    card = as_review(cards[0], last=now - timedelta(days=3), due=now, stability=3.0, lapses=7)
    leeches = []
    for _ in range(9):  # lapses 8 … 16
        result = answer(user, card, 1, now)
        if result.leech:
            leeches.append(result.card.lapses)
            assert result.card.suspended and result.card.leech
            card_unsuspend(user=user, card_id=card.pk)
        else:
            assert not result.card.suspended
        card.refresh_from_db()
        as_review(card, last=now - timedelta(days=3), due=now, stability=3.0, lapses=card.lapses)
    assert leeches == [8, 12, 16]
    card.refresh_from_db()
    assert card.leech  # the tag stays after reactivating


def test_undo_restores_the_leech_tag_and_suspension(user, cards, settings_):
    now = local(2025, 3, 12, 10, 0)
    card = as_review(cards[0], last=now - timedelta(days=3), due=now, stability=3.0, lapses=7)
    assert answer(user, card, 1, now).leech
    action_undo(user=user, now=now)
    card.refresh_from_db()
    assert (card.lapses, card.leech, card.suspended) == (7, False, False)
    # A second leech (12 lapses) on a tagged card: undo keeps the tag it had.
    as_review(card, last=now - timedelta(days=3), due=now, stability=3.0, lapses=11, leech=True)
    assert answer(user, card, 1, now).leech
    action_undo(user=user, now=now)
    card.refresh_from_db()
    assert (card.lapses, card.leech, card.suspended) == (11, True, False)


def test_leech_threshold_comes_from_the_settings(user, cards, settings_):
    services.study_settings_update(settings=settings_, leech_threshold=4)
    now = local(2025, 3, 12, 10, 0)
    card = as_review(cards[0], last=now - timedelta(days=3), due=now, stability=3.0, lapses=3)
    assert answer(user, card, 1, now, settings=settings_).leech
    card.refresh_from_db()
    as_review(
        card,
        last=now - timedelta(days=3),
        due=now,
        stability=3.0,
        lapses=5,
        leech=True,
        suspended=False,
    )
    assert answer(user, card, 1, now, settings=settings_).leech  # 4 + 2


# --- the data migration ----------------------------------------------------------------------


def test_migration_moves_review_dues_to_their_study_day_and_tags_leeches(user, cards):
    migration = importlib.import_module("studyapp.srs.migrations.0006_h12a_study_day_dues_leeches")
    evening = local(2025, 3, 12, 21, 30)
    after_midnight = local(2025, 3, 13, 2, 0)  # still the 12th's study day
    as_review(cards[0], last=evening - timedelta(days=4), due=evening, lapses=9)
    as_review(cards[1], last=evening - timedelta(days=4), due=after_midnight)
    learning = cards[2]
    learning.state, learning.due = "learning", evening
    learning.save()
    migration.review_dues_to_study_days(apps, None)
    start = local(2025, 3, 12, 4, 0)
    values = dict(StudyCard.objects.values_list("pk", "due"))
    assert values[cards[0].pk] == start and values[cards[1].pk] == start
    assert values[cards[2].pk] == evening  # learning keeps its exact time
    assert list(StudyCard.objects.filter(leech=True).values_list("pk", flat=True)) == [cards[0].pk]


# --- pages -----------------------------------------------------------------------------------


def _leech_card(user):
    services.cards_ensure(user=user)
    card = StudyCard.objects.filter(user=user).order_by("id").first()
    now = timezone.now()
    StudyCard.objects.filter(pk=card.pk).update(
        state="review",
        stability=3.0,
        difficulty=8.0,
        lapses=8,
        reps=20,
        leech=True,
        due=now - timedelta(minutes=1),
        last_review=now - timedelta(days=3),
    )
    return card


@pytest.mark.parametrize(("language", "tag"), [("pt-br", "sanguessuga"), ("en", "leech")])
def test_leech_tag_on_the_card_and_in_the_suspended_list(client, user, seed_deck, language, tag):
    client.force_login(user)
    card = _leech_card(user)
    headers = {"Accept-Language": language}
    html = client.get(reverse("srs:study"), headers=headers).content.decode()
    assert 'class="badge leech"' in html and f">{tag}</span>" in html
    StudyCard.objects.filter(pk=card.pk).update(suspended=True)
    html = client.get(reverse("srs:settings"), headers=headers).content.decode()
    assert f">{tag}</span>" in html


def test_leech_threshold_setting_saves_and_validates(user_client, user, seed_deck):
    data = {
        "new_per_day": 20,
        "reviews_per_day": 200,
        "desired_retention": "0.90",
        "maximum_interval": 36500,
        "timezone": "America/Sao_Paulo",
        "leech_threshold": 5,
    }
    assert user_client.post(reverse("srs:settings"), data).status_code == 302
    user.study_settings.refresh_from_db()
    assert user.study_settings.leech_threshold == 5
    for bad in ("0", "100", "abc", "-3", "2.5"):
        response = user_client.post(reverse("srs:settings"), {**data, "leech_threshold": bad})
        assert response.status_code == 400, bad
    user.study_settings.refresh_from_db()
    assert user.study_settings.leech_threshold == 5
    # Left out of the post: the current threshold stays.
    del data["leech_threshold"]
    assert user_client.post(reverse("srs:settings"), data).status_code == 302
    user.study_settings.refresh_from_db()
    assert user.study_settings.leech_threshold == 5
    with translation.override("en"):
        page = user_client.get(reverse("srs:settings"), headers={"Accept-Language": "en"})
    assert "Leech threshold" in page.content.decode()
