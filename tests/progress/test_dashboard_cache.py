"""The dashboard's cache (progress.dashboard_cache): a repeat view is read from the shared
cache, and every change the figures show is fresh at once: an answer, an undo, a quiz
submit, a language switch, an import and the study day's rollover."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from studyapp.progress import views as progress_views
from studyapp.quizzes import services as quiz_services
from studyapp.srs.models import StudyCard
from tests.quizzes.conftest import deck_text

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
CACHED_AT_MOST = 3  # session, user, instructor role: the key needs none, no figure is computed


def view(client, **headers):
    """(the page's main content, queries) of one dashboard view (the base template around it
    holds a per-request CSRF token)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("progress:dashboard"), headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")], len(queries)


def cached(client, **headers) -> str:
    """The page, after checking that a second view is read from the cache."""
    html, _ = view(client, **headers)
    again, queries = view(client, **headers)
    assert queries <= CACHED_AT_MOST and again == html
    return html


def total_reviews(html: str) -> int:
    return int(re.search(r"(\d+) revis(ão|ões)\.", html).group(1))


def answer(client, user, django_capture_on_commit_callbacks):
    client.get(reverse("srs:study"))
    card = StudyCard.objects.filter(user=user).order_by("id").first()
    data = {"rating": 3, "token": card.token, "scope": "", "duration_ms": 1200}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("srs:answer", args=[card.pk]), data, headers=HTMX)
    assert response.status_code == 200


def test_a_repeat_view_is_read_from_the_cache(user_client, seed_deck):
    html, built = view(user_client)
    again, queries = view(user_client)
    assert again == html and queries <= CACHED_AT_MOST < built


def test_an_answer_and_an_undo_show_at_once(
    user_client, user, seed_deck, django_capture_on_commit_callbacks
):
    assert total_reviews(cached(user_client)) == 0
    answer(user_client, user, django_capture_on_commit_callbacks)
    assert total_reviews(cached(user_client)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert user_client.post(reverse("srs:undo"), headers=HTMX).status_code == 200
    assert total_reviews(cached(user_client)) == 0


def test_a_quiz_submit_shows_at_once(
    user_client, user, import_text, mini_profile, django_capture_on_commit_callbacks
):
    report = import_text(
        {
            "content/pt-br/alpha.md": deck_text("alpha", "Alpha", "1", 8),
            "content/pt-br/beta.md": deck_text("beta", "Beta", "2", 8),
        }
    )
    assert report.ok
    with django_capture_on_commit_callbacks(execute=True):
        attempt = quiz_services.attempt_start_mock(user=user, profile=mini_profile, seed=4)
    assert "Nenhum simulado concluído ainda." in cached(user_client)
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(f"/quiz/a/{attempt.pk}/submit/", {"confirm": "1"})
    assert response.status_code == 302
    assert "Nenhum simulado concluído ainda." not in cached(user_client)


def test_a_language_switch_shows_at_once(user_client, seed_deck):
    assert "Seu progresso" in cached(user_client)
    english = cached(user_client, **{"accept-language": "en"})
    assert "Your progress" in english and "Seu progresso" not in english


def test_an_import_shows_at_once(
    user_client, seed_deck, import_text, django_capture_on_commit_callbacks
):
    assert "Alpha" not in cached(user_client)
    with django_capture_on_commit_callbacks(execute=True):
        report = import_text({"content/pt-br/alpha.md": deck_text("alpha", "Alpha", "1", 3)})
    assert report.ok
    assert "Alpha" in cached(user_client)


def test_the_day_rollover_shows_at_once(user_client, user, seed_deck, monkeypatch):
    user_client.get(reverse("srs:study"))  # the learner's cards
    html = cached(user_client)
    due_now = html.split('<span class="stat-value">', 1)[1].split("<", 1)[0]
    now = timezone.now()
    # A card due tomorrow (a bulk update: no signal, no new data version).
    card = StudyCard.objects.filter(user=user).order_by("id").first()
    StudyCard.objects.filter(pk=card.pk).update(
        state="review",
        stability=3.0,
        difficulty=5.0,
        last_review=now,
        due=now + timedelta(hours=23),
    )
    assert cached(user_client) == html  # same data version, same day: still the cached page
    tomorrow = now + timedelta(days=1)
    monkeypatch.setattr(progress_views.timezone, "now", lambda: tomorrow)
    rolled = cached(user_client)
    assert rolled.split('<span class="stat-value">', 1)[1].split("<", 1)[0] == str(int(due_now) + 1)


def test_without_redis_every_view_builds_fresh_figures(
    user_client, user, seed_deck, django_capture_on_commit_callbacks
):
    """No REDIS_URL: the shared cache is a dummy, no version is kept, nothing is cached."""
    from django.conf import settings
    from django.test import override_settings

    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    with override_settings(CACHES={**settings.CACHES, settings.SHARED_CACHE: dummy}):
        html, built = view(user_client)
        again, queries = view(user_client)
        assert again == html and queries > CACHED_AT_MOST and built > CACHED_AT_MOST
        answer(user_client, user, django_capture_on_commit_callbacks)
        assert total_reviews(view(user_client)[0]) == 1


def test_an_instructor_view_is_kept_apart_from_the_students_own(
    user_client, user, instructor, seed_deck
):
    """Mock exams from before the snapshots get their forecast in the student's own view
    (and only it has the export links): an instructor's view first is not served to them."""
    from django.test import Client

    from tests.progress.conftest import make_mock

    make_mock(user, score=700, started_at=timezone.now() - timedelta(days=3))
    user_client.get(reverse("home"))  # the first request after login also saves the session
    instructor_client = Client()
    instructor_client.force_login(instructor)
    student_page = instructor_client.get(reverse("student_progress", args=[user.pk]))
    assert student_page.status_code == 200
    _html, queries = view(user_client)
    assert queries > CACHED_AT_MOST  # built here, where the old mock's forecast is rebuilt
    assert cached(user_client)


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_the_bodys_kept_translations_render_as_its_template_does(
    user_client, user, seed_deck, monkeypatch, django_capture_on_commit_callbacks, language
):
    """The body's literal {% translate %} outputs are kept per language (views._body_template):
    the figures are the ones the template compiled afresh renders, in either language (the
    kept outputs of one language never show in the other)."""
    from django.conf import settings
    from django.core.cache import caches
    from django.template import engines
    from django.template.loader import get_template

    from studyapp.progress import dashboard_cache

    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # both views at the same moment
    answer(user_client, user, django_capture_on_commit_callbacks)
    headers = {"accept-language": "en" if language == "pt-br" else "pt-br"}
    view(user_client, **headers)  # the other language's outputs are kept first
    headers = {"accept-language": language}
    kept, _queries = view(user_client, **headers)
    source = get_template("progress/_dashboard_body.html").template.source
    monkeypatch.setattr(
        progress_views, "_body_template", lambda: engines["django"].from_string(source)
    )
    caches[settings.SHARED_CACHE].clear()
    dashboard_cache.study_memo.clear()
    fresh, _queries = view(user_client, **headers)
    assert kept == fresh
    assert ("Seu progresso" in kept) is (language == "pt-br")
