"""Per-learner parameters through the services, the settings page and the command."""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from studyapp.srs import optimizer, scheduler, timing, tuning
from studyapp.srs.models import ParameterEvaluation, ReviewLog, State, StudyCard
from studyapp.srs.services import cards_ensure, study_settings_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_cards(user, import_text, now):
    """150 study cards: fsrs-rs sets aside rare first-answer patterns as outliers, so a
    few hundred reviews must be spread over more cards than the 20 of the seed deck."""
    sections = []
    for number in range(15):
        bullets = "\n".join(f"- Fato {number}.{index} sobre o serviço." for index in range(10))
        sections.append(f"## Seção {number}\n{bullets}\n")
    text = "# Deck grande de teste\n\n" + "\n".join(sections)
    report = import_text({"content/pt-br/grande.md": text})
    assert report.ok, report.errors
    cards_ensure(user=user, now=now)
    return list(StudyCard.objects.filter(user=user).order_by("id"))


def write_log(user, cards, now, *, reviews=400, seed=2):
    """A synthetic learner's answers (hidden parameters) as the user's review log, ending
    before ``now``: one study session a day at 12:00 in São Paulo (15:00 UTC)."""
    answers = optimizer.synthetic_log(
        optimizer.hidden_parameters(seed), reviews=reviews, seed=seed, max_cards=len(cards)
    )
    last_day = answers[-1].day
    start = now - timedelta(days=last_day + 1)
    logs = []
    for index, answer in enumerate(answers):
        card = cards[answer.card - 1]
        moment = start + timedelta(days=answer.day, seconds=index)
        state = State.NEW if answer.new else State.REVIEW
        logs.append(
            ReviewLog(
                user=user,
                card=card,
                rating=answer.rating,
                reviewed_at=moment,
                state_before=state,
                due_before=moment,
                state_after=State.REVIEW,
                due_after=moment,
            )
        )
    ReviewLog.objects.bulk_create(logs)
    last = {answer.card: start + timedelta(days=answer.day) for answer in answers}
    for number, card in enumerate(cards, start=1):
        card.state = State.REVIEW
        card.stability, card.difficulty = 3.0, 5.0
        card.last_review = last[number]
        card.due = last[number] + timedelta(days=3)
        card.save()
    return answers


def log_snapshot(user):
    return list(ReviewLog.objects.filter(user=user).order_by("id").values())


