"""The pages: start, answer (autosave), resume, flag, summary, submit, result, review,
"Refazer as erradas", bad input, privacy and pinned query counts."""

import pytest
from django.db.models import Count
from django.utils import timezone

from studyapp.content.models import Option
from studyapp.quizzes import services
from studyapp.quizzes.models import Attempt, ExamProfile
from studyapp.srs.models import ReviewLog

from .conftest import deck_text, english_alpha_text, question

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def mock(bank, user, small_profile):
    return services.attempt_start_mock(user=user, profile=small_profile, now=timezone.now(), seed=4)


def url(attempt, suffix=""):
    return f"/quiz/a/{attempt.pk}/{suffix}"


def right_options(aq):
    return [
        pk
        for pk in aq.option_ids
        if Option.objects.filter(pk=pk, item_id=aq.item_id, is_correct=True).exists()
    ]


def wrong_option(aq):
    return next(pk for pk in aq.option_ids if pk not in right_options(aq))


# --- start ---------------------------------------------------------------------------------


def test_start_page_offers_practice_and_the_default_mock_exam(bank, user_client):
    response = user_client.get("/quiz/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Praticar" in html and "Simulado DVA-C02" in html
    assert ExamProfile.objects.get(is_default=True).question_count == 65


def test_deck_link_preselects_the_deck(bank, user_client):
    html = user_client.get("/quiz/?deck=beta").content.decode()
    assert 'value="beta"' in html
    checked = html.split('value="beta"')[1].split(">")[0]
    assert "checked" in checked


def test_start_practice_goes_to_question_1(bank, user_client, user):
    response = user_client.post("/quiz/practice/", {"decks": ["alpha"], "count": 5})
    attempt = Attempt.objects.get(user=user)
    assert response.status_code == 302 and response["Location"] == url(attempt, "q/1/")
    assert attempt.kind == Attempt.Kind.PRACTICE and attempt.question_count == 5


@pytest.mark.parametrize("count", [4, 66, "x"])
def test_practice_count_must_be_5_to_65(bank, user_client, count):
    response = user_client.post("/quiz/practice/", {"count": count})
    assert response.status_code == 400
    assert not Attempt.objects.exists()


def test_too_small_a_bank_tells_the_user_how_many_are_available(bank, user_client):
    response = user_client.post("/quiz/mock/", {"profile": "dva-c02"})
    assert response.status_code == 400
    assert "Só há 22 questões disponíveis" in response.content.decode()
    response = user_client.post("/quiz/practice/", {"decks": ["alpha"], "count": 10})
    assert response.status_code == 400
    assert "Só há 8 questões disponíveis" in response.content.decode()


def test_start_mock_exam(bank, user_client, user, small_profile):
    response = user_client.post("/quiz/mock/", {"profile": "mini"})
    attempt = Attempt.objects.get(user=user)
    assert response.status_code == 302
    assert attempt.kind == Attempt.Kind.MOCK and attempt.question_count == 10
    page = user_client.get(url(attempt, "q/1/")).content.decode()
    assert "Questão 1 de 10" in page
    assert "0:19:5" in page or "0:20:00" in page  # h:mm:ss, server-rendered
    assert "data-deadline-ms" in page


# --- answering and resuming ------------------------------------------------------------------


def test_autosave_then_reload_resumes_exactly(mock, user_client):
    aq = mock.questions.get(position=3)
    option = aq.option_ids[1]
    response = user_client.post(url(mock, "q/3/answer/"), {"option": option}, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert 'hx-swap-oob="true"' in response.content.decode()  # the navigator entry
    assert "Resposta salva" in response.content.decode()

    page = user_client.get(url(mock, "q/3/")).content.decode()
    assert f'value="{option}" id="option-{option}" checked' in page
    assert 'id="nav-3" class="nav-item answered' in page
    # Resuming the attempt goes to the first unanswered question.
    assert user_client.get(url(mock)).headers["Location"] == url(mock, "q/1/")


def test_autosave_is_idempotent(mock, user_client):
    aq = mock.questions.get(position=1)
    option = aq.option_ids[0]
    user_client.post(url(mock, "q/1/answer/"), {"option": option}, headers=HTMX)
    aq.refresh_from_db()
    first = aq.answered_at
    again = user_client.post(url(mock, "q/1/answer/"), {"option": option}, headers=HTMX)
    aq.refresh_from_db()
    assert again.status_code == 200
    assert aq.selected_ids == [option] and aq.answered_at == first


def test_without_javascript_next_saves_and_moves_on(mock, user_client):
    option = mock.questions.get(position=1).option_ids[0]
    response = user_client.post(url(mock, "q/1/answer/"), {"option": option, "go": "next"})
    assert response.status_code == 302 and response["Location"] == url(mock, "q/2/")
    assert mock.questions.get(position=1).selected_ids == [option]


def test_next_after_an_autosave_of_the_same_choice_writes_nothing(
    mock, user_client, django_assert_num_queries
):
    option = mock.questions.get(position=1).option_ids[0]
    user_client.post(url(mock, "q/1/answer/"), {"option": option}, headers=HTMX)
    first = mock.questions.get(position=1).answered_at
    # session, user, the attempt with the question (no lock, no transaction, no write)
    with django_assert_num_queries(3):
        response = user_client.post(url(mock, "q/1/answer/"), {"option": option, "go": "next"})
    assert response.status_code == 302 and response["Location"] == url(mock, "q/2/")
    question = mock.questions.get(position=1)
    assert question.selected_ids == [option] and question.answered_at == first
    # A different choice with "Anterior" is saved (the locked path), an unknown one refused.
    other = question.option_ids[1]
    response = user_client.post(url(mock, "q/1/answer/"), {"option": other, "go": "prev"})
    assert response.status_code == 302 and response["Location"] == url(mock, "q/1/")
    assert mock.questions.get(position=1).selected_ids == [other]
    refused = user_client.post(url(mock, "q/1/answer/"), {"option": 10**9, "go": "next"})
    assert refused.status_code == 400 and mock.questions.get(position=1).selected_ids == [other]


def test_mock_answers_are_not_graded_before_submit(mock, user_client):
    aq = mock.questions.get(position=1)
    user_client.post(url(mock, "q/1/answer/"), {"option": right_options(aq)[:1], "go": "check"})
    aq.refresh_from_db()
    assert aq.graded_at is None and aq.is_correct is None
    page = user_client.get(url(mock, "q/1/")).content.decode()
    assert "Correto" not in page and "Explicação" not in page


def test_practice_check_shows_feedback_and_feeds_spaced_repetition(bank, user, user_client):
    item = question("alpha", 3)
    attempt = services.attempt_start_practice(user=user, item_ids=[item.pk], count=1)
    aq = attempt.questions.get()
    response = user_client.post(
        url(attempt, "q/1/answer/"), {"option": wrong_option(aq), "go": "check"}
    )
    assert response.status_code == 302
    page = user_client.get(url(attempt, "q/1/")).content.decode()
    assert (
        "Incorreto." in page
        and "Explicação alpha 3" in page
        and "https://docs.aws.amazon.com/alpha/3" in page
    )
    log = ReviewLog.objects.get(user=user, source=ReviewLog.Source.QUIZ)
    assert log.rating == 1  # wrong → Again
    # The checked answer is locked.
    changed = user_client.post(
        url(attempt, "q/1/answer/"), {"option": right_options(aq)}, headers=HTMX
    )
    assert changed.status_code == 400
    assert "já foi corrigida" in changed.content.decode()


def test_flag_for_review(mock, user_client):
    response = user_client.post(url(mock, "q/2/flag/"), {"flagged": "1"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'aria-pressed="true"' in html and 'id="nav-2"' in html and "flagged" in html
    assert mock.questions.get(position=2).flagged
    user_client.post(url(mock, "q/2/flag/"), {"flagged": "0"})
    assert not mock.questions.get(position=2).flagged


def test_summary_lists_unanswered_and_flagged(mock, user_client):
    user_client.post(
        url(mock, "q/1/answer/"), {"option": mock.questions.get(position=1).option_ids[0]}
    )
    user_client.post(url(mock, "q/4/flag/"), {"flagged": "1"})
    html = user_client.get(url(mock, "review/")).content.decode()
    assert html.count('<tr class="') == 10  # every question, with its first words and state
    assert "Pergunta " in html and "Respondida" in html and "Marcada" in html
    assert f'href="{url(mock, "q/4/")}?from=review"' in html
    assert f'href="{url(mock, "finish/")}"' in html  # "Finalizar" asks first
    unanswered = user_client.get(url(mock, "review/?show=unanswered")).content.decode()
    assert unanswered.count('<tr class="') == 9
    flagged = user_client.get(url(mock, "review/?show=flagged")).content.decode()
    assert flagged.count('<tr class="') == 1
    assert f'href="{url(mock, "q/4/")}?from=review&amp;show=flagged"' in flagged


def test_submit_shows_score_and_breakdown_and_feeds_spaced_repetition(mock, user, user_client):
    for aq in mock.questions.filter(position__lte=4):
        user_client.post(url(mock, f"q/{aq.position}/answer/"), {"option": right_options(aq)})
    user_client.post(
        url(mock, "q/5/answer/"), {"option": wrong_option(mock.questions.get(position=5))}
    )
    response = user_client.post(url(mock, "submit/"), {"confirm": "1"})
    assert response.status_code == 302 and response["Location"] == url(mock, "result/")
    html = user_client.get(url(mock, "result/")).content.decode()
    assert "460" in html and "Reprovado" in html and "4 de 10" in html
    assert "Desenvolvimento com serviços da AWS" in html and "Alpha" in html and "Beta" in html
    assert ReviewLog.objects.filter(user=user, source=ReviewLog.Source.QUIZ).count() == 5
    # After submit the attempt is closed.
    late = user_client.post(
        url(mock, "q/6/answer/"), {"option": mock.questions.get(position=6).option_ids[0]}
    )
    assert late.status_code == 400
    assert mock.questions.get(position=6).selected_ids == []


def test_review_shows_every_question_and_filters(mock, user_client):
    aq = mock.questions.get(position=1)
    user_client.post(url(mock, "q/1/answer/"), {"option": right_options(aq)})
    user_client.post(url(mock, "q/2/flag/"), {"flagged": "1"})
    user_client.post(url(mock, "submit/"), {"confirm": "1"})
    html = user_client.get(url(mock, "answers/")).content.decode()
    assert html.count('class="review-item') == 10
    assert "Explicação" in html and "docs.aws.amazon.com" in html and "sua resposta" in html
    wrong = user_client.get(url(mock, "answers/?show=wrong"), headers=HTMX).content.decode()
    assert "<html" not in wrong and wrong.count('class="review-item') == 9
    flagged = user_client.get(url(mock, "answers/?show=flagged")).content.decode()
    assert flagged.count('class="review-item') == 1


def test_retry_wrong_starts_a_practice_quiz_with_the_missed_questions(mock, user, user_client):
    aq = mock.questions.get(position=1)
    user_client.post(url(mock, "q/1/answer/"), {"option": right_options(aq)})
    user_client.post(url(mock, "submit/"), {"confirm": "1"})
    response = user_client.post(url(mock, "retry/"))
    practice = Attempt.objects.filter(user=user, kind=Attempt.Kind.PRACTICE).get()
    assert response["Location"] == url(practice, "q/1/")
    missed = set(mock.questions.exclude(position=1).values_list("item_id", flat=True))
    assert set(practice.questions.values_list("item_id", flat=True)) == missed


def test_history_lists_finished_attempts(mock, user_client):
    user_client.post(url(mock, "submit/"), {"confirm": "1"})
    html = user_client.get("/quiz/").content.decode()
    assert "Histórico" in html and url(mock, "result/") in html


def test_english_user_sees_the_translation(bank, import_text, user, user_client):
    assert import_text({"content/en/alpha.md": english_alpha_text()}).ok
    item = question("alpha", 3)
    attempt = services.attempt_start_practice(user=user, item_ids=[item.pk], count=1)
    session = user_client.session
    session["user_language"] = "en"
    session.save()
    html = user_client.get(url(attempt, "q/1/")).content.decode()
    assert "Question alpha 3" in html and "Right alpha 3" in html and 'lang="en"' in html
    # Answers stay on the source item's options.
    aq = attempt.questions.get()
    assert set(aq.option_ids) == set(item.options.values_list("pk", flat=True))


# --- bad input -----------------------------------------------------------------------------


def test_option_from_another_question_is_refused(mock, user_client):
    other = mock.questions.get(position=2).option_ids[0]
    response = user_client.post(url(mock, "q/1/answer/"), {"option": other}, headers=HTMX)
    assert response.status_code == 400
    assert "Opção inexistente" in response.content.decode()
    assert mock.questions.get(position=1).selected_ids == []


def test_too_many_choices_are_refused(mock, user_client):
    aq = mock.questions.get(position=1)
    response = user_client.post(url(mock, "q/1/answer/"), {"option": aq.option_ids[:2]})
    assert response.status_code == 400
    assert "no máximo 1 opção" in response.content.decode()
    assert mock.questions.get(position=1).selected_ids == []


def test_malformed_option_is_refused(mock, user_client):
    response = user_client.post(url(mock, "q/1/answer/"), {"option": "abc"}, headers=HTMX)
    assert response.status_code == 400


def test_question_not_in_the_attempt_is_404(mock, user_client):
    assert user_client.post(url(mock, "q/11/answer/"), {"option": 1}).status_code == 404
    assert user_client.get(url(mock, "q/11/")).status_code == 404


@pytest.mark.parametrize("position", [0, 11, 2**15, 2**31, 2**63, 2**70])
def test_a_position_not_in_the_attempt_is_404_and_the_result_once_finished(
    mock, user, user_client, position
):
    # The question page reads the attempt with its questions in one query; a position it
    # does not find goes the usual way: 404 while in progress, the result once finished.
    assert user_client.get(url(mock, f"q/{position}/")).status_code == 404
    services.attempt_submit(user=user, attempt_id=mock.pk)
    response = user_client.get(url(mock, f"q/{position}/"))
    assert response.status_code == 302 and response["Location"] == url(mock, "result/")
    response = user_client.get(url(mock, "q/1/"))
    assert response.status_code == 302 and response["Location"] == url(mock, "result/")


def test_someone_elses_question_is_404_at_every_position(mock, client, other_user):
    client.force_login(other_user)
    for position in (1, 2, 10, 11):
        assert client.get(url(mock, f"q/{position}/")).status_code == 404


# --- privacy -------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "q/1/", "review/", "result/", "answers/"])
def test_someone_elses_attempt_is_404(mock, client, other_user, suffix):
    client.force_login(other_user)
    assert client.get(url(mock, suffix)).status_code == 404


@pytest.mark.parametrize("suffix", ["q/1/answer/", "q/1/flag/", "submit/", "retry/"])
def test_writes_to_someone_elses_attempt_are_404_and_change_nothing(
    mock, client, other_user, instructor, suffix
):
    option = mock.questions.get(position=1).option_ids[0]
    for intruder in (other_user, instructor):
        client.force_login(intruder)
        assert client.post(url(mock, suffix), {"option": option, "flagged": "1"}).status_code == 404
    mock.refresh_from_db()
    first = mock.questions.get(position=1)
    assert (
        mock.status == Attempt.Status.IN_PROGRESS and first.selected_ids == [] and not first.flagged
    )


def test_instructors_see_results_and_reviews(mock, user_client, client, instructor):
    user_client.post(url(mock, "submit/"), {"confirm": "1"})
    client.force_login(instructor)
    assert client.get(url(mock, "result/")).status_code == 200
    assert client.get(url(mock, "answers/")).status_code == 200


def test_anonymous_users_go_to_login(mock, client):
    response = client.get(url(mock, "q/1/"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- query counts --------------------------------------------------------------------------


def test_question_page_query_count(mock, user_client, django_assert_num_queries):
    user_client.get(url(mock, "q/1/"))  # builds and keeps every question's content
    # session, user, the attempt with its questions (a mock hides the site menu: no role)
    with django_assert_num_queries(3):
        assert user_client.get(url(mock, "q/2/")).status_code == 200


def test_autosave_query_count(mock, user_client, django_assert_num_queries):
    option = mock.questions.get(position=1).option_ids[0]
    user_client.get(url(mock, "q/1/"))
    # session, user, savepoint, attempt (locked), question (locked), update, release
    with django_assert_num_queries(7):
        assert (
            user_client.post(url(mock, "q/1/answer/"), {"option": option}, headers=HTMX).status_code
            == 200
        )


def test_full_65_question_mock_exam_can_be_taken_resumed_and_reviewed(
    all_content, user, user_client, django_assert_max_num_queries
):
    response = user_client.post("/quiz/mock/", {"profile": "dva-c02"})
    attempt = Attempt.objects.get(user=user)
    assert response.status_code == 302 and attempt.question_count == 65
    assert attempt.deadline - attempt.started_at == timezone.timedelta(minutes=130)
    domains = {d: n for d, n in attempt.questions.values_list("domain").annotate(n=Count("id"))}
    assert sum(domains.values()) == 65
    for aq in attempt.questions.filter(position__lte=40):
        user_client.post(url(attempt, f"q/{aq.position}/answer/"), {"option": right_options(aq)})
    assert user_client.get(url(attempt)).headers["Location"] == url(attempt, "q/41/")
    page = user_client.get(url(attempt, "q/65/")).content.decode()
    assert "Questão 65 de 65" in page and page.count('class="nav-item answered') == 40
    user_client.post(url(attempt, "submit/"), {"confirm": "1"})
    attempt.refresh_from_db()
    assert (attempt.correct_count, attempt.scaled_score, attempt.passed) == (40, 654, False)
    with django_assert_max_num_queries(12):
        review = user_client.get(url(attempt, "answers/"))
    html = review.content.decode()
    assert html.count('class="review-item') == 10  # a page of 10, and a jump list of all 65
    assert html.count("#review-q") == 65 and "Página 1 de 7" in html


# --- self-graded cards (practice) -----------------------------------------------------------


def test_a_self_graded_card_shows_the_answer_then_takes_acertei_or_errei(bank, user, user_client):
    item = question("flash", 2)
    attempt = services.attempt_start_practice(user=user, item_ids=[item.pk], count=1)
    page = user_client.get(url(attempt, "q/1/")).content.decode()
    assert "Mostrar resposta" in page and 'name="option"' not in page
    assert "Resposta flash 2" not in page  # hidden until asked for
    response = user_client.post(url(attempt, "q/1/answer/"), {"go": "reveal"})
    assert response.status_code == 302
    page = user_client.get(url(attempt, "q/1/")).content.decode()
    assert "Resposta flash 2" in page and "Explicação flash 2" in page
    assert "Acertei" in page and "Errei" in page
    assert "https://docs.aws.amazon.com/flash/2" in page
    response = user_client.post(url(attempt, "q/1/answer/"), {"go": "wrong"})
    assert response.status_code == 302
    page = user_client.get(url(attempt, "q/1/")).content.decode()
    assert "Você marcou: errei." in page and "Acertei" not in page
    assert 'class="nav-item answered' in page
    log = ReviewLog.objects.get(user=user, source=ReviewLog.Source.QUIZ)
    assert log.rating == 1  # "Errei" → Again, like a wrong checked answer
    refused = user_client.post(url(attempt, "q/1/answer/"), {"go": "right"})
    assert refused.status_code == 400 and "já foi corrigida" in refused.content.decode()


def test_a_self_graded_card_refuses_options_and_early_verdicts(bank, user, user_client):
    item = question("flash", 1)
    attempt = services.attempt_start_practice(user=user, item_ids=[item.pk], count=1)
    aq = attempt.questions.get()
    response = user_client.post(url(attempt, "q/1/answer/"), {"option": aq.option_ids[0]})
    assert response.status_code == 400 and "autoavaliada" in response.content.decode()
    response = user_client.post(url(attempt, "q/1/answer/"), {"go": "right"})
    assert response.status_code == 400 and "Mostre a resposta" in response.content.decode()
    assert not ReviewLog.objects.exists()


def test_practice_by_topic_uses_each_question_s_own_topics(import_text, user, user_client):
    text = deck_text("tagged", "Alpha", "1", 6).replace(
        "🔗 [Doc tagged 6]", "🏷️ topics: Omega\n🔗 [Doc tagged 6]"
    )
    assert import_text({"content/pt-br/tagged.md": text}).ok
    page = user_client.get("/quiz/").content.decode()
    assert 'value="omega"' in page and 'value="alpha"' in page
    response = user_client.post("/quiz/practice/", {"topics": ["omega"], "count": 5})
    assert response.status_code == 400 and "Só há 1 questão disponível" in response.content.decode()


def test_the_attempt_urls_built_from_one_reverse_are_the_url_maps():
    from django.urls import reverse

    from studyapp.quizzes.views import _attempt_url, _attempt_urls, _question_url, _result_url

    urls = _attempt_urls(12, 3)
    assert urls["q_base"] + "3/" == urls["q_url"] == reverse("quizzes:question", args=[12, 3])
    assert urls["q_url"] + "answer/" == reverse("quizzes:answer", args=[12, 3])
    assert urls["q_url"] + "strike/" == reverse("quizzes:strike", args=[12, 3])
    assert urls["q_url"] + "flag/" == reverse("quizzes:flag", args=[12, 3])
    assert urls["review_url"] == reverse("quizzes:review", args=[12])
    assert urls["submit_url"] == reverse("quizzes:submit", args=[12])
    assert _result_url(12) == reverse("quizzes:result", args=[12])
    assert _question_url(12, 3) == urls["q_url"]
    assert _attempt_url(2**40) == reverse("quizzes:attempt", args=[2**40])


def test_the_attempt_urls_follow_the_script_prefix():
    from django.urls import reverse, set_script_prefix

    from studyapp.quizzes.views import _attempt_url, _question_url

    try:
        set_script_prefix("/estudo/")
        assert _attempt_url(12) == reverse("quizzes:attempt", args=[12]) == "/estudo/quiz/a/12/"
        assert _question_url(12, 3) == reverse("quizzes:question", args=[12, 3])
    finally:
        set_script_prefix("/")
    assert _attempt_url(12) == "/quiz/a/12/"


def test_an_attempt_id_beyond_the_databases_integers_is_404(user_client):
    assert user_client.get(f"/quiz/a/{2**63}/q/1/").status_code == 404


OPTION_LOOP = """{% for option in view.options %}
          <div class="option{% if option.struck %} is-struck{% endif %}">
            <input type="{% if question.is_multiple %}checkbox{% else %}radio{% endif %}" name="option" value="{{ option.id }}" id="option-{{ option.id }}"{% if option.selected %} checked{% endif %}>
            <label for="option-{{ option.id }}"{% if view.lang %} lang="{{ view.lang }}"{% endif %}><span class="option-letter" aria-hidden="true">{{ option.letter }}</span> {{ option.html|safe }}{% if option.struck %}<span class="visually-hidden"> ({% translate "riscada" %})</span>{% endif %}</label>
            {# comment #}
            <button type="submit" form="strike-form" name="strike" value="{{ option.id }}" id="strike-{{ option.id }}" class="strike-toggle secondary small" aria-pressed="{% if option.struck %}true{% else %}false{% endif %}"
                    hx-post="{{ q_url }}strike/" hx-target="#attempt-body" hx-swap="outerHTML"><span class="strike-icon" aria-hidden="true">abc</span><span class="visually-hidden">{% blocktranslate with letter=option.letter %}Riscar a opção {{ letter }}{% endblocktranslate %}</span></button>
          </div>
          {% endfor %}"""  # noqa: E501 - the question page's loop before quiz_options


@pytest.mark.parametrize("language", ["pt-br", "en"])
@pytest.mark.parametrize("multiple", [False, True])
def test_the_option_rows_are_the_templates_markup(language, multiple):
    from django.template import engines
    from django.utils import translation

    from studyapp.quizzes.selectors import OptionView, QuestionView

    options = [
        OptionView(11, "<code>a &amp; b</code>", False, False, letter="A"),
        OptionView(12, "Dois", True, True, letter="B"),
        OptionView(1234567, "Três", False, False, letter="C", struck=True),
        OptionView(14, "Quatro", False, True, letter="D", struck=True),
    ]
    question = type("Q", (), {"is_multiple": multiple})()
    context = {
        "view": QuestionView(question=question, item=None, shown=None, options=options, lang="en"),
        "question": question,
        "q_url": "/quiz/a/7/q/3/",
    }
    engine = engines["django"]
    with translation.override(language):
        expected = engine.from_string("{% load i18n %}" + OPTION_LOOP).render(context)
        built = engine.from_string("{% load quiz_options %}{% option_rows view question q_url %}")
        assert built.render(context) == expected
    assert expected.count('<div class="option') == 4 and expected.count(" checked") == 2


def test_a_position_beyond_the_databases_integers_is_404(mock, user_client):
    assert user_client.post(url(mock, f"q/{2**70}/answer/"), {"option": 1}).status_code == 404
    assert user_client.post(url(mock, f"q/{2**63}/flag/"), {"flagged": "1"}).status_code == 404
    assert user_client.post(f"/quiz/a/{2**63}/q/1/answer/", {"option": 1}).status_code == 404


def test_the_locked_reads_need_a_transaction(mock, user, monkeypatch):
    from django.db import connection
    from django.db.transaction import TransactionManagementError

    monkeypatch.setattr(connection, "get_autocommit", lambda: True)  # outside any atomic()
    with pytest.raises(TransactionManagementError):
        services._locked_attempt(user=user, attempt_id=mock.pk)


def test_the_fixed_texts_are_kept_per_language_and_numbers(settings):
    from django.utils import translation

    from studyapp import partials
    from studyapp.quizzes.templatetags import quiz_fixed as fixed

    settings.DEBUG = False
    for language, shortcuts, heading in (
        ("pt-br", "Atalhos de teclado", "Questão 3 de 65"),
        ("en", "Keyboard shortcuts", "Question 3 of 65"),
    ):
        with translation.override(language):
            assert shortcuts in fixed.quiz_fixed("shortcuts")
            assert fixed.quiz_fixed("heading", n=3, total=65) == heading
            # The kept copy is what rendering the partial gives, for any numbers.
            choose = f"{fixed.FIXED_TEMPLATE}#choose"
            assert fixed.quiz_fixed("choose", n=2) == partials.render_now(choose, {"n": 2})
            assert fixed.quiz_fixed("choose", n=1) == partials.render_now(choose, {"n": 1})
    assert fixed.quiz_fixed("heading", n="4", total=65) == "Questão 4 de 65"  # integers only


def test_the_navigator_read_in_sql_is_each_questions_state(mock, user):
    from studyapp.quizzes import selectors

    questions = list(mock.questions.order_by("position"))
    services.answer_save(
        user=user, attempt_id=mock.pk, position=2, option_ids=questions[1].option_ids[:1]
    )
    services.flag_set(user=user, attempt_id=mock.pk, position=3, flagged=True)
    services.answer_save(
        user=user, attempt_id=mock.pk, position=3, option_ids=questions[2].option_ids[:1]
    )
    services.flag_set(user=user, attempt_id=mock.pk, position=5, flagged=True)
    services.answer_save(
        user=user, attempt_id=mock.pk, position=6, option_ids=questions[5].option_ids[:1]
    )
    services.answer_save(user=user, attempt_id=mock.pk, position=6, option_ids=[])  # cleared
    rows = selectors.attempt_rows_for_owner(user=user, attempt_id=mock.pk, position=3)
    expected = [
        selectors.NavEntry(q.position, q.is_answered, q.flagged)
        for q in mock.questions.order_by("position")
    ]
    assert rows.navigator == expected
    assert [(e.is_answered, e.flagged) for e in expected[1:6]] == [
        (True, False),
        (True, True),
        (False, False),
        (False, True),
        (False, False),
    ]
    assert rows.current == mock.questions.get(position=3)
    assert rows.current.selected_ids == questions[2].option_ids[:1]
    assert rows.attempt == mock and rows.attempt.deadline == Attempt.objects.get().deadline
