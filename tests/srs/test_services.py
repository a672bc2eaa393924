"""Study services: answering, limits, undo (answers, buries, suspends), leeches, tokens,
concurrency, quiz reviews."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError, connection

from studyapp.srs import selectors, services, timing
from studyapp.srs.models import CardAction, ReviewLog, StudyCard
from studyapp.srs.services import (
    CARD_ACTIONS_KEPT,
    CardUnavailable,
    InvalidRating,
    NothingToUndo,
    TokenUsed,
    action_undo,
    card_preview,
    review_record,
)

pytestmark = pytest.mark.django_db


def answer(user, card, rating, now, **kwargs):
    card.refresh_from_db()
    return review_record(
        user=user, card_id=card.pk, token=card.token, rating=rating, now=now, **kwargs
    )


def first_card(user, settings, now, scope=None):
    scope = scope or selectors.Scope()
    day = selectors.day_counts(user=user, settings=settings, now=now)
    return selectors.next_card(user=user, scope=scope, now=now, day=day)


def make_review_card(card, now, *, stability=20.0, lapses=0, days=20):
    card.state = "review"
    card.stability = stability
    card.difficulty = 5.0
    card.last_review = now - timedelta(days=days)
    card.due = now
    card.reps = 5
    card.lapses = lapses
    card.save()
    return card


def test_cards_are_created_once_per_studiable_item(user, seed_deck, now):
    assert services.cards_ensure(user=user, now=now) == 20
    assert services.cards_ensure(user=user, now=now) == 0
    assert StudyCard.objects.filter(user=user, state="new").count() == 20


def test_new_card_goes_to_learning_then_review_and_is_logged(user, cards, now):
    card = cards[0]
    result = answer(user, card, 3, now, duration_ms=2500)
    assert (result.card.state, result.card.step, result.card.due) == (
        "learning",
        1,
        now + timedelta(minutes=10),
    )
    log = result.log
    assert (log.state_before, log.state_after, log.rating, log.duration_ms) == (
        "new",
        "learning",
        3,
        2500,
    )
    assert log.due_before == now and log.interval_after == timedelta(minutes=10)

    later = now + timedelta(minutes=10)
    result = answer(user, card, 3, later)
    assert result.card.state == "review"
    assert result.card.due >= later + timedelta(days=1)
    assert result.card.reps == 2
    assert ReviewLog.objects.filter(card=card).count() == 2


def test_review_again_puts_card_in_relearning(user, cards, now):
    card = make_review_card(cards[0], now)
    result = answer(user, card, 1, now)
    assert result.card.state == "relearning"
    assert result.card.lapses == 1
    assert result.card.due == now + timedelta(minutes=10)


def test_button_labels_equal_the_interval_applied(user, cards, settings_, now):
    for index, card in enumerate(cards[:8]):
        make_review_card(card, now, stability=5.0 + index * 40, days=10 + index * 30)
        for rating in (1, 2, 3, 4):
            card.refresh_from_db()
            expected = card_preview(card=card, settings=settings_, now=now)[rating]
            with_undo = answer(user, card, rating, now)
            assert with_undo.log.interval_after == expected
            if with_undo.card.state == "review":
                # Due for the whole study day ``expected`` days on: from its 04:00.
                tz = settings_.tzinfo
                due_day = timing.study_day(with_undo.card.due, tz)
                assert due_day - timing.study_day(now, tz) == expected
                assert with_undo.card.due == timing.day_start(with_undo.card.due, tz)
            else:
                assert with_undo.card.due - now == expected
            action_undo(user=user, now=now)


def test_queue_order_learning_then_reviews_then_new(user, cards, settings_, now):
    review_card = make_review_card(cards[5], now - timedelta(hours=1))
    learning = cards[7]
    learning.state, learning.step, learning.due = "learning", 1, now - timedelta(minutes=1)
    learning.stability, learning.difficulty, learning.last_review = (
        2.0,
        5.0,
        now - timedelta(minutes=11),
    )
    learning.save()
    assert first_card(user, settings_, now) == learning
    answer(user, learning, 3, now)
    assert first_card(user, settings_, now) == review_card
    answer(user, review_card, 3, now)
    assert first_card(user, settings_, now) == cards[0]


def test_retired_items_never_show(user, cards, settings_, now):
    item = cards[0].item
    item.retired_at = now
    item.save()
    assert first_card(user, settings_, now) == cards[1]
    with pytest.raises(CardUnavailable):
        answer(user, cards[0], 3, now)


def test_new_card_daily_limit_resets_at_4am_local(user, cards, settings_, now):
    settings_.new_per_day = 2
    settings_.save()
    # 12:00 in São Paulo: two new cards, then none until 04:00 tomorrow local time.
    for card in cards[:2]:
        answer(user, card, 4, now)
    assert first_card(user, settings_, now) is None
    tomorrow_0359 = datetime(2025, 3, 13, 6, 59, tzinfo=UTC)  # 03:59 in São Paulo (UTC−3)
    assert first_card(user, settings_, tomorrow_0359) is None
    tomorrow_0400 = datetime(2025, 3, 13, 7, 0, tzinfo=UTC)
    assert first_card(user, settings_, tomorrow_0400) == cards[2]


def test_new_card_daily_limit_in_tokyo(user, cards, settings_, now):
    settings_.new_per_day = 1
    settings_.timezone = "Asia/Tokyo"
    settings_.save()
    at_0359 = datetime(2025, 3, 12, 18, 59, tzinfo=UTC)  # 03:59 on the 13th in Tokyo (UTC+9)
    answer(user, cards[0], 4, at_0359)
    assert first_card(user, settings_, at_0359) is None
    at_0400 = at_0359 + timedelta(minutes=1)  # a new study day in Tokyo
    assert first_card(user, settings_, at_0400) == cards[1]


def test_review_daily_limit(user, cards, settings_, now):
    settings_.reviews_per_day, settings_.new_per_day = 1, 0
    settings_.save()
    first, second = make_review_card(cards[0], now), make_review_card(cards[1], now)
    answer(user, first, 3, now)
    assert first_card(user, settings_, now) is None
    counts = selectors.queue_counts(
        user=user,
        scope=selectors.Scope(),
        now=now,
        day=selectors.day_counts(user=user, settings=settings_, now=now),
    )
    assert counts.review == 0
    assert second.pk  # still due, waiting for tomorrow


def test_undo_restores_the_card_exactly_and_deletes_the_log(user, cards, now):
    card = make_review_card(cards[0], now, lapses=2)
    before = StudyCard.objects.values().get(pk=card.pk)
    answer(user, card, 1, now)
    restored = action_undo(user=user, now=now).card
    after = StudyCard.objects.values().get(pk=card.pk)
    assert restored.pk == card.pk
    assert {k: v for k, v in after.items() if k != "token"} == {
        k: v for k, v in before.items() if k != "token"
    }
    assert not ReviewLog.objects.filter(card=card).exists()
    with pytest.raises(NothingToUndo):
        action_undo(user=user, now=now)


def card_values(card):
    """The card's row without the token (every undo rotates it)."""
    values = StudyCard.objects.values().get(pk=card.pk)
    del values["token"]
    return values


