"""Rebuilds of the dashboard that reuse the learner's kept parts (progress.dashboard_cache:
the settings and quiz reads an answer does not change) show exactly what a rebuild from an
empty cache shows at the same moment, after every kind of change: an answer, an undo, a
suspended card, a quiz submit, a settings change, a new exam date, an exam profile change,
a language switch, an import and the study day's rollover."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from studyapp.content.selectors import CONTENT_VERSION_KEY
from studyapp.progress import dashboard_cache
from studyapp.quizzes import services as quiz_services
from studyapp.srs.models import StudyCard
from tests.quizzes.conftest import deck_text

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


class Clock:
    """``timezone.now`` for the whole test, moved on by hand: two views compared are built at
    the same moment (the figures read the clock: recall, evidence weights, due counts)."""

    def __init__(self, monkeypatch):
        self.now = timezone.now().replace(microsecond=0)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def tick(self, **delta):
        self.now += timedelta(**delta) if delta else timedelta(minutes=1)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def decks(import_text, mini_profile):
    report = import_text(
        {
            "content/pt-br/alpha.md": deck_text("alpha", "Alpha", "1", 8),
            "content/pt-br/beta.md": deck_text("beta", "Beta", "2", 8),
        }
    )
    assert report.ok
    return mini_profile


def view(client, **headers) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("progress:dashboard"), headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r'<div role="status">.*?</div>', "", main, flags=re.S)
    return re.sub(r"\s+", " ", main), len(queries)


def same_as_full_rebuild(client, **headers) -> int:
    """Checks that this view (built with the parts kept so far) equals a view built from an
    empty shared cache at the same moment; returns the first view's query count."""
    kept, queries = view(client, **headers)
    caches[settings.SHARED_CACHE].clear()
    dashboard_cache.study_memo.clear()  # this process's own study part: nothing kept at all
    full, full_queries = view(client, **headers)
    assert kept == full
    return queries


def answer(client, user, capture, rating=3):
    client.get(reverse("srs:study"))
    card = StudyCard.objects.filter(user=user, suspended=False).order_by("due", "id").first()
    data = {"rating": rating, "token": card.token, "scope": "", "duration_ms": 1200}
    with capture(execute=True):
        response = client.post(reverse("srs:answer", args=[card.pk]), data, headers=HTMX)
    assert response.status_code == 200


def _heatmap_spy(monkeypatch) -> list[bool]:
    """Each heatmap render from now on appends whether it reused the kept past days."""
    from studyapp.progress import charts

    reused: list[bool] = []
    heatmap = charts.heatmap

    def seen(**kwargs):
        reused.append(kwargs.get("past") is not None)
        return heatmap(**kwargs)

    monkeypatch.setattr(charts, "heatmap", seen)
    return reused


