"""The question page's content cache (``selectors._question_content``): a repeat view reads
the item's text, options and references from the shared cache, and whatever the page shows
is fresh at once after an autosave, a strike, a flag, a check, a submit, a language switch
and an import."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from studyapp.quizzes import services

from .conftest import deck_text, english_alpha_text, question
from .test_views import HTMX, right_options, url, wrong_option

pytestmark = pytest.mark.django_db
# session, user, the attempt with its questions (one query): no content query (and the site
# menu's role outside a mock)
CACHED = 3
VARYING = re.compile(
    r'name="csrfmiddlewaretoken" value="[^"]*"|data-server-now-ms="\d+"|data-clock>[^<]*'
)


@pytest.fixture
def mock(bank, user, small_profile):
    return services.attempt_start_mock(user=user, profile=small_profile, now=timezone.now(), seed=4)


@pytest.fixture
def practice(bank, user):
    alpha = [question("alpha", n).pk for n in (1, 3)]
    return services.attempt_start_practice(user=user, item_ids=alpha, count=2, seed=7)


def page(client, attempt, position: int = 1, **headers) -> tuple[str, int]:
    """(the page's main content, queries) of one view of the question at ``position``,
    without what changes from one request to the next (CSRF tokens, the clock)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(attempt, f"q/{position}/"), headers=headers)
    assert response.status_code == 200
    html = response.content.decode()
    html = html[html.index("<main") : html.index("</main>")]
    return VARYING.sub("", html), len(queries)


def options(html: str) -> list[str]:
    return re.findall(r'<label for="option-\d+">(.*?)</label>', html)


def cached(client, attempt, position: int = 1) -> str:
    """The page, after checking that a second view reads the content from the cache."""
    html, _ = page(client, attempt, position)
    again, queries = page(client, attempt, position)
    assert queries == CACHED + (not attempt.is_mock) and again == html
    return html


def test_a_repeat_view_reads_the_content_from_the_cache(mock, user_client):
    html, built = page(user_client, mock)
    again, queries = page(user_client, mock)
    assert again == html and queries == CACHED < built


