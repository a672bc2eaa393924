"""The quiz policy (docs/study.md, "Quiz answers and the study queue"): a quiz answer on a
card that is not due never counts as a lapse, a leech step or a retention failure; a wrong
one brings the card back today; a wrong one on a never-studied item puts it first among
the new cards; due cards are reviewed as in a study session."""

from datetime import UTC, datetime, timedelta

import pytest

from studyapp.srs import selectors, services, timing
from studyapp.srs.models import DailyReviewStats, ReviewLog, StudyCard
from studyapp.srs.services import QuizEffect, review_from_quiz

from .test_services import answer, first_card, make_review_card

pytestmark = pytest.mark.django_db


def quiz(user, card, correct, now, attempt_id=None):
    effect = review_from_quiz(
        user=user, item=card.item, correct=correct, now=now, attempt_id=attempt_id
    )
    card.refresh_from_db()
    return effect


def retention_failures(user):
    rows = DailyReviewStats.objects.filter(user=user)
    return sum(row.young_fail + row.mature_fail for row in rows)


def test_wrong_answer_on_a_not_due_review_card_brings_it_back_today_without_a_lapse(
    user, cards, settings_, now
):
    card = make_review_card(cards[0], now + timedelta(days=9), lapses=2)
    memory = (card.state, card.stability, card.difficulty, card.reps, card.last_review)
    assert quiz(user, card, False, now) == QuizEffect.FORWARD
    assert (card.state, card.stability, card.difficulty, card.reps, card.last_review) == memory
    # Due from the start of today's study day (04:00 in São Paulo = 07:00 UTC).
    today = timing.day_start(now, settings_.tzinfo)
    assert today == datetime(2025, 3, 12, 7, 0, tzinfo=UTC)
    assert card.lapses == 2 and card.due == today and not card.suspended
    log = ReviewLog.objects.get(card=card)
    assert (log.source, log.rating, log.rescheduled) == ("quiz", 1, False)
    assert log.due_before == now + timedelta(days=9) and log.due_after == today
    assert retention_failures(user) == 0
    # It is in today's queue, as a review (before the new cards).
    assert first_card(user, settings_, now) == card


def test_ten_wrong_quiz_answers_on_a_not_due_card_never_make_it_a_leech(user, cards, now):
    card = make_review_card(cards[0], now + timedelta(days=30), lapses=7)
    for minute in range(10):
        card.due = now + timedelta(days=30)
        card.save()
        quiz(user, card, False, now + timedelta(minutes=minute))
    assert card.lapses == 7 and not card.suspended and card.state == "review"
    assert retention_failures(user) == 0


def test_right_answer_on_a_not_due_card_is_logged_as_evidence_only(user, cards, now):
    card = make_review_card(cards[0], now + timedelta(days=9))
    assert quiz(user, card, True, now) == QuizEffect.LOGGED
    assert card.due == now + timedelta(days=9) and card.reps == 5
    evidence = selectors.quiz_evidence(user_ids=[user.pk])
    assert evidence == [(user.pk, card.item.deck_id, card.item_id, now, True)]


def test_review_card_due_later_today_is_due_for_the_quiz(user, cards, now):
    # 15:00 UTC is 12:00 in São Paulo; due at 20:00 local, the same study day.
    card = make_review_card(cards[0], now + timedelta(hours=8))
    assert quiz(user, card, True, now) == QuizEffect.GOOD
    assert card.reps == 6 and card.due > now + timedelta(days=1)


def test_wrong_answer_on_a_due_review_card_is_a_real_lapse(user, cards, now):
    card = make_review_card(cards[0], now - timedelta(hours=1))
    assert quiz(user, card, False, now) == QuizEffect.AGAIN
    assert card.state == "relearning" and card.lapses == 1
    assert ReviewLog.objects.get(card=card).rescheduled is True
    assert retention_failures(user) == 1


def test_wrong_answer_on_a_never_studied_item_puts_it_first_among_new_cards(
    user, cards, settings_, now
):
    last = cards[-1]
    assert quiz(user, last, False, now) == QuizEffect.NEW_FIRST
    assert last.state == "new" and last.reps == 0 and last.lapses == 0
    assert first_card(user, settings_, now) == last
    # A second miss comes before the first one.
    quiz(user, cards[-2], False, now)
    assert first_card(user, settings_, now) == cards[-2]
    # Within the daily new limit: with no new cards left today, it waits.
    settings_.new_per_day = 0
    settings_.save()
    assert first_card(user, settings_, now) is None


def test_right_answer_on_a_never_studied_item_leaves_it_new(user, cards, settings_, now):
    assert quiz(user, cards[5], True, now) == QuizEffect.LOGGED
    assert cards[5].state == "new" and cards[5].due == now
    assert first_card(user, settings_, now) == cards[0]


def test_learning_card_not_yet_due_comes_forward_due_one_is_reviewed(user, cards, now):
    card = cards[0]
    answer(user, card, 1, now)  # learning, due in 1 minute
    card.refresh_from_db()
    step = card.step
    assert quiz(user, card, False, now + timedelta(seconds=10)) == QuizEffect.FORWARD
    assert card.step == step and card.due == now + timedelta(seconds=10)
    assert quiz(user, card, True, now + timedelta(minutes=2)) == QuizEffect.GOOD
    assert card.lapses == 0


def test_suspended_cards_stay_suspended(user, cards, now):
    card = make_review_card(cards[0], now - timedelta(days=1))
    card.suspended = True
    card.save()
    assert quiz(user, card, False, now) == QuizEffect.LOGGED
    assert card.suspended and card.lapses == 0 and card.due == now - timedelta(days=1)
    new = cards[3]
    new.suspended = True
    new.save()
    assert quiz(user, new, False, now) == QuizEffect.LOGGED
    assert new.due == now and new.state == "new"


def test_quiz_effects_count_one_attempt_of_one_user(user, other_user, cards, now):
    make_review_card(cards[0], now + timedelta(days=5))
    make_review_card(cards[1], now - timedelta(days=1))
    make_review_card(cards[2], now + timedelta(days=5))
    quiz(user, cards[0], False, now, attempt_id=7)  # forward
    quiz(user, cards[1], True, now, attempt_id=7)  # good
    quiz(user, cards[2], True, now, attempt_id=7)  # logged
    quiz(user, cards[10], False, now, attempt_id=7)  # new first
    quiz(user, cards[11], False, now, attempt_id=8)  # another attempt
    effects = selectors.quiz_effects(user=user, attempt_id=7)
    assert (effects.forward, effects.new_first, effects.again, effects.good, effects.logged) == (
        1,
        1,
        0,
        1,
        1,
    )
    assert effects.queue_changed
    assert not selectors.quiz_effects(user=other_user, attempt_id=7).any


def test_translated_item_feeds_its_source_card(user, cards, now):
    card = make_review_card(cards[0], now + timedelta(days=4))
    translation = type(card.item)(pk=None, translation_of_id=card.item_id)
    assert review_from_quiz(user=user, item=translation, correct=False, now=now) == "forward"
    assert StudyCard.objects.get(pk=card.pk).due <= now


def test_quiz_answers_do_not_touch_undo(user, cards, now):
    make_review_card(cards[0], now + timedelta(days=4))
    quiz(user, cards[0], False, now)
    with pytest.raises(services.NothingToUndo):
        services.action_undo(user=user, now=now)
