"""Counters (learning cards within the learn-ahead window), daily limits per deck within
the overall ones, the deck options form, and an empty state that says why it is empty."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from studyapp.content.models import Deck
from studyapp.srs import selectors, services
from studyapp.srs.models import DeckLimits, StudyCard
from tests.srs.conftest import concept_deck_text

from .test_services import answer, make_review_card

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def two_decks(import_text, user, now):
    """Decks "aaa" (6 cards) and "bbb" (6 cards), all new for the user."""
    report = import_text(
        {
            "content/pt-br/aaa.md": concept_deck_text("Alfa", "a", 6),
            "content/pt-br/bbb.md": concept_deck_text("Beta", "b", 6),
        }
    )
    assert report.ok, report.errors
    services.cards_ensure(user=user, now=now)
    return {deck.slug: deck for deck in Deck.objects.sources()}


def state(user, settings, now, deck=None):
    scope = selectors.Scope(deck=deck)
    day = selectors.day_counts(user=user, settings=settings, now=now)
    counts = selectors.queue_counts(user=user, scope=scope, now=now, day=day)
    card = selectors.next_card(user=user, scope=scope, now=now, day=day)
    return day, counts, card


def study_new(user, settings, now, deck, n):
    for _ in range(n):
        _day, _counts, card = state(user, settings, now, deck)
        answer(user, card, 4, now)  # Easy: straight to review, out of today's queue


def test_learning_counter_includes_steps_due_within_learn_ahead(user, cards, settings_, now):
    answer(user, cards[0], 1, now)  # Again: the next step is due in 1 minute
    _day, counts, _card = state(user, settings_, now)
    assert counts.learning == 1
    later = now + timedelta(minutes=30)
    assert (
        selectors.queue_counts(
            user=user, scope=selectors.Scope(), now=now - timedelta(minutes=25), day=_day
        ).learning
        == 0
    )
    assert state(user, settings_, later)[1].learning == 1


def test_counters_update_after_every_answer_htmx_and_no_js(user_client, user, seed_deck):
    user_client.get(reverse("srs:study_deck", args=["ecr"]))
    card = StudyCard.objects.filter(user=user).order_by("id").first()
    data = {"rating": 1, "token": card.token, "scope": "ecr"}
    html = user_client.post(
        reverse("srs:answer", args=[card.pk]), data, headers=HTMX
    ).content.decode()
    assert "1 aprendendo" in html and "19 novos" in html
    card = StudyCard.objects.filter(user=user, state="new").order_by("id").first()
    data = {"rating": 1, "token": card.token, "scope": "ecr"}
    response = user_client.post(reverse("srs:answer", args=[card.pk]), data)
    html = user_client.get(response["Location"]).content.decode()
    assert "2 aprendendo" in html and "18 novos" in html


def test_deck_new_limit_works_within_the_overall_one(user, two_decks, settings_, now):
    alfa, beta = two_decks["aaa"], two_decks["bbb"]
    services.deck_limits_update(settings=settings_, deck=alfa, new_per_day=2, reviews_per_day=None)
    settings_.new_per_day = 5
    settings_.save()
    _day, counts, _card = state(user, settings_, now, alfa)
    assert counts.new == 2 and counts.new_waiting == 6
    study_new(user, settings_, now, alfa, 2)
    day, counts, card = state(user, settings_, now, alfa)
    assert card is None and counts.new == 0 and counts.new_held == 4
    # All decks: Alfa is closed for new cards, Beta still gives 3 (overall 5 − 2).
    day, counts, card = state(user, settings_, now)
    assert card.item.deck == beta and counts.new == 3
    study_new(user, settings_, now, None, 3)
    assert state(user, settings_, now)[2] is None
    # A deck limit above the overall never lets more through.
    services.deck_limits_update(settings=settings_, deck=beta, new_per_day=50, reviews_per_day=None)
    assert state(user, settings_, now, beta)[2] is None


def test_deck_review_limit(user, two_decks, settings_, now):
    alfa = two_decks["aaa"]
    for card in StudyCard.objects.filter(user=user, item__deck=alfa):
        make_review_card(card, now - timedelta(hours=2))
    services.deck_limits_update(settings=settings_, deck=alfa, new_per_day=None, reviews_per_day=1)
    _day, counts, card = state(user, settings_, now, alfa)
    assert counts.review == 1 and counts.review_due == 6 and card.state == "review"
    answer(user, card, 3, now)
    day, counts, card = state(user, settings_, now, alfa)
    assert card is None and counts.reviews_held == 5
    empty = selectors.empty_state(
        user=user,
        settings=settings_,
        scope=selectors.Scope(deck=alfa),
        now=now,
        day=day,
        counts=counts,
    )
    assert empty.reviews_deck_limit and (empty.reviews_done, empty.reviews_limit) == (1, 1)


def test_empty_state_after_the_shared_new_limit_says_limit_not_due_in_one_hour(
    user_client, user, two_decks, settings_, monkeypatch
):
    """The issue's case: after the day's new cards in one deck, the other deck's page said
    "o próximo cartão vence em 1 hora" though only the shared limit resets at 04:00."""
    settings_.new_per_day = 3
    settings_.save()
    # 03:00 in São Paulo: the study day rolls over in an hour.
    now = datetime(2025, 3, 13, 6, 0, tzinfo=UTC)
    study_new(user, settings_, now, two_decks["aaa"], 3)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    html = user_client.get(reverse("srs:study_deck", args=["bbb"])).content.decode()
    assert "Limite de hoje atingido" in html
    assert "6 cartões novos esperam: você já estudou 3 novos hoje, somando todos os decks" in html
    assert "limite geral: 3" in html
    assert "Os limites diários recomeçam em 1 hora (às 04:00" in html
    assert "O próximo cartão vence" not in html
    assert 'data-empty="limit"' in html
    assert reverse("srs:settings") in html


def test_empty_state_when_nothing_is_due_says_when_the_next_card_is(user_client, user, seed_deck):
    user_client.get(reverse("srs:study"))
    StudyCard.objects.filter(user=user).update(
        state="review", stability=10, difficulty=5, due=timezone.now() + timedelta(days=3)
    )
    html = user_client.get(reverse("srs:study")).content.decode()
    assert 'data-empty="later"' in html and "Nada para estudar agora" in html
    assert "O próximo cartão vence em 3 dias" in html
    assert "Limite de hoje" not in html


def test_deck_options_form_saves_and_clears(user_client, user, two_decks):
    url = reverse("srs:deck_options", args=["aaa"])
    assert user_client.get(url).status_code == 200
    response = user_client.post(url, {"new_per_day": "4", "reviews_per_day": ""})
    assert response.status_code == 302
    limits = DeckLimits.objects.get(settings__user=user, deck=two_decks["aaa"])
    assert (limits.new_per_day, limits.reviews_per_day) == (4, None)
    html = user_client.get(reverse("srs:settings")).content.decode()
    assert "Limites por deck" in html and url in html
    response = user_client.post(url, {"new_per_day": "", "reviews_per_day": "", "next": "study"})
    assert response["Location"] == reverse("srs:study_deck", args=["aaa"])
    assert not DeckLimits.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"new_per_day": "-1", "reviews_per_day": ""},
        {"new_per_day": "10000", "reviews_per_day": ""},
        {"new_per_day": "x", "reviews_per_day": "1"},
        {"new_per_day": "1", "reviews_per_day": "99999999999999999999999"},
    ],
)
def test_bad_deck_limits_are_400_and_change_nothing(user_client, two_decks, data):
    response = user_client.post(reverse("srs:deck_options", args=["aaa"]), data)
    assert response.status_code == 400
    assert "nada foi salvo" in response.content.decode()
    assert not DeckLimits.objects.exists()


def test_deck_options_unknown_deck_404_and_login_required(user_client, client, two_decks):
    assert user_client.get(reverse("srs:deck_options", args=["nope"])).status_code == 404
    client.logout()
    response = client.get(reverse("srs:deck_options", args=["aaa"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_deck_limits_are_per_learner(user, other_user, two_decks, now):
    mine = services.study_settings_get(user=user)
    theirs = services.study_settings_get(user=other_user)
    services.deck_limits_update(
        settings=mine, deck=two_decks["aaa"], new_per_day=0, reviews_per_day=0
    )
    services.cards_ensure(user=other_user, now=now)
    assert state(other_user, theirs, now, two_decks["aaa"])[1].new == 6
    assert state(user, mine, now, two_decks["aaa"])[1].new == 0