def test_a_first_miss_keeps_every_question_of_the_attempt_as_built_one_by_one(
    mock, user_client, settings
):
    # The first view builds the content of all the attempt's questions in one batch; each
    # other question is then read from the cache, and shows what it shows built on its own.
    total = mock.questions.count()
    pages = {1: page(user_client, mock)[0]}
    for position in range(2, total + 1):
        pages[position], queries = page(user_client, mock, position)
        assert queries == CACHED
    settings.CACHES = {
        **settings.CACHES,
        settings.SHARED_CACHE: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    for position in range(1, total + 1):
        assert page(user_client, mock, position)[0] == pages[position]


def test_the_content_is_shared_by_every_attempt_with_the_same_question(
    bank, user, other_user, client, small_profile
):
    first = services.attempt_start_mock(user=user, profile=small_profile, seed=4)
    second = services.attempt_start_mock(user=other_user, profile=small_profile, seed=4)
    client.force_login(user)
    mine, _ = page(client, first)
    client.force_login(other_user)
    page(client, second, 2)  # a first request reads the learner's language
    theirs, queries = page(client, second)
    assert queries == CACHED
    assert options(mine) == options(theirs) and options(mine)


def test_attempts_that_drew_the_options_in_another_order_share_the_content(
    bank, user, other_user, client, small_profile
):
    """Every attempt shuffles its options: the entry is the option set's, each page shows
    its own attempt's order (and letters)."""
    first = services.attempt_start_mock(user=user, profile=small_profile, seed=4)
    second = services.attempt_start_mock(user=other_user, profile=small_profile, seed=4)
    drawn = first.questions.get(position=1).option_ids
    assert len(drawn) > 2
    second.questions.filter(position=1).update(option_ids=drawn[::-1])
    client.force_login(user)
    mine, _ = page(client, first)
    client.force_login(other_user)
    page(client, second, 2)  # a first request reads the learner's language
    theirs, queries = page(client, second)
    assert queries == CACHED
    texts = [label.split("</span> ", 1)[1] for label in options(mine)]
    assert [label.split("</span> ", 1)[1] for label in options(theirs)] == texts[::-1] != texts
    letters = re.compile(r'<span class="option-letter" aria-hidden="true">(\w)</span>')
    assert letters.findall(theirs) == letters.findall(mine) == list("ABCDE"[: len(drawn)])
    ids = re.compile(r'name="option" value="(\d+)"')
    assert [int(pk) for pk in ids.findall(theirs)] == drawn[::-1]


def test_an_autosave_a_strike_and_a_flag_show_at_once(mock, user_client):
    aq = mock.questions.get(position=1)
    chosen = aq.option_ids[1]
    assert "checked" not in cached(user_client, mock)
    response = user_client.post(url(mock, "q/1/answer/"), {"option": chosen}, headers=HTMX)
    assert response.status_code == 200
    html = cached(user_client, mock)
    assert f'value="{chosen}" id="option-{chosen}" checked' in html
    assert 'id="nav-1" class="nav-item answered"' in html
    user_client.post(url(mock, "q/1/strike/"), {"strike": str(aq.option_ids[2])}, headers=HTMX)
    user_client.post(url(mock, "q/1/flag/"), {"flagged": "1"}, headers=HTMX)
    html = cached(user_client, mock)
    assert html.count("is-struck") == 1 and 'id="nav-1" class="nav-item answered flagged"' in html
    # Another answer replaces the first at once.
    user_client.post(url(mock, "q/1/answer/"), {"option": aq.option_ids[0]}, headers=HTMX)
    html = cached(user_client, mock)
    assert html.count(" checked") == 1 and f'id="option-{aq.option_ids[0]}" checked' in html


def test_a_check_shows_the_feedback_and_references_at_once(practice, user_client):
    html = cached(user_client, practice)
    assert "Explicação" not in html and "docs.aws.amazon.com" not in html
    aq = practice.questions.get(position=1)
    response = user_client.post(
        url(practice, "q/1/answer/"), {"option": wrong_option(aq), "go": "check"}
    )
    assert response.status_code == 302
    html = cached(user_client, practice)
    assert "Incorreto." in html and "Explicação" in html and "docs.aws.amazon.com" in html


def test_a_submit_shows_at_once(mock, user_client):
    cached(user_client, mock)
    aq = mock.questions.get(position=1)
    user_client.post(url(mock, "q/1/answer/"), {"option": right_options(aq)})
    user_client.post(url(mock, "submit/"), {"confirm": "1"})
    response = user_client.get(url(mock, "q/1/"))
    assert response.status_code == 302 and response["Location"] == url(mock, "result/")


def test_a_language_switch_shows_at_once(bank, import_text, user, user_client):
    assert import_text({"content/en/alpha.md": english_alpha_text()}).ok
    item = question("alpha", 3)
    attempt = services.attempt_start_practice(user=user, item_ids=[item.pk], count=1)
    html = cached(user_client, attempt)
    assert "Pergunta alpha 3" in html and "Certa alpha 3" in html and 'lang="en"' not in html
    response = user_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = cached(user_client, attempt)
    assert "Question alpha 3" in html and "Right alpha 3" in html and 'lang="en"' in html
    user_client.post("/i18n/setlang/", {"language": "pt-br", "next": "/"})
    assert "Pergunta alpha 3" in cached(user_client, attempt)


BANK = {  # the bank fixture's decks: (topic, domains, count, multiple response)
    "alpha": ("Alpha", "1", 8, (2,)),
    "beta": ("Beta", "2", 8, ()),
    "gamma": ("Gamma", "3", 6, ()),
}


def test_an_import_shows_at_once(
    mock, user_client, import_text, django_capture_on_commit_callbacks
):
    item = mock.questions.get(position=1).item
    slug, n = item.deck.slug, int(item.key.rsplit("-", 1)[1])
    topic, domains, count, multiple = BANK[slug]
    assert "revista" not in cached(user_client, mock)
    text = deck_text(slug, topic, domains, count, multiple=multiple)
    text = text.replace(f"Certa {slug} {n}\n", f"Certa {slug} {n} revista\n")
    text = text.replace(f"Q: Pergunta {slug} {n} ", f"Q: Pergunta {slug} {n} revista ")
    with django_capture_on_commit_callbacks(execute=True):
        report = import_text({f"content/pt-br/{slug}.md": text})
    assert report.ok and report.written_files == 1, report.errors
    html = cached(user_client, mock)
    assert f"Pergunta {slug} {n} revista" in html and f"Certa {slug} {n} revista" in html


def test_without_a_shared_cache_every_view_reads_the_content(mock, user_client, settings):
    settings.CACHES = {
        **settings.CACHES,
        settings.SHARED_CACHE: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    page(user_client, mock, 2)
    html, built = page(user_client, mock)
    again, queries = page(user_client, mock)
    assert again == html and queries == built == CACHED + 2  # the item, its options
