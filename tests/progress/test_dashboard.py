"""The student dashboard: hand-computed forecast, mastery and readiness; fixed query count;
mock exams with predictions; exports; and who may see what."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import caches
from django.urls import reverse

from studyapp.progress.models import Prediction
from studyapp.progress.selectors import dashboard_get
from studyapp.progress.services import prediction_snapshot

from .conftest import NOW, make_card, make_log, make_mock, make_prediction

pytestmark = pytest.mark.django_db


@pytest.fixture
def cards(user, utc_settings, tiny_content):
    """A1: R=0.9 (10 days at stability 10), due tomorrow. A2: new. B1: R=0.9, due 2 h ago.
    B2: R=1 (reviewed now), due in 20 days."""
    return {
        "a1": make_card(
            user,
            tiny_content["alpha1"],
            stability=10,
            last_review=NOW - timedelta(days=10),
            due=NOW + timedelta(days=1),
        ),
        "a2": make_card(user, tiny_content["alpha2"], state="new", due=NOW),
        "b1": make_card(
            user,
            tiny_content["beta1"],
            stability=5,
            last_review=NOW - timedelta(days=5),
            due=NOW - timedelta(hours=2),
        ),
        "b2": make_card(
            user, tiny_content["beta2"], stability=20, last_review=NOW, due=NOW + timedelta(days=20)
        ),
    }


def test_due_counts_forecast_and_states(user, cards):
    d = dashboard_get(user=user, now=NOW)
    assert d.cards.due_now == 1
    assert d.cards.due_today == 1
    forecast = [n for _day, n in d.cards.forecast]
    assert len(forecast) == 30
    assert forecast[0] == 1 and forecast[1] == 1 and forecast[20] == 1
    assert sum(forecast) == 3
    assert d.cards.states == {"new": 1, "learning": 0, "review": 3, "suspended": 0}


def test_suspended_and_buried_cards(user, cards):
    cards["b1"].suspended = True
    cards["b1"].save()
    cards["a1"].due = NOW - timedelta(hours=1)
    cards["a1"].buried_until = NOW + timedelta(hours=20)  # back tomorrow
    cards["a1"].save()
    d = dashboard_get(user=user, now=NOW)
    assert d.cards.states["suspended"] == 1
    assert d.cards.due_now == 0
    assert [n for _day, n in d.cards.forecast][:2] == [0, 1]


def test_mastery_is_mean_retrievability_with_unstudied_items_at_zero(user, cards):
    d = dashboard_get(user=user, now=NOW)
    decks = {g.extra["slug"]: g for g in d.readiness.decks}
    assert decks["alpha"].mastery == pytest.approx((0.9 + 0) / 2)
    assert decks["beta"].mastery == pytest.approx((0.9 + 1.0) / 2)
    assert (decks["alpha"].studied, decks["alpha"].items) == (1, 2)
    topics = {g.label: g for g in d.readiness.topics}
    assert topics["Alpha"].mastery == pytest.approx(0.45)


def test_readiness_per_domain_and_predicted_score(user, cards):
    # No question a mock exam could draw: no forecast of a score (the item model's cases
    # are in test_item_model.py); the per-group estimates still rank the topics.
    d = dashboard_get(user=user, now=NOW)
    f = d.readiness.forecast
    assert f.count == 0
    domains = {g.key: g for g in d.readiness.domains}
    assert set(domains) == {1, 2, 3, 4}
    # Weakest topic first, with a study link to its deck.
    assert [t.label for t in d.readiness.study_next] == ["Alpha", "Beta"]
    assert d.readiness.study_next[0].extra["deck_slug"] == "alpha"


def test_quiz_answers_move_the_topic_estimate(user, cards, tiny_content):
    from studyapp.quizzes.models import Attempt, AttemptQuestion

    for i in range(5):  # 10 answers on Alpha, 5 right
        attempt = Attempt.objects.create(
            user=user,
            kind="practice",
            title="P",
            seed=i,
            status="submitted",
            started_at=NOW - timedelta(days=1),
            finished_at=NOW - timedelta(days=1),
        )
        for position, key in enumerate(("alpha1", "alpha2"), start=1):
            AttemptQuestion.objects.create(
                attempt=attempt,
                item=tiny_content[key],
                position=position,
                is_correct=(key == "alpha1"),
            )
    d = dashboard_get(user=user, now=NOW)
    alpha = next(t for t in d.readiness.topics if t.label == "Alpha")
    assert (alpha.answered, alpha.correct) == (10, 5)
    assert alpha.probability == pytest.approx((10 * 0.5875 + 5) / 20)


def test_dashboard_page_shows_every_part(user_client, user, cards, tiny_content):
    make_log(cards["b1"], rating=3, at=NOW - timedelta(hours=1))
    for days, score in [(20, 610), (5, 760)]:
        attempt = make_mock(user, score=score, started_at=NOW - timedelta(days=days))
        prediction_snapshot(user=user, attempt=attempt, now=attempt.started_at)
    response = user_client.get(reverse("progress:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    for part in [
        'id="chart-forecast"',
        'id="chart-heatmap"',
        'id="chart-buttons"',
        'id="chart-mocks"',
        "Cartões por estado",
        "Retenção real",
        "Retenção prevista por deck",
        "Prontidão para o exame",
        "Domínio do exame",
        "Definir a data do exame",
        "O que estudar agora",
        reverse("srs:study_deck", args=["alpha"]),
        reverse("quizzes:index") + "?deck=alpha",
        "Previsão",
        "Diferença",
        reverse("progress:export", args=["reviews", "csv"]),
        "pass-line",
    ]:
        assert part in html, part
    assert "style=" not in html  # the CSP forbids inline styles


def _grow_history(user, card, count):
    for i in range(count):
        make_log(card, rating=3 if i % 4 else 1, at=NOW - timedelta(days=i % 300, hours=1))


def test_dashboard_query_count_does_not_grow_with_history(
    user_client, user, cards, django_assert_num_queries
):
    for days in (30, 10):
        attempt = make_mock(user, score=700, started_at=NOW - timedelta(days=days))
        prediction_snapshot(user=user, attempt=attempt)
    _grow_history(user, cards["b1"], 5)
    url = reverse("progress:dashboard")
    user_client.get(url)  # the first request after login also saves the session
    caches[settings.SHARED_CACHE].clear()  # the figures built, not read from the cache
    # the figures built (the cache's key needs no query: see dashboard_cache)
    # srs due_counts: 2 queries (was 5, then 3), its settings read also saying the navigation's
    # instructor role (no query of its own)
    with django_assert_num_queries(20):
        assert user_client.get(url).status_code == 200
    _grow_history(user, cards["b2"], 400)
    caches[settings.SHARED_CACHE].clear()
    # srs due_counts: 2 queries (was 5, then 3), its settings read also saying the navigation's
    # instructor role (no query of its own)
    with django_assert_num_queries(20):
        assert user_client.get(url).status_code == 200


def test_old_mock_exams_get_a_prediction_once(user_client, user, cards):
    make_log(cards["b1"], rating=3, at=NOW - timedelta(days=40))
    first = make_mock(user, score=600, started_at=NOW - timedelta(days=30))
    second = make_mock(user, score=650, started_at=NOW - timedelta(days=3))
    user_client.get(reverse("progress:dashboard"))
    lazy = Prediction.objects.filter(user=user, moment="lazy")
    assert sorted(lazy.values_list("attempt_id", flat=True)) == [first.pk, second.pk]
    user_client.get(reverse("progress:dashboard"))
    assert lazy.count() == 2


def test_prediction_snapshot_stores_the_current_forecast(user, cards):
    attempt = make_mock(user, score=700, started_at=NOW)
    prediction = prediction_snapshot(user=user, attempt=attempt, moment="start", now=NOW)
    forecast = dashboard_get(user=user, now=NOW).readiness.forecast
    assert prediction.attempt_id == attempt.pk
    assert prediction.predicted_score == forecast.score
    assert prediction.score_low <= prediction.predicted_score <= prediction.score_high
    assert set(prediction.domains) == {"1", "2", "3", "4"}


# --- Exports ------------------------------------------------------------------------------


def test_export_contains_only_the_users_own_reviews(
    user_client, user, other_user, cards, tiny_content
):
    make_log(cards["b1"], rating=3, at=NOW - timedelta(hours=1))
    theirs = make_card(other_user, tiny_content["alpha1"], stability=3, last_review=NOW)
    make_log(theirs, rating=1, at=NOW - timedelta(hours=2), record=False)
    response = user_client.get(reverse("progress:export", args=["reviews", "json"]))
    assert response["Content-Disposition"].startswith("attachment;")
    rows = json.loads(b"".join(response.streaming_content))
    assert len(rows) == 1 and rows[0]["rating"] == 3 and rows[0]["deck"] == "beta"
    csv_text = b"".join(
        user_client.get(reverse("progress:export", args=["reviews", "csv"])).streaming_content
    ).decode()
    assert csv_text.splitlines()[0].startswith("reviewed_at,deck,item")
    assert len(csv_text.splitlines()) == 2


def test_export_attempts_as_csv_and_json(user_client, user, tiny_content):
    make_mock(user, score=800, started_at=NOW, items=[tiny_content["alpha1"]], correct=[True])
    rows = json.loads(
        b"".join(
            user_client.get(reverse("progress:export", args=["attempts", "json"])).streaming_content
        )
    )
    assert rows[0]["scaled_score"] == 800 and rows[0]["is_correct"] is True
    response = user_client.get(reverse("progress:export", args=["attempts", "csv"]))
    assert b"800" in b"".join(response.streaming_content)


def test_unknown_export_is_404(user_client):
    assert user_client.get("/progress/export/passwords.csv").status_code == 404
    assert user_client.get("/progress/export/reviews.xml").status_code == 404


# --- Access ---------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client):
    for url in [
        reverse("progress:dashboard"),
        reverse("class_view"),
        reverse("progress:export", args=["reviews", "csv"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_students_see_only_their_own_dashboard(user_client, user, other_user, tiny_content):
    theirs = make_card(
        other_user,
        tiny_content["alpha1"],
        stability=3,
        last_review=NOW,
        due=NOW - timedelta(hours=1),
    )
    make_log(theirs, rating=3, at=NOW - timedelta(hours=2))
    d = dashboard_get(user=user)
    assert d.cards.due_now == 0 and d.activity.total_reviews == 0


def test_class_view_is_for_instructors_only(user_client):
    assert user_client.get(reverse("class_view")).status_code == 403


def test_a_new_student_without_history_gets_the_dashboard(user_client):
    response = user_client.get(reverse("progress:dashboard"))
    assert response.status_code == 200
    assert "Nenhum simulado concluído ainda." in response.content.decode()


def test_dashboard_shows_the_running_bias_from_two_mocks(user_client, user, cards):
    for days, score, predicted in ((20, 600, 640), (5, 700, 690)):
        attempt = make_mock(user, score=score, started_at=NOW - timedelta(days=days))
        make_prediction(attempt, predicted=predicted, spread=30, pass_probability=0.4)
    d = dashboard_get(user=user, now=NOW)
    assert [row.error for row in d.compared] == [-40, 10]
    assert d.running_bias == -15 and d.inside_range == 1
    html = user_client.get(reverse("progress:dashboard")).content.decode()
    assert "Previsão × resultado em 2 simulados" in html


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_the_forecast_charts_day_labels_kept_per_process_are_date_format(language):
    """The forecast chart labels its 30 days through a per-process memo keyed by the day,
    the translated format and the language: what date_format gives in each language."""
    from datetime import date

    from django.utils import translation
    from django.utils.formats import date_format

    from studyapp.progress.charts import _bar_day

    with translation.override(language):
        label = translation.gettext("d/m")
        for offset in range(40):
            day = date(2026, 12, 20) + timedelta(days=offset)
            assert _bar_day(day, label, language) == date_format(day, label)


def test_the_study_day_of_a_due_kept_per_process_is_srs_study_day():
    """summarize_cards reads each due's study day through a per-process memo keyed by the
    moment and the time zone: srs's study_day, in every zone and around DST changes and
    the 04:00 day start, whichever zone the moment itself is written in."""
    import random
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from studyapp.progress.selectors import _study_day_of
    from studyapp.srs.timing import study_day

    rnd = random.Random(3)
    zones = [ZoneInfo(name) for name in ("America/Sao_Paulo", "Europe/Lisbon", "Asia/Tokyo")]
    for _ in range(3000):
        moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rnd.randrange(800_000))
        written = moment.astimezone(rnd.choice([UTC, *zones]))
        tz = rnd.choice([UTC, *zones])
        assert _study_day_of(written, tz) == study_day(written, tz) == study_day(moment, tz)


def test_the_newest_answers_are_the_sorted_ones_and_their_model_answers_follow():
    """learner_study's merge of kept and new answers is what sorting them all gives; the
    model's answers kept with them are extended with the new ones' (or read again: None)."""
    import random
    from datetime import UTC, datetime

    from studyapp.progress.readiness import EVIDENCE_LIMIT
    from studyapp.progress.selectors import _newest_answers, answers_from

    rnd = random.Random(5)
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def row(log_id, minutes):
        at = start + timedelta(minutes=minutes)
        return (log_id, 1, rnd.randrange(50), at, rnd.randrange(1, 5), 3.0, None, "study", True)

    def order(rows):
        return sorted(rows, key=lambda r: (r[3], r[0]), reverse=True)[:EVIDENCE_LIMIT]

    for _ in range(200):
        kept = order([row(i, rnd.randrange(10_000)) for i in range(rnd.randrange(0, 600))])
        top = max((r[3] for r in kept), default=start)
        newer = rnd.random() < 0.7  # as logged: after every kept one
        base = int((top - start).total_seconds() // 60) + 1 if newer else 0
        new = [row(1000 + i, base + rnd.randrange(5_000)) for i in range(rnd.randrange(1, 9))]
        evidence = answers_from(r[1:] for r in kept)
        rows, merged = _newest_answers(kept, new, evidence)
        assert rows == order([*kept, *new])
        assert merged is None or merged == answers_from(r[1:] for r in rows)
        assert _newest_answers(kept, new, None)[1] is None
