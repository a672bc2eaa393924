"""Roll-ups are kept up to date by the study code itself; the forecast at a mock exam's
start is rebuilt by progress, with the same numbers."""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from studyapp.progress.models import Prediction
from studyapp.progress.selectors import dashboard_get, readiness_get
from studyapp.progress.services import prediction_backfill
from studyapp.quizzes import services as quiz_services
from studyapp.quizzes.models import ExamProfile
from studyapp.quizzes.services import attempt_start_mock
from studyapp.srs.models import DailyReviewStats, StudyCard
from studyapp.srs.rollups import rollups_rebuild
from studyapp.srs.services import action_undo, cards_ensure, review_record

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

    action_undo(user=user)
    assert totals(user) == {"reviews": 2, "again": 1, "good": 1}

    live = list(DailyReviewStats.objects.filter(user=user).values())
    rollups_rebuild(user_ids=[user.pk])
    rebuilt = list(DailyReviewStats.objects.filter(user=user).values())
    strip = [{k: v for k, v in row.items() if k != "id"} for row in live]
    assert strip == [{k: v for k, v in row.items() if k != "id"} for row in rebuilt]


def _study(user, now, count, ratings=(3, 1, 3, 4, 2)):
    for i in range(count):
        card = StudyCard.objects.filter(user=user, suspended=False).order_by("due", "id").first()
        review_record(user=user, card_id=card.pk, token=card.token, rating=ratings[i % 5], now=now)
        now += timedelta(minutes=1)
    return now


def _check_first_answers(user, attempt, count, now):
    for question in attempt.questions.order_by("position")[:count]:
        if question.self_graded:  # a seed flashcard: show the answer, then "Acertei"/"Errei"
            where = {"user": user, "attempt_id": attempt.pk, "position": question.position}
            quiz_services.answer_reveal(**where, now=now)
            quiz_services.answer_self_grade(**where, correct=question.position % 2 == 0, now=now)
            continue
        option = question.option_ids[question.position % len(question.option_ids)]
        quiz_services.answer_save(
            user=user,
            attempt_id=attempt.pk,
            position=question.position,
            option_ids=[option],
            check=True,
            now=now,
        )


def test_the_forecast_at_a_mock_exams_start_is_the_one_the_dashboard_compares(user, all_content):
    """The quizzes app does not call progress: the prediction for a mock exam is rebuilt
    when the dashboard first shows it, with the numbers a snapshot at its start had."""
    now = timezone.now() - timedelta(days=20)
    cards_ensure(user=user, now=now)
    now = _study(user, now, 40)
    now += timedelta(days=6)
    now = _study(user, now, 25)
    finished = quiz_services.attempt_start_practice(user=user, count=10, now=now)
    _check_first_answers(user, finished, 10, now)
    quiz_services.attempt_submit(user=user, attempt_id=finished.pk, now=now)
    open_practice = quiz_services.attempt_start_practice(user=user, count=5, now=now)
    _check_first_answers(user, open_practice, 3, now)  # graded, attempt still open
    now += timedelta(days=2)

    profile = ExamProfile.objects.get(is_default=True)
    mock = attempt_start_mock(user=user, profile=profile, now=now)
    assert not Prediction.objects.filter(attempt_id=mock.pk).exists()
    _cards, readiness = readiness_get(user=user, now=now)
    at_start = readiness.forecast

    # Afterwards: more study and quiz answers, then the exam is finished.
    later = _study(user, now + timedelta(hours=1), 30)
    _check_first_answers(user, open_practice, 5, later)
    quiz_services.attempt_submit(user=user, attempt_id=mock.pk, now=later)

    data = dashboard_get(user=user)
    assert [m.id for m in data.missing_predictions] == [mock.pk]
    prediction_backfill(user=user, attempts=data.missing_predictions)
    prediction = Prediction.objects.get(user=user, attempt_id=mock.pk)
    assert prediction.moment == "lazy" and prediction.created_at == mock.started_at
    assert (prediction.predicted_score, prediction.score_low, prediction.score_high) == (
        at_start.score,
        at_start.low,
        at_start.high,
    )
    assert prediction.pass_probability == round(at_start.pass_probability, 4)
    assert prediction.expected_fraction == round(at_start.fraction, 4)
    assert prediction.domains == at_start.as_snapshot()
    # What changed after the start did change today's forecast.
    assert readiness_get(user=user, now=later)[1].forecast.fraction != at_start.fraction


def test_out_of_mock_decks_count_for_topics_but_not_for_exam_domains(import_text, user):
    from datetime import UTC, datetime

    from studyapp.progress.selectors import content_map, readiness_get

    deck = (
        "---\ndeck: {slug}\ntopics: Deep\ndomains: 2\n{extra}---\n# {slug}\n\n"
        "## Perguntas\n### Q: Uma {{#{slug}-1}}\n✅ Certa\n❌ Errada\n"
    )
    report = import_text(
        {
            "content/pt-br/in.md": deck.format(slug="in", extra=""),
            "content/pt-br/out.md": deck.format(slug="out", extra="mock: no\n"),
        }
    )
    assert report.ok, report.errors
    decks = content_map()
    assert sorted((d.slug, d.in_mock) for d in decks.values()) == [("in", True), ("out", False)]
    _cards, readiness = readiness_get(user=user, now=datetime(2026, 12, 1, tzinfo=UTC))
    (topic,) = [t for t in readiness.topics if t.label == "Deep"]
    (domain,) = [d for d in readiness.domains if d.key == 2]
    assert topic.items == 2 and domain.items == 1