def bury(user, card, settings, now):
    card.refresh_from_db()
    return services.card_bury(
        user=user, card_id=card.pk, token=card.token, settings=settings, now=now
    )


def suspend(user, card, now):
    card.refresh_from_db()
    return services.card_suspend(user=user, card_id=card.pk, token=card.token, now=now)


def test_undo_after_bury_puts_the_card_back_in_the_queue_exactly(user, cards, settings_, now):
    card = make_review_card(cards[3], now)
    before = card_values(card)
    bury(user, card, settings_, now)
    assert first_card(user, settings_, now) != card
    assert selectors.has_undo(user=user)

    undone = action_undo(user=user, now=now)
    assert (undone.kind, undone.card.pk) == ("bury", card.pk)
    assert card_values(card) == before
    assert first_card(user, settings_, now) == card
    assert not CardAction.objects.exists()
    assert not selectors.has_undo(user=user)
    with pytest.raises(NothingToUndo):
        action_undo(user=user, now=now)


def test_undo_after_suspend_reactivates_the_card_exactly(user, cards, settings_, now):
    card = cards[0]
    before = card_values(card)
    suspend(user, card, now)
    assert first_card(user, settings_, now) == cards[1]

    undone = action_undo(user=user, now=now)
    assert (undone.kind, undone.card.pk) == ("suspend", card.pk)
    assert card_values(card) == before
    assert first_card(user, settings_, now) == card


