"""The home page's cached figures: the exam plan (progress.selectors.exam_outlook, kept
under the learner's data and content versions, the study day and the exam date) and the
content's figures behind it. A repeat view reads them from the shared cache; an answer, an
undo, a quiz submit, a language switch, an import and the day rollover show fresh figures
at once."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from studyapp.accounts.models import Profile
from studyapp.progress import selectors
from studyapp.progress import views as progress_views
from studyapp.quizzes import services as quiz_services
from studyapp.srs.models import StudyCard
from tests.quizzes.conftest import deck_text

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def builds(monkeypatch):
    """How many times the home page built the learner's readiness (the plan's inputs)."""
    calls = []
    readiness_get = selectors.readiness_get

    def counted(**kwargs):
        calls.append(kwargs)
        return readiness_get(**kwargs)

    monkeypatch.setattr(selectors, "readiness_get", counted)
    return calls


@pytest.fixture
def planned(user, user_client, import_text, django_capture_on_commit_callbacks):
    """A learner with cards, questions a mock can draw and an exam in 20 days."""
    with django_capture_on_commit_callbacks(execute=True):
        report = import_text(
            {
                "content/pt-br/alpha.md": deck_text("alpha", "Alpha", "1", 8),
                "content/pt-br/beta.md": deck_text("beta", "Beta", "2", 8),
            }
        )
        assert report.ok
        Profile.objects.update_or_create(
            user=user, defaults={"exam_date": timezone.localdate() + timedelta(days=20)}
        )
    user_client.get(reverse("srs:study"))  # the study cards


def home(client, **headers) -> str:
    response = client.get(reverse("home"), headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def fresh(client, builds, **headers) -> str:
    """The page built now, after checking that a second view reads the plan from the cache."""
    before = len(builds)
    html = home(client, **headers)
    assert len(builds) == before + 1, "not rebuilt"
    assert home(client, **headers) == html and len(builds) == before + 1, "not cached"
    return html


def new_cards(html: str, deck: str) -> int:
    card = html[html.index(f'href="/decks/{deck}/"') :]
    return int(re.search(r"<strong>(\d+)</strong> novos?", card).group(1))


def answer(client, user, capture):
    card = StudyCard.objects.filter(user=user, item__deck__slug="alpha").order_by("id").first()
    data = {"rating": 3, "token": card.token, "scope": "", "duration_ms": 1200}
    with capture(execute=True):
        response = client.post(reverse("srs:answer", args=[card.pk]), data, headers=HTMX)
    assert response.status_code == 200


def test_an_answer_and_an_undo_show_at_once(
    user_client, user, planned, builds, django_capture_on_commit_callbacks
):
    html = fresh(user_client, builds)
    assert "No seu ritmo atual" in html
    new = new_cards(html, "alpha")
    answer(user_client, user, django_capture_on_commit_callbacks)
    assert new_cards(fresh(user_client, builds), "alpha") == new - 1
    with django_capture_on_commit_callbacks(execute=True):
        assert user_client.post(reverse("srs:undo"), headers=HTMX).status_code == 200
    assert new_cards(fresh(user_client, builds), "alpha") == new


def test_a_quiz_submit_shows_at_once(
    user_client, user, planned, builds, mini_profile, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        attempt = quiz_services.attempt_start_mock(user=user, profile=mini_profile, seed=4)
    fresh(user_client, builds)
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(f"/quiz/a/{attempt.pk}/submit/", {"confirm": "1"})
    assert response.status_code == 302
    fresh(user_client, builds)  # the quiz's answers: new tiers, a new plan


def test_a_language_switch_shows_at_once(user_client, planned, builds):
    """The kept plan is numbers (no language in its key): the page around them follows the
    language at once."""
    assert "No seu ritmo atual" in fresh(user_client, builds)
    english = home(user_client, **{"accept-language": "en"})
    assert "At your current pace" in english and "No seu ritmo atual" not in english


def test_an_import_shows_at_once(
    user_client, planned, builds, import_text, django_capture_on_commit_callbacks
):
    assert "Gamma" not in fresh(user_client, builds)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_text({"content/pt-br/gamma.md": deck_text("gamma", "Gamma", "3", 4)}).ok
    assert "Gamma" in fresh(user_client, builds)


def test_the_day_rollover_shows_at_once(user_client, planned, builds, monkeypatch):
    assert "faltam 20 dias" in fresh(user_client, builds)
    tomorrow = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(progress_views.timezone, "now", lambda: tomorrow)
    assert "faltam 19 dias" in fresh(user_client, builds)
