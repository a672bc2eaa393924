"""The result page says what the quiz did to the study queue (issue 12, point 4)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from studyapp.quizzes import services
from studyapp.srs.models import ReviewLog, StudyCard

from .test_views import right_options, url, wrong_option

pytestmark = pytest.mark.django_db


@pytest.fixture
def mock(bank, user, small_profile):
    return services.attempt_start_mock(user=user, profile=small_profile, now=timezone.now(), seed=4)


def test_result_page_says_what_the_quiz_did_to_the_study_queue(mock, user, user_client):
    questions = list(mock.questions.order_by("position"))
    # Question 1's card is a review card not due for 10 days; the others never studied.
    now = timezone.now()
    StudyCard.objects.create(
        user=user,
        item=questions[0].item,
        state="review",
        stability=20.0,
        difficulty=5.0,
        last_review=now - timedelta(days=10),
        due=now + timedelta(days=10),
        reps=4,
    )
    user_client.post(url(mock, "q/1/answer/"), {"option": wrong_option(questions[0])})
    for aq in questions[1:3]:
        user_client.post(url(mock, f"q/{aq.position}/answer/"), {"option": wrong_option(aq)})
    user_client.post(url(mock, "q/4/answer/"), {"option": right_options(questions[3])})
    user_client.post(url(mock, "submit/"), {"confirm": "1"})
    html = user_client.get(url(mock, "result/")).content.decode()
    assert "O que este simulado mudou no seu estudo" in html
    assert "1 cartão volta para revisão hoje" in html
    assert "2 cartões novos passam à frente" in html
    assert "1 acerto em cartão que não vencia" in html
    logs = ReviewLog.objects.filter(user=user, source="quiz")
    assert set(logs.values_list("quiz_attempt_id", flat=True)) == {mock.pk}
    assert not logs.filter(rescheduled=True).exists()
    card = StudyCard.objects.get(user=user, item=questions[0].item)
    assert card.lapses == 0 and card.state == "review" and card.due <= timezone.now()
    english = user_client.get(url(mock, "result/"), headers={"Accept-Language": "en"})
    text = english.content.decode()
    assert "1 card comes back for review today" in text
    assert "2 new cards move to the front" in text


def test_someone_elses_result_shows_no_study_effects(mock, user_client, client, instructor):
    user_client.post(
        url(mock, "q/1/answer/"), {"option": right_options(mock.questions.get(position=1))}
    )
    user_client.post(url(mock, "submit/"), {"confirm": "1"})
    client.force_login(instructor)
    html = client.get(url(mock, "result/")).content.decode()
    assert "O que este simulado mudou" not in html
