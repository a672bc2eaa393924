"""Scoring: pass marks, all-or-nothing multiple response (the scale: test_exam.py)."""

from datetime import timedelta

import pytest

from studyapp.content.models import Option
from studyapp.quizzes import services
from studyapp.quizzes.draw import answer_is_correct, quotas
from studyapp.quizzes.models import Attempt
from studyapp.srs.models import Rating, ReviewLog

from .conftest import question

pytestmark = pytest.mark.django_db


def test_multiple_response_is_all_or_nothing():
    assert answer_is_correct([1, 2], [1, 2])
    assert answer_is_correct([2, 1], [1, 2])
    assert not answer_is_correct([1], [1, 2])
    assert not answer_is_correct([1, 2, 3], [1, 2])
    assert not answer_is_correct([], [1, 2])


def test_dva_c02_domain_quotas_for_65_questions():
    assert quotas({1: 32, 2: 26, 3: 24, 4: 18}, 65) == {1: 21, 2: 17, 3: 15, 4: 12}


def _start_practice_with(user, keys, now):
    items = [question(slug, n) for slug, n in keys]
    return services.attempt_start_practice(
        user=user, item_ids=[i.pk for i in items], count=len(items), now=now, seed=7
    )


def _correct_ids(attempt_question):
    return [
        pk
        for pk in attempt_question.option_ids
        if Option.objects.get(pk=pk).is_correct
        and Option.objects.get(pk=pk).item_id == attempt_question.item_id
    ]


def test_multiple_response_scores_only_with_every_right_option(bank, user, now):
    attempt = _start_practice_with(user, [("alpha", 2), ("alpha", 3)], now)
    multi = attempt.questions.get(item__key="alpha-2")
    single = attempt.questions.get(item__key="alpha-3")
    assert multi.choose_count == 2 and single.choose_count == 1
    right = _correct_ids(multi)
    services.answer_save(
        user=user, attempt_id=attempt.pk, position=multi.position, option_ids=right[:1], now=now
    )
    services.answer_save(
        user=user,
        attempt_id=attempt.pk,
        position=single.position,
        option_ids=_correct_ids(single),
        now=now,
    )

    finished = services.attempt_submit(
        user=user, attempt_id=attempt.pk, now=now + timedelta(minutes=3)
    )

    multi.refresh_from_db()
    assert multi.is_correct is False  # one of two right options: no partial credit
    assert finished.correct_count == 1
    assert finished.scaled_score == 550
    assert finished.passed is None  # practice has no pass mark


def test_mock_exam_passes_at_the_profile_pass_mark(bank, user, small_profile, now):
    attempt = services.attempt_start_mock(user=user, profile=small_profile, now=now, seed=3)
    questions = list(attempt.questions.order_by("position"))
    for aq in questions[:8]:  # 8 of 10 right → 820 ≥ 720
        services.answer_save(
            user=user,
            attempt_id=attempt.pk,
            position=aq.position,
            option_ids=_correct_ids(aq),
            now=now,
        )
    finished = services.attempt_submit(
        user=user, attempt_id=attempt.pk, now=now + timedelta(minutes=5)
    )
    assert finished.status == Attempt.Status.SUBMITTED
    assert (finished.correct_count, finished.scaled_score, finished.passed) == (8, 820, True)
    assert finished.time_used == timedelta(minutes=5)


def test_mock_exam_below_the_pass_mark_fails(bank, user, small_profile, now):
    attempt = services.attempt_start_mock(user=user, profile=small_profile, now=now, seed=3)
    aq = attempt.questions.get(position=1)
    services.answer_save(
        user=user, attempt_id=attempt.pk, position=1, option_ids=_correct_ids(aq), now=now
    )
    finished = services.attempt_submit(user=user, attempt_id=attempt.pk, now=now)
    assert (finished.correct_count, finished.scaled_score, finished.passed) == (1, 190, False)


def test_a_self_graded_card_is_not_answered_by_choosing_options(bank, user, now):
    attempt = _start_practice_with(user, [("flash", 1)], now)
    aq = attempt.questions.get()
    assert aq.self_graded
    with pytest.raises(services.InvalidAnswer):
        services.answer_save(
            user=user, attempt_id=attempt.pk, position=1, option_ids=aq.option_ids, now=now
        )
    with pytest.raises(services.InvalidAnswer):  # the answer must be shown first
        services.answer_self_grade(
            user=user, attempt_id=attempt.pk, position=1, correct=True, now=now
        )
    aq.refresh_from_db()
    assert aq.graded_at is None and not aq.is_answered


@pytest.mark.parametrize("correct", [True, False])
def test_acertei_errei_grade_the_card_and_feed_spaced_repetition(bank, user, now, correct):
    attempt = _start_practice_with(user, [("flash", 1), ("beta", 1)], now)
    position = attempt.questions.get(item__deck__slug="flash").position
    shown = services.answer_reveal(user=user, attempt_id=attempt.pk, position=position, now=now)
    assert shown.revealed_at == now and shown.graded_at is None
    services.answer_reveal(user=user, attempt_id=attempt.pk, position=position, now=now)  # again
    graded = services.answer_self_grade(
        user=user, attempt_id=attempt.pk, position=position, correct=correct, now=now
    )
    assert graded.is_correct is correct and graded.graded_at == now and graded.is_answered
    log = ReviewLog.objects.get(user=user, source=ReviewLog.Source.QUIZ)
    assert log.card.item_id == graded.item_id
    assert (log.rating == Rating.GOOD) is correct and (log.rating == Rating.AGAIN) is not correct
    # The same verdict again changes nothing; the other one is refused.
    services.answer_self_grade(
        user=user, attempt_id=attempt.pk, position=position, correct=correct, now=now
    )
    with pytest.raises(services.AlreadyChecked):
        services.answer_self_grade(
            user=user, attempt_id=attempt.pk, position=position, correct=not correct, now=now
        )
    assert ReviewLog.objects.filter(user=user).count() == 1
    finished = services.attempt_submit(user=user, attempt_id=attempt.pk, now=now)
    assert finished.correct_count == int(correct)


def test_a_self_graded_card_left_alone_counts_as_wrong_without_a_review(bank, user, now):
    attempt = _start_practice_with(user, [("flash", 1)], now)
    services.answer_reveal(user=user, attempt_id=attempt.pk, position=1, now=now)
    finished = services.attempt_submit(user=user, attempt_id=attempt.pk, now=now)
    assert finished.correct_count == 0
    assert not ReviewLog.objects.filter(user=user).exists()


def test_options_of_ordinary_questions_cannot_be_revealed_or_self_graded(bank, user, now):
    attempt = _start_practice_with(user, [("beta", 1)], now)
    with pytest.raises(services.InvalidAnswer):
        services.answer_reveal(user=user, attempt_id=attempt.pk, position=1, now=now)
    with pytest.raises(services.InvalidAnswer):
        services.answer_self_grade(
            user=user, attempt_id=attempt.pk, position=1, correct=True, now=now
        )