def test_undo_takes_back_actions_in_reverse_order_of_answers_and_buries(
    user, cards, settings_, now
):
    # Same clock for everything: the order comes from ids, not timestamps.
    answered, buried = cards[0], cards[1]
    answered_before, buried_before = card_values(answered), card_values(buried)
    answer(user, answered, 3, now)
    bury(user, buried, settings_, now)

    assert action_undo(user=user, now=now).kind == "bury"
    assert card_values(buried) == buried_before
    assert ReviewLog.objects.filter(card=answered).exists()  # the answer is still there

    assert action_undo(user=user, now=now).kind == "answer"
    assert card_values(answered) == answered_before
    assert not ReviewLog.objects.exists()
    with pytest.raises(NothingToUndo):
        action_undo(user=user, now=now)


def test_an_answer_after_a_bury_is_undone_first(user, cards, settings_, now):
    buried, answered = cards[0], cards[1]
    buried_before = card_values(buried)
    bury(user, buried, settings_, now)
    suspend(user, cards[2], now)
    answer(user, answered, 3, now)

    assert [action_undo(user=user, now=now).kind for _ in range(3)] == [
        "answer",
        "suspend",
        "bury",
    ]
    assert card_values(buried) == buried_before
    assert not StudyCard.objects.filter(user=user, suspended=True).exists()


def test_another_users_actions_are_never_undone_by_me(user, other_user, cards, settings_, now):
    services.cards_ensure(user=other_user, now=now)
    theirs = StudyCard.objects.filter(user=other_user).order_by("id")
    their_settings = services.study_settings_get(user=other_user)
    bury(other_user, theirs[0], their_settings, now)
    suspend(other_user, theirs[1], now)
    assert not selectors.has_undo(user=user)
    with pytest.raises(NothingToUndo):
        action_undo(user=user, now=now)

    answer(user, cards[0], 3, now)
    bury(other_user, theirs[2], their_settings, now)  # later, but not mine
    assert action_undo(user=user, now=now).kind == "answer"
    assert CardAction.objects.filter(user=other_user).count() == 3
    assert StudyCard.objects.get(pk=theirs[1].pk).suspended


def test_only_the_latest_actions_are_kept(user, cards, settings_, now, monkeypatch):
    assert CARD_ACTIONS_KEPT >= 5
    monkeypatch.setattr(services, "CARD_ACTIONS_KEPT", 5)
    for card in cards[:8]:
        bury(user, card, settings_, now)
    kept = CardAction.objects.filter(user=user).values_list("card_id", flat=True)
    assert sorted(kept) == [card.pk for card in cards[3:8]]


def test_reviews_log_stays_answers_only(user, cards, settings_, now):
    bury(user, cards[0], settings_, now)
    suspend(user, cards[1], now)
    assert not ReviewLog.objects.exists()
    assert selectors.day_counts(user=user, settings=settings_, now=now).new_done == 0


def test_leech_is_suspended_after_eight_lapses(user, cards, settings_, now):
    card = make_review_card(cards[0], now, lapses=7)
    result = answer(user, card, 1, now)
    assert result.leech
    assert result.card.suspended and result.card.lapses == 8
    assert first_card(user, settings_, now) != card
    action_undo(user=user, now=now)
    card.refresh_from_db()
    assert not card.suspended and card.lapses == 7


def test_used_token_records_nothing(user, cards, now):
    card = cards[0]
    token = card.token
    review_record(user=user, card_id=card.pk, token=token, rating=3, now=now)
    with pytest.raises(TokenUsed):
        review_record(user=user, card_id=card.pk, token=token, rating=3, now=now)
    assert ReviewLog.objects.filter(card=card).count() == 1


