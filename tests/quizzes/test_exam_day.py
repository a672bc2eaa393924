"""Issue 14, exam-day parity: the mock start page, the finish confirmation, discarding an
attempt, idle practice quizzes ending as abandoned, strike-through, the review screen's
"back to review" and the answer review's letters, topics and pages. Unhappy paths too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from studyapp.quizzes import selectors, services
from studyapp.quizzes.models import Attempt
from studyapp.srs.models import ReviewLog

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def mock(bank, user, small_profile):
    return services.attempt_start_mock(user=user, profile=small_profile, now=timezone.now(), seed=4)


@pytest.fixture
def practice(bank, user):
    return services.attempt_start_practice(
        user=user, decks=[bank["beta"]], count=5, now=timezone.now(), seed=3
    )


def url(attempt, suffix=""):
    return f"/quiz/a/{attempt.pk}/{suffix}"


# --- the start page ----------------------------------------------------------------------


def test_the_index_links_to_a_start_page_that_states_the_rules(bank, user_client, small_profile):
    index = user_client.get("/quiz/").content.decode()
    assert 'href="/quiz/mock/mini/"' in index
    page = user_client.get("/quiz/mock/mini/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Simulado Mini" in html and ">10<" in html and "20 minutos" in html
    assert "720 de 1000" in html and "Regras" in html and "Começar" in html
    assert 'action="/quiz/mock/"' in html and 'value="mini"' in html
    assert not Attempt.objects.exists()  # looking at the rules starts nothing


def test_an_unknown_or_inactive_profile_has_no_start_page(bank, user_client, small_profile):
    assert user_client.get("/quiz/mock/nope/").status_code == 404
    small_profile.is_active = False
    small_profile.save()
    assert user_client.get("/quiz/mock/mini/").status_code == 404


# --- the exam bar and site navigation ---------------------------------------------------------


def test_a_mock_hides_the_site_navigation_a_practice_keeps_it(mock, practice, user_client):
    exam = user_client.get(url(mock, "q/1/")).content.decode()
    assert 'id="exam-bar"' in exam and 'id="language-select"' not in exam
    assert 'aria-label="Principal"' not in exam and "/progress/" not in exam
    assert exam.index('value="prev"') < exam.index('value="next"')  # Anterior, then Próxima
    assert "Questão 1 de 10" in exam and "Atalhos de teclado" in exam
    plain = user_client.get(url(practice, "q/1/")).content.decode()
    assert 'id="exam-bar"' in plain and 'id="language-select"' in plain


# --- finishing -------------------------------------------------------------------------------


def test_finalizar_asks_first_with_the_unanswered_and_flagged_counts(mock, user_client):
    first = mock.questions.get(position=1)
    user_client.post(url(mock, "q/1/answer/"), {"option": first.option_ids[0]})
    user_client.post(url(mock, "q/2/flag/"), {"flagged": "1"})
    user_client.post(url(mock, "q/3/flag/"), {"flagged": "1"})
    response = user_client.post(url(mock, "submit/"))  # no confirmation: nothing is graded
    assert response.status_code == 302 and response["Location"] == url(mock, "finish/")
    mock.refresh_from_db()
    assert mock.status == Attempt.Status.IN_PROGRESS
    html = user_client.get(url(mock, "finish/")).content.decode()
    assert "<strong>9</strong> questões sem resposta" in html
    assert "<strong>2</strong> questões marcadas para revisão" in html
    assert 'name="confirm" value="1"' in html
    response = user_client.post(url(mock, "submit/"), {"confirm": "1"})
    assert response["Location"] == url(mock, "result/")
    mock.refresh_from_db()
    assert mock.status == Attempt.Status.SUBMITTED


def test_finishing_twice_changes_nothing(mock, user_client):
    user_client.post(url(mock, "submit/"), {"confirm": "1"})
    mock.refresh_from_db()
    finished_at, score = mock.finished_at, mock.scaled_score
    again = user_client.post(url(mock, "submit/"), {"confirm": "1"})
    assert again.status_code == 302 and again["Location"] == url(mock, "result/")
    assert user_client.post(url(mock, "submit/")).status_code == 302  # unconfirmed: result too
    mock.refresh_from_db()
    assert (mock.finished_at, mock.scaled_score) == (finished_at, score)
    assert user_client.get(url(mock, "finish/"))["Location"] == url(mock, "result/")


def test_the_timer_submits_without_confirmation(mock, user_client):
    response = user_client.post(url(mock, "submit/"), {"timeout": "1"})
    assert response["Location"] == url(mock, "result/")


def test_other_users_attempts_do_not_exist(mock, client, other_user):
    client.force_login(other_user)
    for suffix in ("finish/", "discard/", "review/", "q/1/"):
        assert client.get(url(mock, suffix)).status_code == 404
    assert client.post(url(mock, "submit/"), {"confirm": "1"}).status_code == 404
    assert client.post(url(mock, "discard/")).status_code == 404
    option = mock.questions.get(position=1).option_ids[0]
    assert client.post(url(mock, "q/1/strike/"), {"strike": option}).status_code == 404
    assert client.post(url(mock, "q/1/strike/"), {"strike": "x"}).status_code == 404
    mock.refresh_from_db()
    assert mock.status == Attempt.Status.IN_PROGRESS
    assert mock.questions.get(position=1).struck_ids == []


# --- discarding ------------------------------------------------------------------------------


def test_discard_asks_then_ends_the_mock_as_abandoned_without_a_score(mock, user, user_client):
    aq = mock.questions.get(position=1)
    user_client.post(url(mock, "q/1/answer/"), {"option": aq.option_ids[0]})
    page = user_client.get(url(mock, "discard/")).content.decode()
    assert "Descartar a tentativa?" in page and "Sim, descartar" in page
    response = user_client.post(url(mock, "discard/"))
    assert response.status_code == 302 and response["Location"] == "/quiz/"
    mock.refresh_from_db()
    assert mock.status == Attempt.Status.ABANDONED and mock.is_finished
    assert mock.scaled_score is None and mock.passed is None and mock.finished_at
    assert not ReviewLog.objects.filter(user=user).exists()  # a discarded mock teaches nothing
    assert selectors.mock_history(user=user) == []  # nor counts as a result
    assert selectors.last_mock_scores(user_ids=[user.pk]) == {}
    index = user_client.get("/quiz/").content.decode()
    assert "abandonada" in index and "Continuar" not in index
    result = user_client.get(url(mock, "result/")).content.decode()
    assert "Tentativa abandonada" in result
    assert user_client.get(url(mock, "answers/"))["Location"] == url(mock, "result/")


def test_discarding_a_finished_attempt_is_refused(mock, user_client):
    user_client.post(url(mock, "submit/"), {"confirm": "1"})
    response = user_client.post(url(mock, "discard/"))
    assert response.status_code == 400 and "já terminou" in response.content.decode()
    mock.refresh_from_db()
    assert mock.status == Attempt.Status.SUBMITTED
    with pytest.raises(services.NotFinishable):
        services.attempt_abandon(user=mock.user, attempt_id=mock.pk)


def test_discarding_an_overdue_mock_finalizes_it_as_expired(mock, user):
    late = mock.deadline + services.GRACE + timedelta(seconds=1)
    with pytest.raises(services.TooLate):
        services.attempt_abandon(user=user, attempt_id=mock.pk, now=late)
    mock.refresh_from_db()
    assert mock.status == Attempt.Status.EXPIRED and mock.scaled_score is not None


def test_discard_accepts_only_get_and_post(mock, user_client):
    assert user_client.put(url(mock, "discard/")).status_code == 405


# --- idle practice quizzes -----------------------------------------------------------------------


def test_a_practice_quiz_idle_for_more_than_a_day_ends_as_abandoned(practice, user, user_client):
    aq = practice.questions.get(position=1)
    right = [pk for pk in aq.option_ids if aq.item.options.get(pk=pk).is_correct]
    answered = practice.started_at + timedelta(hours=2)
    services.answer_save(
        user=user, attempt_id=practice.pk, position=1, option_ids=right, check=True, now=answered
    )
    practice.refresh_from_db()
    assert not services.is_idle(practice, answered + services.PRACTICE_IDLE)  # exactly a day
    later = answered + services.PRACTICE_IDLE + timedelta(minutes=1)
    assert services.is_idle(practice, later)
    assert services.attempts_abandon_idle(user=user, now=later) == 1
    practice.refresh_from_db()
    assert practice.status == Attempt.Status.ABANDONED
    assert practice.finished_at == answered  # dated at the last activity
    assert practice.correct_count == 1 and practice.scaled_score is None
    assert practice.questions.get(position=1).is_correct  # the checked answer stays
    assert practice.questions.filter(graded_at__isnull=True).count() == 4  # nothing else graded
    assert services.attempts_abandon_idle(user=user, now=later) == 0


def test_a_mock_is_never_abandoned_for_idleness(mock, user):
    assert not services.is_idle(mock, mock.started_at + timedelta(days=3))


def test_opening_an_idle_practice_quiz_shows_it_abandoned(practice, user_client):
    Attempt.objects.filter(pk=practice.pk).update(
        started_at=practice.started_at - timedelta(days=2)
    )
    response = user_client.get(url(practice, "q/1/"))
    assert response.status_code == 302 and response["Location"] == url(practice, "result/")
    practice.refresh_from_db()
    assert practice.status == Attempt.Status.ABANDONED


# --- strike-through ----------------------------------------------------------------------------


def test_strike_through_toggles_and_is_kept_per_attempt_question(mock, user_client):
    aq = mock.questions.get(position=2)
    option = aq.option_ids[1]
    response = user_client.post(url(mock, "q/2/strike/"), {"strike": option})  # without JS
    assert response.status_code == 302 and response["Location"] == url(mock, "q/2/")
    aq.refresh_from_db()
    assert aq.struck_ids == [option] and aq.selected_ids == []
    html = user_client.get(url(mock, "q/2/")).content.decode()
    assert 'class="option is-struck"' in html and "(riscada)" in html
    pressed = f'id="strike-{option}" class="strike-toggle secondary small" aria-pressed="true"'
    assert pressed in html
    body = user_client.post(url(mock, "q/2/strike/"), {"strike": option}, headers=HTMX)
    assert body.status_code == 200 and 'id="attempt-body"' in body.content.decode()
    assert "<html" not in body.content.decode()
    aq.refresh_from_db()
    assert aq.struck_ids == []


def test_a_struck_option_can_still_be_chosen_and_grading_ignores_strikes(mock, user, user_client):
    aq = mock.questions.get(position=1)
    right = [pk for pk in aq.option_ids if aq.item.options.get(pk=pk).is_correct]
    user_client.post(url(mock, "q/1/strike/"), {"strike": right[0]})
    user_client.post(url(mock, "q/1/answer/"), {"option": right})
    user_client.post(url(mock, "submit/"), {"confirm": "1"})
    assert mock.questions.get(position=1).is_correct


@pytest.mark.parametrize("value", ["", "x", "-1", "999999"])
def test_striking_a_bad_option_is_refused(mock, user_client, value):
    response = user_client.post(url(mock, "q/1/strike/"), {"strike": value})
    assert response.status_code == 400
    assert mock.questions.get(position=1).struck_ids == []


def test_striking_in_an_unknown_question_or_a_finished_attempt(mock, user_client):
    option = mock.questions.get(position=1).option_ids[0]
    assert user_client.post(url(mock, "q/99/strike/"), {"strike": option}).status_code == 404
    user_client.post(url(mock, "submit/"), {"confirm": "1"})
    assert user_client.post(url(mock, "q/1/strike/"), {"strike": option}).status_code == 400


def test_a_self_graded_card_has_nothing_to_strike(bank, user, user_client):
    from .conftest import question

    attempt = services.attempt_start_practice(
        user=user, item_ids=[question("flash", 1).pk], count=1
    )
    option = attempt.questions.get().option_ids[0]
    assert user_client.post(url(attempt, "q/1/strike/"), {"strike": option}).status_code == 400


# --- the review screen -------------------------------------------------------------------------


def test_a_question_opened_from_the_review_screen_goes_back_to_it(mock, user_client):
    user_client.post(url(mock, "q/3/flag/"), {"flagged": "1"})
    html = user_client.get(url(mock, "q/3/?from=review&show=flagged")).content.decode()
    assert "Voltar à revisão" in html and 'name="review_show" value="flagged"' in html
    option = mock.questions.get(position=3).option_ids[0]
    response = user_client.post(
        url(mock, "q/3/answer/"), {"option": option, "go": "review", "review_show": "flagged"}
    )
    assert response["Location"] == url(mock, "review/?show=flagged")
    assert "Voltar à revisão" not in user_client.get(url(mock, "q/3/")).content.decode()
    bad = user_client.get(url(mock, "review/?show=nonsense"))
    assert bad.status_code == 200 and bad.content.decode().count('<tr class="') == 10


# --- the answer review -----------------------------------------------------------------------


def test_the_answer_review_has_letters_topics_and_the_right_answer_in_green(mock, user_client):
    user_client.post(url(mock, "submit/"), {"confirm": "1"})
    html = user_client.get(url(mock, "answers/")).content.decode()
    assert '<span class="option-letter">A</span>' in html
    assert '<p class="right-answer">Resposta certa: <strong>' in html
    assert '<span class="tag">Alpha</span>' in html or '<span class="tag">Beta</span>' in html
    assert html.count("#review-q") == 10 and "Página" not in html  # one page of 10
    assert user_client.get(url(mock, "answers/?page=99")).status_code == 200  # last page
    assert user_client.get(url(mock, "answers/?page=x")).status_code == 200