def test_every_change_rebuilds_the_same_figures_as_from_nothing(
    user_client, user, decks, clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    view(user_client)  # keeps the parts
    clock.tick()
    answer(user_client, user, capture)
    clock.tick()
    first_build = same_as_full_rebuild(user_client)
    # An answer leaves the settings and quiz parts valid: the rebuild reads neither.
    answer(user_client, user, capture, rating=1)
    clock.tick()
    caches[settings.SHARED_CACHE].clear()
    _html, full = view(user_client)  # nothing kept: everything read (and kept)
    clock.tick()
    answer(user_client, user, capture)
    clock.tick()
    assert same_as_full_rebuild(user_client) <= full - 7 and first_build <= full - 7

    # Many answers, a view after each: the kept study part is applied, then written again.
    for n in range(12):
        answer(user_client, user, capture, rating=1 + n % 4)
        clock.tick()
        view(user_client)
    answer(user_client, user, capture)
    clock.tick()
    same_as_full_rebuild(user_client)

    # Undo.
    view(user_client)
    with capture(execute=True):
        assert user_client.post(reverse("srs:undo"), headers=HTMX).status_code == 200
    clock.tick()
    same_as_full_rebuild(user_client)

    # A suspended card.
    view(user_client)
    card = StudyCard.objects.filter(user=user, suspended=False).order_by("id").first()
    with capture(execute=True):
        user_client.post(
            reverse("srs:suspend", args=[card.pk]), {"token": card.token, "scope": ""}, headers=HTMX
        )
    assert StudyCard.objects.get(pk=card.pk).suspended
    clock.tick()
    same_as_full_rebuild(user_client)

    # A mock exam answered and submitted.
    view(user_client)
    with capture(execute=True):
        attempt = quiz_services.attempt_start_mock(user=user, profile=decks, seed=4)
    clock.tick()
    same_as_full_rebuild(user_client)
    question = attempt.questions.order_by("position").first()
    with capture(execute=True):
        user_client.post(
            f"/quiz/a/{attempt.pk}/q/{question.position}/answer/",
            {"option": question.option_ids[0]},
            headers=HTMX,
        )
        assert user_client.post(f"/quiz/a/{attempt.pk}/submit/", {"confirm": "1"}).status_code
    clock.tick()
    html, _queries = view(user_client)
    assert "Nenhum simulado concluído ainda." not in html
    caches[settings.SHARED_CACHE].clear()
    assert view(user_client)[0] == html

    # The study settings (time zone) and the exam date.
    view(user_client)
    data = {
        "new_per_day": 20,
        "reviews_per_day": 200,
        "desired_retention": "0.85",
        "maximum_interval": 36500,
        "leech_threshold": 8,
        "timezone": "Asia/Tokyo",
    }
    with capture(execute=True):
        assert user_client.post(reverse("srs:settings"), data).status_code == 302
    clock.tick()
    same_as_full_rebuild(user_client)
    view(user_client)
    day = timezone.localdate() + timedelta(days=40)
    with capture(execute=True):
        response = user_client.post(reverse("exam_date"), {"exam_date": day.isoformat()})
    assert response.status_code == 302
    clock.tick()
    assert "Exame em" in view(user_client)[0]
    same_as_full_rebuild(user_client)

    # The exam profile (the admin's): its pass mark and question count.
    view(user_client)
    from studyapp.quizzes.models import ExamProfile

    profile = ExamProfile.objects.filter(is_active=True).order_by("-is_default", "position", "pk")
    profile = profile.first()
    with capture(execute=True):
        profile.pass_mark, profile.question_count = 800, 4
        profile.save()
    clock.tick()
    same_as_full_rebuild(user_client)

    # A language switch (the parts are the same in every language).
    view(user_client)
    clock.tick()
    english = same_as_full_rebuild(user_client, **{"accept-language": "en"})
    assert english

    # An import.
    view(user_client)
    gamma = deck_text("gamma", "Gamma", "1", 4)
    with capture(execute=True):
        assert user_client and decks
        from studyapp.content import importer
        from studyapp.content.importer import Source

        report = importer.content_import(
            sources=[Source(path="content/pt-br/gamma.md", data=gamma.encode())]
        )
    assert report.ok
    clock.tick()
    assert "Deck gamma" in view(user_client)[0]
    same_as_full_rebuild(user_client)

    # The study day's rollover.
    view(user_client)
    clock.tick(days=1)
    same_as_full_rebuild(user_client)


def test_the_mock_exams_section_is_rendered_again_only_when_what_it_shows_changes(
    user_client, user, decks, clock, django_capture_on_commit_callbacks
):
    """The mock exams' section is kept under a digest of everything it shows: an answer
    reuses it, a new mock exam and a prediction render it again."""
    from django.test.signals import template_rendered

    from tests.progress.conftest import make_mock, make_prediction

    capture = django_capture_on_commit_callbacks
    rendered = []

    def seen(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(seen)
    try:
        with capture(execute=True):
            attempt = make_mock(user, score=700, started_at=clock.now - timedelta(days=2))
            make_prediction(attempt, predicted=690, spread=60, pass_probability=0.4)
        view(user_client)
        assert "progress/_dashboard_mocks.html" in rendered
        rendered.clear()
        clock.tick()
        answer(user_client, user, capture)
        clock.tick()
        html = same_as_full_rebuild(user_client) and view(user_client)[0]
        assert "700" in html
        rendered.clear()
        answer(user_client, user, capture)
        clock.tick()
        view(user_client)
        assert "progress/_dashboard_body.html" in rendered
        assert "progress/_dashboard_mocks.html" not in rendered
        rendered.clear()
        with capture(execute=True):
            second = make_mock(user, score=810, started_at=clock.now - timedelta(days=1))
            make_prediction(second, predicted=780, spread=50, pass_probability=0.7)
        clock.tick()
        html, _queries = view(user_client)
        assert "progress/_dashboard_mocks.html" in rendered and "780" in html
    finally:
        template_rendered.disconnect(seen)
    caches[settings.SHARED_CACHE].clear()
    assert view(user_client)[0] == html


def test_the_heatmaps_past_days_are_rendered_again_only_when_they_change(
    user_client, user, decks, clock, monkeypatch, django_capture_on_commit_callbacks
):
    """The heatmap's days before today are kept under a digest of what they show: an
    answer (today's cell, the busiest day not raised) reuses them, the study day's rollover
    renders them again; either way the page is the one built from nothing."""
    from studyapp.srs.models import DailyReviewStats

    capture = django_capture_on_commit_callbacks
    # A busy day three days ago: today's answers do not raise the busiest day.
    DailyReviewStats.objects.create(
        user=user, day=timezone.localdate(clock.now) - timedelta(days=3), reviews=50, good=50
    )
    reused = _heatmap_spy(monkeypatch)
    view(user_client)
    assert reused == [False]
    for when in ("answer", "rollover"):
        if when == "answer":
            answer(user_client, user, capture)
        clock.tick(**({"days": 1} if when == "rollover" else {}))
        reused.clear()
        html, _queries = view(user_client)
        assert reused == [when == "answer"]
        caches[settings.SHARED_CACHE].clear()
        assert view(user_client)[0] == html


def test_a_rebuild_reads_this_processs_own_study_part_while_its_tokens_hold(
    user_client, user, decks, clock, monkeypatch, django_capture_on_commit_callbacks
):
    """After an answer, a rebuild in the process that built the last view applies the new
    answers to its own study part (dashboard_cache.study_memo) instead of reading the shared
    one; another process reads the shared one; a write that renews the part's tokens (an
    undo) makes the process's own unread. The shared part is written again every
    STUDY_REKEEP answers. The page is always the one built from nothing."""
    from studyapp.progress import selectors

    capture = django_capture_on_commit_callbacks
    cache = caches[settings.SHARED_CACHE]
    study_key = dashboard_cache.PART_KEY.format(user.pk, "study")
    read = []
    get, get_many = cache.get, cache.get_many
    monkeypatch.setattr(cache, "get", lambda key, *a, **k: read.append(key) or get(key, *a, **k))
    monkeypatch.setattr(
        cache, "get_many", lambda keys, *a, **k: read.extend(keys) or get_many(keys, *a, **k)
    )

    progress_tokens = []
    tokens = selectors.tokens
    monkeypatch.setattr(
        selectors, "tokens", lambda *keys: progress_tokens.extend(keys) or tokens(*keys)
    )

    def rebuilt_from(*, own: bool) -> None:
        read.clear()
        progress_tokens.clear()
        html, _queries = view(user_client)
        # The memo's model answers are its answer rows' (extended with the new ones only).
        _versions, state, _pending, evidence = dashboard_cache.study_memo[user.pk]
        assert evidence == selectors.answers_from(row[1:] for row in state[2])
        assert (study_key in read) is not own
        # The content figures and the plan read the content version the lookup read.
        assert CONTENT_VERSION_KEY not in progress_tokens
        cache.clear()
        dashboard_cache.study_memo.clear()
        assert view(user_client)[0] == html

    view(user_client)
    assert user.pk in dashboard_cache.study_memo
    for rating in (3, 1, 4):
        answer(user_client, user, capture, rating=rating)
        clock.tick()
        rebuilt_from(own=True)

    # Another process: no memo of its own, the shared part.
    answer(user_client, user, capture)
    clock.tick()
    view(user_client)
    answer(user_client, user, capture)
    clock.tick()
    dashboard_cache.study_memo.clear()
    rebuilt_from(own=False)

    # An undo renews the study part's token: the process's own part is not used.
    answer(user_client, user, capture)
    clock.tick()
    view(user_client)
    with capture(execute=True):
        assert user_client.post(reverse("srs:undo"), headers=HTMX).status_code == 200
    clock.tick()
    rebuilt_from(own=False)

    # Answers applied to the process's own part: the shared one is written again after
    # STUDY_REKEEP of them, with the newest log.
    view(user_client)
    for _ in range(selectors.STUDY_REKEEP):
        answer(user_client, user, capture)
        clock.tick()
        read.clear()
        view(user_client)
        assert study_key not in read
    kept_last_log = get(study_key)[1][0]
    assert kept_last_log == dashboard_cache.study_memo[user.pk][1][0]
    assert dashboard_cache.study_memo[user.pk][2] == 0


def test_an_answer_that_raises_the_busiest_day_keeps_the_past_when_no_level_moves(
    user_client, user, decks, clock, monkeypatch, django_capture_on_commit_callbacks
):
    """Today the busiest day: each answer raises the peak the heat levels are relative to;
    the past days' markup is kept while none of their levels moves (a day with 1 review
    stays at level 1), and the page is the one built from nothing."""
    from studyapp.srs.models import DailyReviewStats

    capture = django_capture_on_commit_callbacks
    DailyReviewStats.objects.create(
        user=user, day=timezone.localdate(clock.now) - timedelta(days=3), reviews=1, good=1
    )
    reused = _heatmap_spy(monkeypatch)
    view(user_client)
    for _ in range(3):
        answer(user_client, user, capture)
        clock.tick()
        reused.clear()
        html, _queries = view(user_client)
        assert reused == [True]
        caches[settings.SHARED_CACHE].clear()
        dashboard_cache.study_memo.clear()
        assert view(user_client)[0] == html
