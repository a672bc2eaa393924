"""Study views: full page and htmx fragment, answers, bad input, settings, query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from studyapp.srs import selectors
from studyapp.srs.models import CardAction, ReviewLog, StudyCard
from studyapp.srs.services import cards_ensure

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def shown_card(user):
    """The card the page would show first (new cards in document order)."""
    return StudyCard.objects.filter(user=user).order_by("id").first()


def post_answer(client, card, rating=3, token=None, headers=None, scope="ecr"):
    data = {"rating": rating, "token": token or card.token, "scope": scope, "duration_ms": 1200}
    return client.post(reverse("srs:answer", args=[card.pk]), data, headers=headers or {})


def test_study_page_shows_the_first_card_with_keyboard_hints(user_client, user, seed_deck):
    response = user_client.get(reverse("srs:study_deck", args=["ecr"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Mostrar resposta" in html and "<kbd>" in html
    for label in ("De novo", "Difícil", "Bom", "Fácil"):
        assert label in html
    assert "&lt;10 min" in html  # Good on a new card: second learning step
    assert StudyCard.objects.filter(user=user).count() == 20


def test_htmx_get_returns_the_session_fragment(user_client, seed_deck):
    response = user_client.get(reverse("srs:study"), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="study-session"')


def test_reveal_without_javascript(user_client, user, seed_deck):
    user_client.get(reverse("srs:study"))
    card = shown_card(user)
    response = user_client.get(reverse("srs:study"), {"card": card.pk, "reveal": "1"})
    html = response.content.decode()
    assert 'id="card-back" hidden' not in html
    assert 'id="card-back"' in html


def test_answer_with_htmx_swaps_in_the_next_card(user_client, user, seed_deck):
    user_client.get(reverse("srs:study"))
    card = shown_card(user)
    response = post_answer(user_client, card, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'data-card="{card.pk}"' not in html
    assert "Desfazer" in html
    log = ReviewLog.objects.get(card=card)
    assert (log.rating, log.duration_ms) == (3, 1200)


def test_answer_without_htmx_redirects_to_the_session(user_client, user, seed_deck):
    user_client.get(reverse("srs:study"))
    response = post_answer(user_client, shown_card(user))
    assert response.status_code == 302
    assert response["Location"] == reverse("srs:study_deck", args=["ecr"])


@pytest.mark.parametrize("rating", [0, 5, "x", ""])
def test_rating_outside_1_to_4_is_400(user_client, user, seed_deck, rating):
    user_client.get(reverse("srs:study"))
    response = post_answer(user_client, shown_card(user), rating=rating)
    assert response.status_code == 400
    assert (
        "1 (De novo) a 4 (Fácil)" in response.content.decode()
        or "1 a 4" in response.content.decode()
    )
    assert not ReviewLog.objects.exists()


def test_used_token_is_400_and_records_one_review(user_client, user, seed_deck):
    user_client.get(reverse("srs:study"))
    card = shown_card(user)
    token = card.token
    assert post_answer(user_client, card, token=token, headers=HTMX).status_code == 200
    response = post_answer(user_client, card, token=token, headers=HTMX)
    assert response.status_code == 400
    assert "já foi respondido" in response.content.decode()
    assert ReviewLog.objects.filter(card=card).count() == 1


def test_another_users_card_is_404(client, other_user, user, seed_deck):
    cards_ensure(user=user)
    client.force_login(other_user)
    card = shown_card(user)
    assert post_answer(client, card).status_code == 404
    assert not ReviewLog.objects.exists()


def test_retired_card_is_400(user_client, user, seed_deck):
    user_client.get(reverse("srs:study"))
    card = shown_card(user)
    card.item.retired_at = timezone.now()
    card.item.save()
    response = post_answer(user_client, card)
    assert response.status_code == 400
    assert "não está disponível" in response.content.decode()


def test_undo_brings_the_card_back(user_client, user, seed_deck):
    user_client.get(reverse("srs:study"))
    card = shown_card(user)
    post_answer(user_client, card, headers=HTMX)
    response = user_client.post(reverse("srs:undo"), {"scope": "ecr"}, headers=HTMX)
    assert response.status_code == 200
    assert f'data-card="{card.pk}"' in response.content.decode()
    assert not ReviewLog.objects.exists()
    card.refresh_from_db()
    assert card.state == "new" and card.reps == 0


def test_undo_without_javascript_redirects_to_the_card(user_client, user, seed_deck):
    user_client.get(reverse("srs:study"))
    card = shown_card(user)
    post_answer(user_client, card)
    response = user_client.post(reverse("srs:undo"), {"scope": "ecr"})
    assert response.status_code == 302
    assert f"card={card.pk}" in response["Location"]


def test_undo_with_nothing_to_undo_is_400(user_client, seed_deck):
    assert user_client.post(reverse("srs:undo")).status_code == 400


def test_undo_after_bury_with_htmx_shows_the_card_again(user_client, user, seed_deck):
    user_client.get(reverse("srs:study"))
    card = shown_card(user)
    response = user_client.post(
        reverse("srs:bury", args=[card.pk]), {"token": card.token, "scope": "ecr"}, headers=HTMX
    )
    html = response.content.decode()
    assert f'data-card="{card.pk}"' not in html
    assert "data-undo" in html  # the bury can be undone
    response = user_client.post(reverse("srs:undo"), {"scope": "ecr"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'data-card="{card.pk}"' in html
    assert "não está mais escondido" in html
    card.refresh_from_db()
    assert card.buried_until is None
    assert not CardAction.objects.exists() and not ReviewLog.objects.exists()


def test_undo_after_suspend_without_javascript_redirects_to_the_card(user_client, user, seed_deck):
    user_client.get(reverse("srs:study"))
    card = shown_card(user)
    user_client.post(reverse("srs:suspend", args=[card.pk]), {"token": card.token, "scope": ""})
    assert "data-undo" in user_client.get(reverse("srs:study")).content.decode()
    response = user_client.post(reverse("srs:undo"), {"scope": ""})
    assert response.status_code == 302
    assert response["Location"] == reverse("srs:study") + f"?card={card.pk}&undone=suspend"
    card.refresh_from_db()
    assert not card.suspended
    html = user_client.get(response["Location"]).content.decode()
    assert f'data-card="{card.pk}"' in html
    assert "não está mais suspenso" in html and "desfeito" in html  # names the card it undid


def test_undo_never_reverts_another_users_bury(client, user, other_user, seed_deck):
    cards_ensure(user=user)
    card = shown_card(user)
    client.force_login(user)
    client.post(reverse("srs:bury", args=[card.pk]), {"token": card.token})
    client.force_login(other_user)
    response = client.post(reverse("srs:undo"))
    assert response.status_code == 400
    assert "Não há resposta para desfazer" in response.content.decode()
    card.refresh_from_db()
    assert card.buried_until is not None


def test_has_undo_reads_both_tables_in_one_query(user, seed_deck, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert selectors.has_undo(user=user) is False
    cards_ensure(user=user)
    card = shown_card(user)
    CardAction.objects.create(user=user, card=card, kind="bury", suspended_before=False)
    with django_assert_num_queries(1):
        assert selectors.has_undo(user=user) is True


def test_the_study_page_offers_undo_only_when_there_is_something_to_undo(
    user_client, user, seed_deck
):
    """The study page asks it with its counts (one query): nothing, an answer, undone."""
    assert "data-undo" not in user_client.get(reverse("srs:study")).content.decode()
    card = shown_card(user)
    user_client.post(reverse("srs:answer", args=[card.pk]), {"rating": 3, "token": card.token})
    assert "data-undo" in user_client.get(reverse("srs:study")).content.decode()
    user_client.post(reverse("srs:undo"), {"scope": ""})
    assert "data-undo" not in user_client.get(reverse("srs:study")).content.decode()


def test_leech_tells_the_user(user_client, user, seed_deck):
    user_client.get(reverse("srs:study"))
    card = shown_card(user)
    now = timezone.now()
    StudyCard.objects.filter(pk=card.pk).update(
        state="review",
        stability=3.0,
        difficulty=8.0,
        lapses=7,
        reps=20,
        due=now - timedelta(minutes=1),
        last_review=now - timedelta(days=3),
    )
    card.refresh_from_db()
    response = post_answer(user_client, card, rating=1, headers=HTMX)
    assert "sanguessuga" in response.content.decode()
    card.refresh_from_db()
    assert card.suspended


def test_suspend_and_bury_from_the_page(user_client, user, seed_deck):
    user_client.get(reverse("srs:study"))
    first = shown_card(user)
    response = user_client.post(
        reverse("srs:suspend", args=[first.pk]), {"token": first.token, "scope": ""}, headers=HTMX
    )
    assert response.status_code == 200 and "Cartão suspenso" in response.content.decode()
    second = StudyCard.objects.filter(user=user, suspended=False).order_by("id").first()
    response = user_client.post(reverse("srs:bury", args=[second.pk]), {"token": second.token})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.buried_until > timezone.now()
    settings_page = user_client.get(reverse("srs:settings")).content.decode()
    assert "Reativar" in settings_page
    user_client.post(reverse("srs:unsuspend", args=[first.pk]))
    first.refresh_from_db()
    assert not first.suspended


def test_nothing_due_shows_next_due_and_links(user_client, user, seed_deck):
    cards_ensure(user=user)
    StudyCard.objects.filter(user=user).update(
        state="review",
        stability=5.0,
        difficulty=5.0,
        due=timezone.now() + timedelta(days=2),
        last_review=timezone.now(),
    )
    html = user_client.get(reverse("srs:study")).content.decode()
    assert "Nada para estudar agora" in html
    assert "O próximo cartão vence em" in html
    assert reverse("quizzes:index") in html
    assert "?ahead=1" in html
    ahead = user_client.get(reverse("srs:study") + "?ahead=1").content.decode()
    assert "data-card=" in ahead


def test_unknown_deck_is_404(user_client, seed_deck):
    assert user_client.get(reverse("srs:study_deck", args=["nope"])).status_code == 404


def test_study_requires_login(client, seed_deck):
    assert client.get(reverse("srs:study")).status_code == 302


def test_settings_page_saves_and_validates(user_client, user, seed_deck):
    data = {
        "new_per_day": 5,
        "reviews_per_day": 50,
        "desired_retention": "0.85",
        "maximum_interval": 365,
        "timezone": "Asia/Tokyo",
        "decks": [seed_deck.pk],
    }
    response = user_client.post(reverse("srs:settings"), data)
    assert response.status_code == 302
    settings = user.study_settings
    settings.refresh_from_db()
    assert (settings.new_per_day, settings.desired_retention, settings.timezone) == (
        5,
        0.85,
        "Asia/Tokyo",
    )
    assert list(settings.decks.all()) == [seed_deck]
    bad = user_client.post(reverse("srs:settings"), {**data, "desired_retention": "0.99"})
    assert bad.status_code == 400
    bad = user_client.post(reverse("srs:settings"), {**data, "timezone": "Mars/Olympus"})
    assert bad.status_code == 400


def test_english_user_sees_the_translation_progress_stays_on_source(client, user, all_content):
    client.force_login(user)
    response = client.get(
        reverse("srs:study_deck", args=["ecr"]), headers={"Accept-Language": "en"}
    )
    html = response.content.decode()
    assert "Managed Docker image registry" in html or "Key concepts" in html
    card = shown_card(user)
    assert card.item.deck.language == "pt-BR"


def test_answer_runs_a_fixed_number_of_queries(
    user_client, user, seed_deck, django_assert_num_queries
):
    """Pinned with 10,000 review logs present: the count does not grow with history."""
    user_client.get(reverse("srs:study"))
    cards = list(StudyCard.objects.filter(user=user).order_by("id"))
    long_ago = timezone.now() - timedelta(days=400)
    ReviewLog.objects.bulk_create(
        [
            ReviewLog(
                user=user,
                card=cards[i % 20],
                rating=3,
                reviewed_at=long_ago + timedelta(minutes=i),
                state_before="review",
                state_after="review",
                due_before=long_ago,
                due_after=long_ago,
            )
            for i in range(10_000)
        ],
        batch_size=2000,
    )
    # Some history of every kind: reviews due, learning due, new.
    now = timezone.now()
    StudyCard.objects.filter(pk__in=[c.pk for c in cards[10:15]]).update(
        state="review",
        stability=10.0,
        difficulty=5.0,
        due=now - timedelta(hours=1),
        last_review=now - timedelta(days=10),
        reps=10,
    )
    # session, user, settings (with the chosen decks, deck limits and the role: the
    # instructors' "Editar" link); savepoint, card (locked), log insert, card update,
    # release; today's counts, the queue's and the next card (one query; what it shows:
    # from the shared cache, filled for the whole deck by the study page); plus the day's
    # progress roll-up: the day's first answer inserts its row (update, savepoint, insert,
    # release), later answers update it (1 query).
    # PostgreSQL also takes the learner's write lock before the card's (srs._learner_lock).
    lock = connection.vendor == "postgresql"
    card = StudyCard.objects.get(pk=cards[0].pk)
    with django_assert_num_queries(14 + lock):
        response = post_answer(user_client, card, headers=HTMX)
    assert response.status_code == 200
    card = StudyCard.objects.get(pk=cards[1].pk)
    with django_assert_num_queries(11 + lock):
        response = post_answer(user_client, card, headers=HTMX)
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["srs:answer", "srs:bury", "srs:suspend", "srs:unsuspend"])
def test_a_card_id_beyond_the_databases_integers_is_404(user_client, seed_deck, name):
    data = {"rating": 3, "token": "x", "scope": ""}
    assert user_client.post(reverse(name, args=[2**63]), data).status_code == 404


@pytest.mark.parametrize("prefix", ["/", "/app/"])
def test_the_session_urls_kept_per_process_equal_reverse(prefix):
    """partials.url and partials.url_with_id (kept per URL map and script prefix), as the
    session calls them, give what reverse() gives, for any card id and deck slug, under any
    script prefix."""
    from django.urls import get_script_prefix, set_script_prefix

    from studyapp import partials

    before = get_script_prefix()
    set_script_prefix(prefix)
    try:
        for card_id in (1, 7, 98, 9_876_543_210, 2**62):
            for name in ("srs:answer", "srs:bury", "srs:suspend"):
                assert partials.url_with_id(name, card_id) == reverse(name, args=[card_id])
        for slug in ("aaa", "iam-basico", "b2"):
            assert partials.url("srs:study_deck", slug) == reverse("srs:study_deck", args=[slug])
            assert partials.url("srs:deck_options", slug) == reverse(
                "srs:deck_options", args=[slug]
            )
        for name in ("srs:undo", "srs:study"):
            assert partials.url(name) == reverse(name)
        assert partials.url("srs:study").startswith(prefix)
    finally:
        set_script_prefix(before)


def test_the_answers_scope_is_read_from_the_answer_form_as_a_scope_form_would(
    user_client, user, seed_deck
):
    """An invalid answer still continues in the posted scope; an invalid scope (itself part
    of the answer: refused) falls back to every deck, whatever the rest of the form holds."""
    cards_ensure(user=user)
    card = shown_card(user)
    bad_rating = post_answer(user_client, card, rating=9, headers=HTMX)
    assert bad_rating.status_code == 400
    assert 'name="scope" value="ecr"' in bad_rating.content.decode()
    bad_scope = post_answer(user_client, card, rating=9, scope="not a slug!", headers=HTMX)
    assert bad_scope.status_code == 400
    assert 'name="scope" value=""' in bad_scope.content.decode()
    refused = post_answer(user_client, card, scope="not a slug!", headers=HTMX)  # part of it
    assert refused.status_code == 400
    assert 'name="scope" value=""' in refused.content.decode()
    assert StudyCard.objects.get(pk=card.pk).reps == card.reps
    answered = post_answer(user_client, card, headers=HTMX)
    assert answered.status_code == 200
    assert 'name="scope" value="ecr"' in answered.content.decode()
