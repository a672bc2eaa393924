"""The draw: domain and topic weights, no repeats, unseen then wrong first, distractors."""

from collections import Counter

import pytest

from studyapp.content.models import Option, Topic
from studyapp.quizzes import services
from studyapp.quizzes.models import AttemptQuestion, ExamProfileTopic

from .conftest import question

pytestmark = pytest.mark.django_db


def _keys(attempt) -> list[str]:
    return list(attempt.questions.order_by("position").values_list("item__key", flat=True))


def test_mock_draw_follows_domain_weights(bank, user, small_profile, now):
    # 10 questions at 50/30/20 % over domains 1/2/3 → exactly 5/3/2.
    for seed in (1, 2, 3):
        attempt = services.attempt_start_mock(user=user, profile=small_profile, now=now, seed=seed)
        domains = Counter(attempt.questions.values_list("domain", flat=True))
        assert domains == {1: 5, 2: 3, 3: 2}
        deck_of = Counter(attempt.questions.values_list("item__deck__slug", flat=True))
        assert deck_of == {"alpha": 5, "beta": 3, "flash": 2}


def test_topic_weights_leave_out_unlisted_topics_and_domains_without_questions(
    bank, user, small_profile, now
):
    ExamProfileTopic.objects.create(
        profile=small_profile, topic=Topic.objects.get(slug="alpha"), weight=1
    )
    attempt = services.attempt_start_mock(user=user, profile=small_profile, now=now, seed=5)
    keys = _keys(attempt)
    assert len(keys) == 10
    assert not [key for key in keys if key.startswith("beta")]
    # Domain 2 (beta only) had no candidates: its share went to domains 1 and 3 (50:20 of 10).
    assert Counter(attempt.questions.values_list("domain", flat=True)) == {1: 7, 3: 3}


def test_no_question_is_drawn_twice(bank, user, now):
    attempt = services.attempt_start_practice(user=user, count=20, now=now, seed=11)
    keys = _keys(attempt)
    assert len(keys) == 20 == len(set(keys))


def test_same_seed_gives_the_same_draw_and_options(bank, user, other_user, now):
    first = services.attempt_start_practice(user=user, count=10, now=now, seed=42)
    second = services.attempt_start_practice(user=other_user, count=10, now=now, seed=42)
    assert _keys(first) == _keys(second)
    assert [q.option_ids for q in first.questions.order_by("position")] == [
        q.option_ids for q in second.questions.order_by("position")
    ]


def _answer_all(user, attempt, right_keys, now):
    for aq in attempt.questions.all():
        ids = [pk for pk in aq.option_ids if Option.objects.get(pk=pk).is_correct]
        wrong = [pk for pk in aq.option_ids if pk not in ids]
        chosen = ids[: aq.choose_count] if aq.item.key in right_keys else wrong[:1]
        services.answer_save(
            user=user, attempt_id=attempt.pk, position=aq.position, option_ids=chosen, now=now
        )
    services.attempt_submit(user=user, attempt_id=attempt.pk, now=now)


def test_draw_prefers_unseen_questions(bank, user, now):
    alpha = bank["alpha"]
    first = services.attempt_start_practice(user=user, decks=[alpha], count=5, now=now, seed=1)
    _answer_all(user, first, set(), now)
    second = services.attempt_start_practice(user=user, decks=[alpha], count=3, now=now, seed=2)
    assert not set(_keys(first)) & set(_keys(second))


def test_draw_prefers_wrong_questions_once_everything_was_seen(bank, user, now):
    alpha = bank["alpha"]
    every = services.attempt_start_practice(user=user, decks=[alpha], count=8, now=now, seed=1)
    wrong = {"alpha-1", "alpha-4", "alpha-6"}
    _answer_all(user, every, {f"alpha-{n}" for n in range(1, 9)} - wrong, now)
    retry = services.attempt_start_practice(user=user, decks=[alpha], count=3, now=now, seed=9)
    assert set(_keys(retry)) == wrong


def test_too_small_a_bank_says_how_many_are_available(bank, user, now):
    with pytest.raises(services.NotEnoughQuestions) as error:
        services.attempt_start_practice(user=user, decks=[bank["alpha"]], count=20, now=now)
    assert error.value.available == 8
    assert "8" in str(error.value.message)
    assert not AttemptQuestion.objects.exists()


def test_topics_select_every_deck_of_the_topic(bank, user, now):
    alpha_topic = Topic.objects.get(slug="alpha")
    attempt = services.attempt_start_practice(
        user=user, topics=[alpha_topic], count=12, now=now, seed=3
    )
    assert {key.split("-")[0] for key in _keys(attempt)} == {"alpha", "flash"}


def test_flashcard_items_get_distractors_from_their_deck(bank, user, now):
    item = question("flash", 2)
    attempt = services.attempt_start_practice(
        user=user, item_ids=[item.pk], count=1, now=now, seed=8
    )
    aq = attempt.questions.get()
    options = [Option.objects.get(pk=pk) for pk in aq.option_ids]
    assert len(options) == 4 and aq.choose_count == 1
    own = [o for o in options if o.item_id == item.pk]
    others = [o for o in options if o.item_id != item.pk]
    assert len(own) == 1 and own[0].is_correct
    assert len(others) == 3
    assert all(o.is_correct and o.item.deck.slug == "flash" for o in others)
    again = services.attempt_start_practice(user=user, item_ids=[item.pk], count=1, now=now, seed=8)
    assert again.questions.get().option_ids == aq.option_ids  # fixed per attempt seed


def test_items_with_their_own_wrong_options_get_no_distractors(bank, user, now):
    item = question("beta", 1)
    attempt = services.attempt_start_practice(
        user=user, item_ids=[item.pk], count=1, now=now, seed=8
    )
    option_ids = attempt.questions.get().option_ids
    assert sorted(option_ids) == sorted(item.options.values_list("pk", flat=True))
