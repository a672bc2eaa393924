"""Roll-ups and predictions are kept up to date by the study and quiz code itself."""

import pytest
from django.db.models import Sum

from studyapp.progress.models import Prediction
from studyapp.quizzes.models import ExamProfile
from studyapp.quizzes.services import attempt_start_mock
from studyapp.srs.models import DailyReviewStats, StudyCard
from studyapp.srs.rollups import rollups_rebuild
from studyapp.srs.services import cards_ensure, review_record, review_undo

pytestmark = pytest.mark.django_db


def totals(user):
    return DailyReviewStats.objects.filter(user=user).aggregate(
        reviews=Sum("reviews"), again=Sum("again"), good=Sum("good")
    )


def answer(user, rating):
    card = StudyCard.objects.filter(user=user, suspended=False).order_by("due", "id").first()
    return review_record(user=user, card_id=card.pk, token=card.token, rating=rating)


def test_each_study_answer_counts_in_the_roll_up_and_undo_takes_it_back(user, seed_deck):
    cards_ensure(user=user)
    answer(user, 3)
    answer(user, 1)
    answer(user, 3)
    assert totals(user) == {"reviews": 3, "again": 1, "good": 2}

    review_undo(user=user)
    assert totals(user) == {"reviews": 2, "again": 1, "good": 1}

    live = list(DailyReviewStats.objects.filter(user=user).values())
    rollups_rebuild(user_ids=[user.pk])
    rebuilt = list(DailyReviewStats.objects.filter(user=user).values())
    strip = [{k: v for k, v in row.items() if k != "id"} for row in live]
    assert strip == [{k: v for k, v in row.items() if k != "id"} for row in rebuilt]


def test_starting_a_mock_exam_stores_the_forecast(user, all_content):
    profile = ExamProfile.objects.get(is_default=True)
    attempt = attempt_start_mock(user=user, profile=profile)
    prediction = Prediction.objects.get(user=user, attempt_id=attempt.pk)
    assert prediction.moment == "start"
