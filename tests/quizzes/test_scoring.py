"""Scoring: pass marks, all-or-nothing multiple response (the scale: test_exam.py)."""

from datetime import timedelta

import pytest

from studyapp.content.models import Option
from studyapp.quizzes import services
from studyapp.quizzes.draw import answer_is_correct, quotas
from studyapp.quizzes.models import Attempt

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


def test_distractors_never_count_as_right(bank, user, now):
    attempt = _start_practice_with(user, [("flash", 1)], now)
    aq = attempt.questions.get()
    distractors = [pk for pk in aq.option_ids if Option.objects.get(pk=pk).item_id != aq.item_id]
    services.answer_save(
        user=user, attempt_id=attempt.pk, position=1, option_ids=distractors[:1], now=now
    )
    finished = services.attempt_submit(user=user, attempt_id=attempt.pk, now=now)
    assert finished.correct_count == 0
