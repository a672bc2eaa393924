"""Home with hundreds of decks: a page at a time (by title) and a search; work O(page)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studyapp.content.selectors import DECKS_PER_PAGE

pytestmark = pytest.mark.django_db
CARD = '<li class="card'  # one per deck of the page

DECK = """---
deck: {slug}
---
# {title}

## Conceitos
- Um conceito de {title}.

## Perguntas
### Q: Pergunta de {title}?
- ✅ Certa
- ❌ Errada
"""
TRANSLATION = """---
translation-of: {slug}
---
# {title}

## Concepts
- A concept of {title}.

## Questions
### Q: Question of {title}?
- ✅ Right
- ❌ Wrong
"""


@pytest.fixture
def many_decks(import_text):
    files = {
        f"content/pt-br/d{n:03d}.md": DECK.format(slug=f"d{n:03d}", title=f"Deck {n:03d}")
        for n in range(DECKS_PER_PAGE * 2 + 3)
    }
    files["content/en/d007.md"] = TRANSLATION.format(slug="d007", title="Lambda layers")
    assert import_text(files).ok


def test_home_shows_one_page_of_decks_by_title_with_a_pager(client, many_decks):
    response = client.get("/")
    page = response.content.decode()
    assert page.count(CARD) == DECKS_PER_PAGE
    assert "Deck 000" in page and f"Deck {DECKS_PER_PAGE:03d}" not in page
    assert "page=2" in page and 'name="q"' in page
    last = client.get("/?page=3").content.decode()
    assert last.count(CARD) == 3 and f"Deck {DECKS_PER_PAGE * 2 + 2:03d}" in last
    assert client.get("/?page=99").status_code == 200  # out of range: the last page
    assert client.get("/?page=x").status_code == 200


def test_home_searches_titles_slugs_and_translated_titles(client, many_decks):
    page = client.get("/", {"q": "deck 01"}).content.decode()
    assert page.count(CARD) == 10 and "Deck 019" in page and "Deck 020" not in page
    assert client.get("/", {"q": "d022"}).content.decode().count(CARD) == 1
    # A translation's title finds its source deck (shown in the reader's language).
    english = client.get("/", {"q": "lambda"}, headers={"accept-language": "en"})
    assert english.content.decode().count(CARD) == 1
    missing = client.get("/", {"q": "<nada>"}).content.decode()
    assert CARD not in missing and "&lt;nada&gt;" in missing


def test_home_query_count_does_not_grow_with_the_decks(client, import_text, many_decks):
    with CaptureQueriesContext(connection) as before:
        client.get("/")
    more = {
        f"content/pt-br/e{n:03d}.md": DECK.format(slug=f"e{n:03d}", title=f"Extra {n:03d}")
        for n in range(30)
    }
    assert import_text(more).ok
    with CaptureQueriesContext(connection) as after:
        response = client.get("/")
    assert len(after) == len(before)
    assert response.content.decode().count(CARD) == DECKS_PER_PAGE


def test_a_few_decks_need_no_search_box(client, import_text):
    assert import_text({"content/pt-br/a.md": DECK.format(slug="a", title="Alfa")}).ok
    page = client.get("/").content.decode()
    assert 'name="q"' not in page and "Alfa" in page and "page=2" not in page
