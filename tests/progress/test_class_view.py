"""Instructor class view: per-student rows and per-question statistics."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from studyapp.quizzes import selectors as quiz_selectors

from .conftest import make_card, make_log, make_mock, make_prediction

pytestmark = pytest.mark.django_db


def test_class_view_lists_students_with_reviews_retention_and_last_mock(
    instructor_client, user, other_user, tiny_content, django_assert_max_num_queries
):
    now = timezone.now()
    card = make_card(user, tiny_content["alpha1"], stability=5, last_review=now)
    make_log(card, rating=3, at=now - timedelta(hours=1))
    make_log(card, rating=1, at=now - timedelta(days=1, hours=1))
    make_mock(user, score=650, started_at=now - timedelta(days=9))
    make_mock(user, score=780, started_at=now - timedelta(days=2))
    response = instructor_client.get(reverse("class_view"))
    assert response.status_code == 200
    rows = {row.user.username: row for row in response.context["students"]}
    assert set(rows) == {"ana", "bruno"}  # the instructor is not listed
    assert rows["ana"].reviews_7_days == 2
    assert rows["ana"].retention.rate == pytest.approx(0.5)
    assert rows["ana"].last_mock == 780
    assert rows["bruno"].last_mock is None
    assert "780" in response.content.decode()


def test_a_question_most_strong_students_miss_is_flagged(
    django_user_model, tiny_content, import_text
):
    now = timezone.now()
    alpha1, alpha2, beta1, beta2 = (tiny_content[k] for k in ("alpha1", "alpha2", "beta1", "beta2"))
    # Four strong students: right on 3 questions in every attempt, wrong on beta2.
    for n in range(4):
        student = django_user_model.objects.create_user(f"forte{n}")
        for day in range(4):
            make_mock(
                student,
                score=800,
                started_at=now - timedelta(days=day + 1),
                items=[alpha1, alpha2, beta1, beta2],
                correct=[True, True, True, False],
            )
    stats = {row["item_id"]: row for row in quiz_selectors.question_stats()}
    assert stats[beta2.pk]["answered"] == 16
    assert stats[beta2.pk]["accuracy"] == 0
    assert stats[beta2.pk]["suspect"] is True
    assert stats[alpha1.pk]["suspect"] is False
    assert stats[alpha1.pk]["accuracy"] == 1


def test_class_view_compares_predictions_with_results(
    instructor_client, user, other_user, tiny_content
):
    now = timezone.now()
    for days, score, predicted in ((9, 650, 700), (2, 780, 760)):
        attempt = make_mock(user, score=score, started_at=now - timedelta(days=days))
        make_prediction(attempt, predicted=predicted, spread=40, pass_probability=0.5)
    response = instructor_client.get(reverse("class_view"))
    rows = {row.user.username: row for row in response.context["students"]}
    ana = rows["ana"].calibration
    assert (ana.n, ana.bias, ana.inside) == (2, (-50 + 20) / 2, 1)
    assert rows["bruno"].calibration.bias is None
    whole = response.context["class_calibration"]
    assert whole.n == 2 and whole.coverage == 0.5
    html = response.content.decode()
    assert "Toda a turma" in html and "-15 pontos em 2 simulados" in html
