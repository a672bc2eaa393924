"""The home page (issue 14): each deck's due and new cards for a signed-in learner, read in
one query whatever the number of decks (srs.selectors.deck_counts), and the "start here"
path (study → practice → mock) until the learner has done all three."""

from datetime import timedelta

import pytest
from django.utils import timezone

from studyapp.content.models import Deck
from studyapp.quizzes import services as quiz_services
from studyapp.srs import selectors, services
from studyapp.srs.models import Rating, State, StudyCard

pytestmark = pytest.mark.django_db


def test_deck_counts_in_one_query(user, all_content, django_assert_num_queries):
    decks = list(Deck.objects.sources())
    now = timezone.now()
    with django_assert_num_queries(1):
        counts = selectors.deck_counts(user=user, deck_ids=[d.pk for d in decks], now=now)
    assert set(counts) == {d.pk for d in decks}
    ecr = Deck.objects.sources().get(slug="ecr")
    # No card yet (the study page creates them): every studiable item counts as new.
    assert counts[ecr.pk] == selectors.DeckCounts(due=0, new=20)


def test_deck_counts_follow_the_cards(user, seed_deck):
    now = timezone.now()
    services.cards_ensure(user=user, now=now)
    cards = list(StudyCard.objects.filter(user=user).order_by("id"))
    services.review_record(
        user=user, card_id=cards[0].pk, token=cards[0].token, rating=Rating.GOOD, now=now
    )
    StudyCard.objects.filter(pk=cards[1].pk).update(state=State.REVIEW, due=now - timedelta(days=1))
    StudyCard.objects.filter(pk=cards[2].pk).update(state=State.REVIEW, due=now + timedelta(days=3))
    StudyCard.objects.filter(pk=cards[3].pk).update(suspended=True)
    StudyCard.objects.filter(pk=cards[4].pk).update(buried_until=now + timedelta(hours=5))
    later = now + timedelta(minutes=30)  # the first card's learning step is due again
    counts = selectors.deck_counts(user=user, deck_ids=[seed_deck.pk], now=later)
    assert counts[seed_deck.pk] == selectors.DeckCounts(due=2, new=15)


def test_deck_counts_are_private_and_empty_for_visitors(user, other_user, seed_deck):
    from django.contrib.auth.models import AnonymousUser

    now = timezone.now()
    services.cards_ensure(user=other_user, now=now)
    StudyCard.objects.filter(user=other_user).update(state=State.REVIEW, due=now)
    counts = selectors.deck_counts(user=user, deck_ids=[seed_deck.pk], now=now)
    assert counts[seed_deck.pk] == selectors.DeckCounts(due=0, new=20)
    assert selectors.deck_counts(user=AnonymousUser(), deck_ids=[seed_deck.pk], now=now) == {}


def test_home_shows_counts_and_the_start_path(
    user_client, user, all_content, django_assert_max_num_queries
):
    user_client.get("/")
    # session, user, profile, the page's size (count), decks, topics, translations, counts
    # (the page's decks), attempt kinds, has studied, default profile, instructor role
    with django_assert_max_num_queries(12):
        html = user_client.get("/").content.decode()
    assert "Comece por aqui" in html and "<strong>20</strong> novos" in html
    assert "<strong>0</strong> para revisar" in html
    assert 'href="/quiz/mock/dva-c02/"' in html and 'href="/quiz/?deck=ecr"' in html
    # After studying, practising and a mock exam the path goes away.
    services.cards_ensure(user=user)
    card = StudyCard.objects.filter(user=user).first()
    services.review_record(user=user, card_id=card.pk, token=card.token, rating=Rating.GOOD)
    assert "✓" in user_client.get("/").content.decode()
    quiz_services.attempt_start_practice(user=user, count=5)
    profile = quiz_services.ExamProfile.objects.get(slug="dva-c02")
    quiz_services.attempt_start_mock(user=user, profile=profile)
    assert "Comece por aqui" not in user_client.get("/").content.decode()


def test_visitors_see_the_path_without_counts(client, seed_deck):
    html = client.get("/").content.decode()
    assert "Comece por aqui" in html and "para revisar" not in html
