"""The quiz index with hundreds of decks: the practice form lists some, a search finds the
others, any deck can still be chosen, and the page's query count does not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studyapp.quizzes.forms import DECKS_SHOWN, TOPICS_SHOWN
from studyapp.quizzes.models import Attempt

pytestmark = pytest.mark.django_db

DECK = """---
deck: {slug}
---
# {title}

## Perguntas
""" + "".join(
    f"""### Q: Pergunta {n} de {{title}}?
- ✅ Certa {n}
- ❌ Errada {n}

"""
    for n in range(5)
)


def decks(first: int, count: int) -> dict[str, str]:
    return {
        f"content/pt-br/q{n:03d}.md": DECK.format(slug=f"q{n:03d}", title=f"Tema {n:03d}")
        for n in range(first, first + count)
    }


@pytest.fixture
def many_decks(import_text):
    assert import_text(decks(0, DECKS_SHOWN + 10)).ok


def test_the_form_lists_some_decks_and_says_how_many_there_are(client, user, many_decks):
    client.force_login(user)
    page = client.get("/quiz/").content.decode()
    assert page.count('name="decks"') == DECKS_SHOWN
    assert f"Mostrando {DECKS_SHOWN} decks" in page and 'name="deck_q"' in page
    late = f"{DECKS_SHOWN + 5:03d}"
    found = client.get("/quiz/", {"deck_q": f"tema {late}"}).content.decode()
    assert found.count('name="decks"') == 1 and f'value="q{late}"' in found


def test_a_deck_beyond_the_list_can_be_preselected_and_chosen(client, user, many_decks):
    client.force_login(user)
    late = f"q{DECKS_SHOWN + 8:03d}"
    page = client.get("/quiz/", {"deck": late}).content.decode()
    assert f'value="{late}"' in page and page.count('name="decks"') == DECKS_SHOWN + 1
    response = client.post("/quiz/practice/", {"decks": [late], "count": 5})
    assert response.status_code == 302
    attempt = Attempt.objects.get(user=user)
    assert attempt.questions.count() == 5


def test_the_index_query_count_does_not_grow_with_the_decks(client, user, import_text):
    client.force_login(user)
    assert import_text(decks(0, DECKS_SHOWN + 1)).ok
    client.get("/quiz/")  # a first visit may set things up
    with CaptureQueriesContext(connection) as before:
        client.get("/quiz/")
    assert import_text(decks(DECKS_SHOWN + 1, 40)).ok
    with CaptureQueriesContext(connection) as after:
        page = client.get("/quiz/").content.decode()
    assert len(after) == len(before)
    assert page.count('name="decks"') == DECKS_SHOWN


def test_the_form_lists_some_topics_and_the_search_finds_the_others(client, user, many_decks):
    # Each deck without a ``topics:`` line has a topic named after it: as many as decks.
    client.force_login(user)
    page = client.get("/quiz/").content.decode()
    assert page.count('name="topics"') == TOPICS_SHOWN
    assert f"Mostrando {TOPICS_SHOWN} tópicos" in page and "Buscar decks e tópicos" in page
    late = f"q{TOPICS_SHOWN + 5:03d}"
    found = client.get("/quiz/", {"deck_q": late}).content.decode()
    assert found.count('name="topics"') == 1 and f'name="topics" value="{late}"' in found
    assert "Mostrando" not in found


def test_a_topic_beyond_the_list_can_be_chosen(client, user, many_decks):
    client.force_login(user)
    late = f"q{TOPICS_SHOWN + 8:03d}"
    response = client.post("/quiz/practice/", {"topics": [late], "count": 5})
    assert response.status_code == 302
    attempt = Attempt.objects.get(user=user)
    assert set(attempt.questions.values_list("item__deck__slug", flat=True)) == {late}
    # A form sent back with errors keeps the chosen topic among those listed.
    page = client.post("/quiz/practice/", {"topics": [late], "count": 500}).content.decode()
    assert f'name="topics" value="{late}"' in page and "checked" in page.split(late)[1][:40]


def test_a_few_topics_are_all_listed_whatever_the_search(client, user, import_text):
    assert import_text(decks(0, 3)).ok
    client.force_login(user)
    page = client.get("/quiz/", {"deck_q": "tema 001"}).content.decode()
    assert page.count('name="decks"') == 1 and page.count('name="topics"') == 3
    assert "Buscar decks</label>" in page


@pytest.mark.parametrize(
    "data",
    [
        None,  # the page as first shown
        {"decks": ["q001", "q020"], "topics": ["tema-001"], "count": "500"},  # errors
        {"decks": ["nope"], "count": "5"},  # an unknown deck: the decks field's error
    ],
)
def test_the_checkbox_lists_are_djangos_markup(import_text, data):
    from django.http import QueryDict
    from django.template import engines

    from studyapp.quizzes.forms import PracticeForm

    files = decks(0, 3)
    files["content/pt-br/q020.md"] = DECK.format(slug="q020", title='Tema "20" <b>&</b>')
    assert import_text(files).ok
    if data is None:
        form = PracticeForm(initial={"decks": ["q001"]})
    else:
        query = QueryDict(mutable=True)
        for key, value in data.items():
            query.setlist(key, value if isinstance(value, list) else [value])
        form = PracticeForm(query)
        assert not form.is_valid()
    django_loop = (
        '{% for box in field %}<div class="check">{{ box.tag }} '
        '<label for="{{ box.id_for_label }}">{{ box.choice_label }}</label></div>{% endfor %}'
    )
    engine = engines["django"]
    built = engine.from_string("{% load quiz_forms %}{% check_boxes field %}")
    expected = {}
    for name in ("decks", "topics"):
        expected[name] = engine.from_string(django_loop).render({"field": form[name]})
        assert built.render({"field": form[name]}) == expected[name]
    assert expected["decks"].count('type="checkbox"') == 4
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in expected["decks"]
    if data is None:
        assert 'value="q001" id="id_decks_2" checked>' in expected["decks"]
    elif "nope" in data["decks"]:
        assert 'aria-invalid="true"' in expected["decks"]


def test_the_index_reads_no_deck_intro(client, user, many_decks):
    """The intro HTML is the deck page's; sorting every deck by title with it was the index's
    cost that grew with the number of decks."""
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/quiz/", {"deck": "q020"}).status_code == 200
    assert not [q["sql"] for q in queries if "intro_html" in q["sql"]]
