"""The exam's definition (quizzes/exam.py): the 100–1000 scale with one rounding rule, the
pass mark and the domains, as every part of the app uses them."""

from fractions import Fraction

import pytest

from studyapp.progress import readiness
from studyapp.quizzes import exam
from studyapp.quizzes.exam import scaled_score
from studyapp.quizzes.models import ExamProfile


@pytest.mark.parametrize(
    ("correct", "total", "expected"),
    [(0, 65, 100), (65, 65, 1000), (45, 65, 723), (44, 65, 709), (1, 2, 550), (0, 0, 100)],
)
def test_scaled_score_is_linear_from_100_to_1000(correct, total, expected):
    assert scaled_score(correct, total) == expected


def test_pass_mark_720_needs_45_of_65():
    assert scaled_score(45, 65) >= 720 > scaled_score(44, 65)


def test_scaled_score_is_clamped_to_the_exam_scale():
    assert scaled_score(-0.2) == 100
    assert scaled_score(0.0) == 100
    assert scaled_score(1.5) == 1000


def test_half_a_point_rounds_up_for_counts_and_fractions():
    # 100 + 900 × 1/8 = 212.5 and 100 + 900 × 3/8 = 437.5: up, never to the even neighbour.
    assert scaled_score(1, 8) == 213
    assert scaled_score(3, 8) == 438
    assert scaled_score(0.125) == 213
    assert scaled_score(Fraction(5, 8)) == 663
    assert scaled_score(0.6923) == 723


def test_the_forecast_scores_with_the_same_rule():
    domain = readiness.estimate(1, "d", readiness.GroupEvidence(items=8))
    domain.weight = 1.0
    forecast = readiness.exam_forecast([domain])
    assert forecast.score == scaled_score(forecast.fraction)
    assert forecast.pass_mark == exam.PASS_MARK == 720


@pytest.mark.django_db
def test_the_default_mock_exam_profile_is_the_exam_guide():
    profile = ExamProfile.objects.get(is_default=True)
    assert profile.name == exam.NAME
    assert (profile.question_count, profile.minutes, profile.pass_mark) == (
        exam.QUESTION_COUNT,
        exam.MINUTES,
        exam.PASS_MARK,
    )
    assert profile.domain_weights == exam.DOMAIN_PERCENT
    assert sum(exam.DOMAIN_WEIGHTS.values()) == pytest.approx(1.0)
    assert set(exam.DOMAINS) == set(exam.DOMAIN_PERCENT)
