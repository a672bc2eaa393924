"""A NUL character in a search box or a chosen slug (PostgreSQL's text cannot hold one)."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/", {"q": "al\x00pha"}),
        ("/quiz/", {"deck_q": "al\x00pha", "decks": "al\x00pha", "topics": "\x00"}),
    ],
)
def test_a_nul_character_in_a_search_or_a_chosen_slug_is_not_a_500(
    user_client, seed_deck, path, params
):
    """PostgreSQL's text cannot hold NUL: the searches drop it, chosen slugs with one are
    ignored (found by the fuzzer on PostgreSQL)."""
    assert user_client.get(path, params).status_code == 200