def test_below_the_minimum_the_page_says_so_and_nothing_changes(user_client, user, cards):
    response = user_client.post(reverse("srs:optimize"), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "0 revisões de 400 necessárias" in html
    assert not ParameterEvaluation.objects.exists()
    assert study_settings_get(user=user).fsrs_parameters is None


def test_training_keeps_better_parameters_and_reschedules(user_client, user, many_cards, now):
    write_log(user, many_cards, now)
    before = log_snapshot(user)
    outcome = tuning.parameters_optimize(user=user, now=now)
    evaluation = outcome.evaluation
    assert outcome.enough and evaluation.accepted
    assert evaluation.logloss_after < evaluation.logloss_before
    assert evaluation.reviews == 400
    settings = study_settings_get(user=user)
    assert settings.fsrs_parameters == evaluation.parameters
    assert settings.parameters == tuple(evaluation.parameters)
    assert 0.70 <= settings.suggested_retention <= 0.97
    # History untouched; memory recomputed from it under the kept parameters.
    assert log_snapshot(user) == before
    assert evaluation.rescheduled == 150
    card = StudyCard.objects.get(pk=many_cards[0].pk)
    assert card.stability != 3.0
    days = optimizer.next_interval_days(
        settings.parameters, card.stability, settings.desired_retention, 36500
    )
    # Due for the whole study day ``days`` after the last review's (from its 04:00).
    tz = settings.tzinfo
    due_day = timing.study_day(card.last_review, tz) + timedelta(days=days)
    assert card.due == max(now, timing.day_start(scheduler.review_due(due_day, tz), tz))
    assert timing.study_day(card.due, tz) == due_day
    # The settings page shows the evaluation.
    html = user_client.get(reverse("srs:settings")).content.decode()
    assert "Adotados." in html
    assert f"{evaluation.logloss_after:.4f}".replace(".", ",") in html
    assert "parâmetros treinados com o seu próprio histórico" in html
    assert "Parâmetros em uso" in html and f"{evaluation.parameters[0]:.4f}" in html


def test_worse_held_out_loss_is_rejected(user, many_cards, now, monkeypatch):
    write_log(user, many_cards, now, seed=3)
    unchanged = list(StudyCard.objects.filter(user=user).order_by("id").values())
    worse = optimizer.hidden_parameters(99, spread=1.5)
    monkeypatch.setattr(optimizer, "train", lambda scored, current=None: worse)
    outcome = tuning.parameters_optimize(user=user, now=now)
    evaluation = outcome.evaluation
    assert not evaluation.accepted
    assert evaluation.logloss_after > evaluation.logloss_before
    assert evaluation.rescheduled == 0
    assert study_settings_get(user=user).fsrs_parameters is None
    assert list(StudyCard.objects.filter(user=user).order_by("id").values()) == unchanged


def test_the_scheduler_uses_the_learners_parameters(user_client, user, cards, now):
    settings = study_settings_get(user=user)
    before = user_client.get(reverse("srs:study")).content.decode()
    parameters = list(optimizer.DEFAULT_PARAMETERS)
    parameters[3] = 40.0  # initial stability after Easy: 8.3 → 40 days
    settings.fsrs_parameters = parameters
    settings.save()
    after = user_client.get(reverse("srs:study")).content.decode()

    def easy_days(html):  # the Easy button's label, e.g. "10 d" (fuzzed)
        return int(re.findall(r'class="interval">([^<]*)<', html)[-1].split()[0])

    assert easy_days(before) <= 11
    assert 36 <= easy_days(after) <= 44


def test_only_the_signed_in_learner_is_trained(client, user, other_user, many_cards, now):
    write_log(user, many_cards, now)
    client.force_login(other_user)
    response = client.post(reverse("srs:optimize"))
    assert response.status_code == 302
    assert not ParameterEvaluation.objects.filter(user=user).exists()
    assert study_settings_get(user=user).fsrs_parameters is None
    client.logout()
    response = client.post(reverse("srs:optimize"))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not ParameterEvaluation.objects.exists()


def test_optimize_and_suggest_are_post_only(user_client):
    assert user_client.get(reverse("srs:optimize")).status_code == 405
    assert user_client.get(reverse("srs:suggest_retention")).status_code == 405


def test_csrf_is_required(client, user):
    client = type(client)(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("srs:optimize")).status_code == 403


def test_suggest_retention_on_demand(user_client, user, cards, monkeypatch):
    calls = []

    def fake(parameters, **inputs):
        calls.append(inputs)
        return 0.87

    monkeypatch.setattr(optimizer, "suggest_retention", fake)
    page = user_client.get(reverse("srs:settings")).content.decode()
    assert not calls and "Sugestão:" not in page
    response = user_client.post(reverse("srs:suggest_retention"), follow=True)
    html = response.content.decode()
    assert calls == [{"deck_size": 20, "new_per_day": 20, "reviews_per_day": 200}]
    assert "Sugestão: 0,87 (menor tempo de estudo por cartão lembrado)" in html
    assert study_settings_get(user=user).suggested_retention == 0.87


def test_english_page(user_client, user, cards):
    settings = study_settings_get(user=user)
    settings.suggested_retention = 0.87
    settings.save()
    user_client.cookies["django_language"] = "en"
    html = user_client.get(reverse("srs:settings"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Suggestion: 0.87 (least study time per card remembered)" in html
    assert "Train parameters on my history" in html


def test_command_json_shape(user, other_user, many_cards, now):
    write_log(user, many_cards, now)
    out = StringIO()
    call_command("optimize_fsrs", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert list(data) == ["users"]
    (row,) = data["users"]  # only users with reviews
    assert list(row) == [
        "user",
        "reviews",
        "logloss_before",
        "logloss_after",
        "rmse_before",
        "rmse_after",
        "accepted",
    ]
    assert row["user"] == "ana" and row["reviews"] == 400 and row["accepted"] is True
    out = StringIO()
    call_command("optimize_fsrs", "--user", "bruno", "--json", stdout=out)
    (row,) = json.loads(out.getvalue())["users"]
    assert row == {
        "user": "bruno",
        "reviews": 0,
        "logloss_before": None,
        "logloss_after": None,
        "rmse_before": None,
        "rmse_after": None,
        "accepted": False,
    }


def test_command_text_output(user, many_cards, now):
    write_log(user, many_cards, now)
    out = StringIO()
    call_command("optimize_fsrs", "--user", "ana", stdout=out)
    assert "ana: 400 reviews; held-out log loss" in out.getvalue()
    assert "accepted" in out.getvalue()


def test_the_button_trains_and_says_what_happened(user_client, user, many_cards, now):
    write_log(user, many_cards, now)
    response = user_client.post(reverse("srs:optimize"), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Novos parâmetros adotados" in html and "150 cartões foram reagendados" in html
    assert ParameterEvaluation.objects.filter(user=user, accepted=True).count() == 1


def test_command_unknown_user():
    with pytest.raises(CommandError):
        call_command("optimize_fsrs", "--user", "ninguem", stdout=StringIO())


def test_a_second_training_within_minutes_is_refused_not_run(user, monkeypatch):
    """Each run costs seconds of CPU in the request: one per learner per RETRAIN_AFTER."""
    from datetime import timedelta

    from django.utils import timezone

    from studyapp.srs import tuning
    from studyapp.srs.models import ParameterEvaluation

    now = timezone.now()
    ParameterEvaluation.objects.create(
        user=user,
        created_at=now - timedelta(minutes=3),
        reviews=500,
        **dict.fromkeys(("logloss_before", "logloss_after", "rmse_before", "rmse_after"), 0.3),
    )
    monkeypatch.setattr(tuning, "_answers", lambda **kw: pytest.fail("trained anyway"))
    with pytest.raises(tuning.TooSoon) as refused:
        tuning.parameters_optimize(user=user, now=now)
    assert "7 min" in refused.value.message


def test_the_retention_simulation_is_bounded(monkeypatch):
    from studyapp.srs import optimizer

    seen = {}
    monkeypatch.setattr(
        optimizer.fsrs_rs, "optimal_retention", lambda config, w: seen.update(c=config) or 0.9
    )
    optimizer.suggest_retention(None, deck_size=50_000, new_per_day=9999, reviews_per_day=99999)
    config = seen["c"]
    assert config.deck_size == optimizer.SIMULATED_CARDS_MAX
    assert config.learn_limit == optimizer.SIMULATED_NEW_MAX
    assert config.review_limit == optimizer.SIMULATED_REVIEWS_MAX
