"""The draw: item domains and topic weights, no repeats, unseen then wrong first, which
questions a mock may hold (authored distractors, not from an out-of-mock deck), and the
self-graded cards of practice quizzes."""

from collections import Counter

import pytest

from studyapp.content.models import Deck, Option, Topic
from studyapp.quizzes import services
from studyapp.quizzes.models import AttemptQuestion, ExamProfileTopic

from .conftest import deck_text, question

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
        assert deck_of == {"alpha": 5, "beta": 3, "gamma": 2}  # flashcards never enter a mock


def test_topic_weights_leave_out_unlisted_topics_and_domains_without_questions(
    bank, user, small_profile, now
):
    for slug in ("alpha", "gamma"):
        ExamProfileTopic.objects.create(
            profile=small_profile, topic=Topic.objects.get(slug=slug), weight=1
        )
    attempt = services.attempt_start_mock(user=user, profile=small_profile, now=now, seed=5)
    keys = _keys(attempt)
    assert len(keys) == 10
    assert not [key for key in keys if key.startswith(("beta", "flash"))]
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


def test_flashcard_items_are_self_graded_with_their_own_answers_only(bank, user, now):
    item = question("flash", 2)
    attempt = services.attempt_start_practice(
        user=user, item_ids=[item.pk], count=1, now=now, seed=8
    )
    aq = attempt.questions.get()
    assert aq.self_graded
    assert aq.option_ids == list(item.options.values_list("pk", flat=True))
    assert all(Option.objects.get(pk=pk).is_correct for pk in aq.option_ids)
    other = services.attempt_start_practice(
        user=user, item_ids=[question("beta", 1).pk], count=1, now=now, seed=8
    )
    assert not other.questions.get().self_graded


def test_items_with_their_own_wrong_options_get_no_distractors(bank, user, now):
    item = question("beta", 1)
    attempt = services.attempt_start_practice(
        user=user, item_ids=[item.pk], count=1, now=now, seed=8
    )
    option_ids = attempt.questions.get().option_ids
    assert sorted(option_ids) == sorted(item.options.values_list("pk", flat=True))


def test_mock_leaves_out_self_graded_items_and_out_of_mock_decks(
    import_text, bank, user, small_profile, now
):
    report = import_text(
        {
            "content/pt-br/extra.md": "---\nmock: no\n---\n"
            + deck_text("extra", "Gamma", "3", 6).split("---\n", 2)[2]
        }
    )
    assert report.ok, report.errors
    assert not Deck.objects.get(slug="extra").in_mock
    for seed in range(1, 6):
        attempt = services.attempt_start_mock(user=user, profile=small_profile, now=now, seed=seed)
        slugs = set(attempt.questions.values_list("item__deck__slug", flat=True))
        assert not slugs & {"flash", "extra"}
    # ...but practice quizzes still draw them.
    practice = services.attempt_start_practice(
        user=user, decks=[Deck.objects.get(slug="extra")], count=6, now=now, seed=1
    )
    assert practice.questions.count() == 6


def test_mock_draws_by_each_question_s_own_domains(import_text, user, small_profile, now):
    # One deck tagged domain 1 in its front matter; its questions say otherwise item by item.
    text = deck_text("mixed", "Mixed", "1", 12)
    lines, tagged = text.split("\n"), []
    n = 0
    for line in lines:
        tagged.append(line)
        if line.startswith("🔗"):
            n += 1
            tagged.append(f"🏷️ domains: {1 if n <= 6 else 2 if n <= 9 else 3}")
    report = import_text({"content/pt-br/mixed.md": "\n".join(tagged)})
    assert report.ok, report.errors
    attempt = services.attempt_start_mock(user=user, profile=small_profile, now=now, seed=4)
    assert Counter(attempt.questions.values_list("domain", flat=True)) == {1: 5, 2: 3, 3: 2}
    by_domain = {aq.item.key: aq.domain for aq in attempt.questions.select_related("item")}
    for key, domain in by_domain.items():
        n = int(key.split("-")[1])
        assert domain == (1 if n <= 6 else 2 if n <= 9 else 3)