def test_invalid_rating_and_other_users_card(user, other_user, cards, now):
    with pytest.raises(InvalidRating):
        review_record(user=user, card_id=cards[0].pk, token=cards[0].token, rating=5, now=now)
    with pytest.raises(StudyCard.DoesNotExist):
        review_record(user=other_user, card_id=cards[0].pk, token=cards[0].token, rating=3, now=now)
    assert not ReviewLog.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_record_one_review(user, seed_deck, now):
    services.cards_ensure(user=user, now=now)
    card = StudyCard.objects.filter(user=user).first()
    barrier = threading.Barrier(4)
    outcomes = []

    def post():
        barrier.wait()
        try:
            for _attempt in range(200):
                try:
                    review_record(user=user, card_id=card.pk, token=card.token, rating=3, now=now)
                    outcomes.append("ok")
                except TokenUsed:
                    outcomes.append("used")
                except OperationalError as error:
                    # The in-memory test database (SQLite shared cache) reports a held write
                    # lock at once instead of waiting out the busy timeout as the file
                    # database does: wait and retry, like the real database would.
                    if "locked" not in str(error):
                        raise
                    time.sleep(0.01)
                    continue
                return
        finally:
            # Each thread has its own connection: close it, or the test database cannot be
            # dropped at the end of the session (PostgreSQL: "being accessed by other users").
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "used", "used", "used"], outcomes
    card.refresh_from_db()
    assert card.reps == 1
    assert ReviewLog.objects.filter(card=card).count() == 1


def test_bury_hides_until_next_study_day_and_suspend_hides(user, cards, settings_, now):
    services.card_bury(
        user=user, card_id=cards[0].pk, token=cards[0].token, settings=settings_, now=now
    )
    services.card_suspend(user=user, card_id=cards[1].pk, token=cards[1].token)
    assert first_card(user, settings_, now) == cards[2]
    next_day = datetime(2025, 3, 13, 7, 0, tzinfo=UTC)  # 04:00 in São Paulo
    assert first_card(user, settings_, next_day) == cards[0]
    services.card_unsuspend(user=user, card_id=cards[1].pk)
    assert StudyCard.objects.get(pk=cards[1].pk).suspended is False


def test_quiz_wrong_answer_on_a_due_card_is_again(user, cards, now):
    card = make_review_card(cards[0], now)
    services.review_from_quiz(user=user, item=card.item, correct=False, now=now)
    card.refresh_from_db()
    assert card.state == "relearning" and card.lapses == 1
    assert ReviewLog.objects.get(card=card).source == "quiz"


def test_quiz_right_answer_is_good_when_due_else_only_logged(user, cards, now):
    due = make_review_card(cards[0], now)
    not_due = make_review_card(cards[1], now)
    not_due.due = now + timedelta(days=3)
    not_due.save()
    services.review_from_quiz(user=user, item=due.item, correct=True, now=now)
    services.review_from_quiz(user=user, item=not_due.item, correct=True, now=now)
    due.refresh_from_db()
    assert due.due > now + timedelta(days=1) and due.reps == 6
    log = ReviewLog.objects.get(card=not_due)
    assert log.rescheduled is False and log.due_after == now + timedelta(days=3)
    assert StudyCard.objects.get(pk=not_due.pk).reps == 5


def test_quiz_answer_creates_the_card_when_missing(user, seed_deck, now):
    item = seed_deck.items.questions().first()
    services.review_from_quiz(user=user, item=item, correct=True, now=now)
    card = StudyCard.objects.get(user=user, item=item)
    assert card.state == "new"  # never studied: a quiz answer does not start learning


def test_quiz_answers_do_not_count_against_daily_limits(user, cards, settings_, now):
    settings_.new_per_day = 1
    settings_.save()
    services.review_from_quiz(user=user, item=cards[0].item, correct=True, now=now)
    assert selectors.day_counts(user=user, settings=settings_, now=now).new_left == 1


def test_reworded_item_keeps_its_history(user, import_text, now):
    text = "# Deck\n\n## Conceitos\n- O ECR guarda imagens {#ecr-imagens}\n"
    assert import_text({"content/pt-br/t.md": text}).ok
    services.cards_ensure(user=user, now=now)
    card = StudyCard.objects.get(user=user)
    answer(user, card, 3, now)
    reworded = text.replace("guarda imagens", "armazena imagens de contêiner")
    assert import_text({"content/pt-br/t.md": reworded}).ok
    card.refresh_from_db()
    assert "armazena" in card.item.text_html
    assert card.reps == 1
