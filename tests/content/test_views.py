from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_lists_decks_with_counts(client, seed_deck, django_assert_num_queries):
    # the page's size (count), its decks with counts, topics, translations
    with django_assert_num_queries(4):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert seed_deck.title in html
    assert "15 cartões de conceito" in html and "5 perguntas" in html


def test_home_query_count_does_not_grow_with_decks(client, all_content, django_assert_num_queries):
    with django_assert_num_queries(4):
        assert client.get("/").status_code == 200


def test_deck_page_shows_cards_questions_answers_and_references(
    client, seed_deck, django_assert_num_queries
):
    with django_assert_num_queries(8):
        response = client.get(reverse("deck_detail", args=["ecr"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Integração com" in html and "Controle acesso com políticas IAM" in html
    assert 'href="https://docs.aws.amazon.com/ecr/latest/userguide/what-is-ecr.html"' in html
    assert "<h2" in html and "🔐 Segurança" in html


def test_deck_page_body_is_rendered_once_per_import(client, seed_deck, django_assert_num_queries):
    """The deck body is cached by the deck's updated_at: later views run 3 queries (deck,
    topics, translations) and show the same page; a re-import shows the new text."""
    url = reverse("deck_detail", args=["ecr"])

    def article():
        html = client.get(url).content.decode()
        return html[html.index("<article") : html.index("</article>")]

    first = article()
    with django_assert_num_queries(3):
        assert article() == first
    seed_deck.items.filter(kind="concept").update(text_html="<p>Texto novo</p>")
    assert "Texto novo" not in client.get(url).content.decode()
    seed_deck.save()  # what every import does
    assert "Texto novo" in client.get(url).content.decode()


def test_unknown_deck_is_404(client, seed_deck):
    assert client.get("/decks/nao-existe/").status_code == 404


def test_english_reader_sees_the_translation_where_it_exists(client, all_content):
    client.cookies["django_language"] = "en"
    html = client.get("/decks/ecr/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Key concepts" in html or "Key Concepts" in html


def test_healthz_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_healthz_503_when_the_database_is_down(client):
    with mock.patch("studyapp.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503


def test_database_down_on_a_page_gives_a_503_page_without_traceback(client, seed_deck):
    with mock.patch(
        "studyapp.content.selectors.deck_list", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/")
    assert response.status_code == 503
    assert b"Traceback" not in response.content
    assert "indisponível".encode() in response.content
