"""What keeps the dashboard's cost flat with the content's size: the content's figures
built once per import (progress.selectors.content_figures) and the cards never studied left
out of the card rows (srs.selectors.card_memory_rows_seen), with the same figures."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from studyapp.content.selectors import CONTENT_VERSION_KEY
from studyapp.progress import selectors
from studyapp.srs import selectors as srs_selectors
from studyapp.srs.timing import study_day
from tests.progress.conftest import ALPHA, NOW, make_card

pytestmark = pytest.mark.django_db


def queries_of(call):
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, len(captured)


def test_content_figures_are_built_once_per_content_version(tiny_content):
    first, built = queries_of(selectors.content_figures)
    again, read = queries_of(selectors.content_figures)
    assert again is first and read == 0 < built
    assert sorted(d.slug for d in first.decks.values()) == ["alpha", "beta"]
    assert [item.id for item in first.bank] == sorted(i.pk for i in tiny_content.values())


def test_an_import_in_any_process_rebuilds_the_content_figures(
    tiny_content, import_text, django_capture_on_commit_callbacks
):
    first = selectors.content_figures()
    # Another process's import renews the shared version: this process's copy is not read.
    caches[settings.SHARED_CACHE].set(CONTENT_VERSION_KEY, "renewed-elsewhere", None)
    rebuilt, queries = queries_of(selectors.content_figures)
    assert rebuilt is not first and queries > 0
    gamma = ALPHA.replace("alpha", "gamma").replace("Alpha", "Gamma")
    with django_capture_on_commit_callbacks(execute=True):
        assert import_text({"content/pt-br/gamma.md": gamma}).ok
    assert "gamma" in {d.slug for d in selectors.content_figures().decks.values()}


def test_without_the_shared_cache_the_content_figures_are_built_every_time(tiny_content):
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    with override_settings(CACHES={**settings.CACHES, settings.SHARED_CACHE: dummy}):
        first, _ = queries_of(selectors.content_figures)
        again, queries = queries_of(selectors.content_figures)
    assert again is not first and queries > 0


def test_content_figures_follow_the_language(tiny_content):
    from django.utils import translation

    with translation.override("en"):
        english = selectors.content_figures()
    assert selectors.content_figures() is not english


def test_cards_never_studied_leave_the_rows_with_the_same_figures(user, utc_settings, tiny_content):
    """Untouched new cards (no review, not suspended) have no memory and nothing due: the
    summary counts them as new (from the content's item count) and is otherwise what the
    full rows give."""
    items = list(tiny_content.values())
    make_card(user, items[0], stability=10, last_review=NOW - timedelta(days=3), due=NOW)
    make_card(user, items[1], state="new", due=NOW)  # untouched
    make_card(user, items[2], state="new", due=NOW, suspended=True)
    make_card(
        user, items[3], state="new", stability=2.0, last_review=NOW - timedelta(days=1), due=NOW
    )  # reset to new after a review: still has a memory
    rows = srs_selectors.card_memory_rows_seen(user=user)
    assert len(rows) == 3
    untouched = len(tiny_content) - len(rows)
    full = list(srs_selectors.card_memory_rows(user_ids=[user.pk]))
    tz = srs_selectors.user_timezone(user=user)
    today = study_day(NOW, tz)
    expected = selectors.summarize_cards(full, now=NOW, tz=tz, today=today)
    seen = selectors.summarize_cards(rows, now=NOW, tz=tz, today=today, untouched=untouched)
    assert (
        seen.states
        == expected.states
        == {
            "new": 2,
            "learning": 0,
            "review": 1,
            "suspended": 1,
        }
    )
    assert (seen.due_now, seen.due_today, seen.forecast) == (
        expected.due_now,
        expected.due_today,
        expected.forecast,
    )
    for deck, ev in expected.deck_evidence.items():
        mine = seen.deck_evidence.get(deck)
        got = (mine.retrievability_sum, mine.studied) if mine else (0.0, 0)
        assert got == (ev.retrievability_sum, ev.studied)
    studied = {item: state for item, state in expected.memory.items() if state.last_review}
    assert {item: state for item, state in seen.memory.items() if state.last_review} == studied


def test_items_without_a_card_yet_count_as_new(user, utc_settings, tiny_content):
    """As on the home page: an item the learner has no card for yet (the study page makes
    them) is new on the dashboard too."""
    items = list(tiny_content.values())
    make_card(user, items[0], stability=10, last_review=NOW - timedelta(days=3), due=NOW)
    cards, _readiness = selectors.readiness_get(user=user, now=NOW)
    assert cards.states == {"new": 3, "learning": 0, "review": 1, "suspended": 0}


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_the_day_filter_is_the_date_filter(language):
    """progress_tags.day keeps the labels per process: the same text as ``date``."""
    from datetime import date

    from django.template.defaultfilters import date as date_filter
    from django.utils import translation

    from studyapp.progress.templatetags.progress_tags import day

    with translation.override(language):
        for n in range(40):
            when = date(2026, 1, 1) + timedelta(days=17 * n)
            for fmt in ("D d/m", "F Y", "DATE_FORMAT"):
                assert day(when, fmt) == date_filter(when, fmt)


def test_the_deck_table_links_each_deck_to_its_study_page(user_client, tiny_content):
    """The decks' study URLs are reversed once per import (content_figures), not per row."""
    from django.urls import reverse

    html = user_client.get(reverse("progress:dashboard")).content.decode()
    for slug in ("alpha", "beta"):
        assert f'<a href="{reverse("srs:study_deck", args=[slug])}">' in html


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_the_deck_and_topic_rows_are_what_the_template_loops_gave(language):
    """progress_tags.deck_rows/topic_rows render the two long tables in Python: the same
    markup as the loops they replaced (escaped labels and URLs, localized numbers)."""
    from django.template import engines
    from django.utils import translation

    from studyapp.progress.readiness import GroupEstimate

    def row(n, **extra):
        return GroupEstimate(
            key=n,
            label=f"Deck <{n}> & “co”",
            mastery=n / 7 if n else 0.0,
            memory=0.5,
            probability=(n * 0.137) % 1,
            sd=0.1,
            items=n * 1234,
            studied=n * 3,
            answered=0,
            correct=0,
            extra=extra,
        )

    rows = [row(n, url=f"/study/d-{n}/?a=1&b=<2>") for n in range(12)]
    loops = engines["django"].from_string(
        "{% load progress_tags %}"
        '{% for deck in decks %}<tr><th scope="row"><a href="{{ deck.extra.url }}">'
        '{{ deck.label }}</a></th><td><meter min="0" max="1" value="'
        '{{ deck.mastery|stringformat:\'.3f\' }}" aria-hidden="true"></meter> '
        "{{ deck.mastery|pct }}</td><td>{{ deck.studied }}/{{ deck.items }}</td></tr>"
        "{% endfor %}|"
        '{% for topic in decks %}<tr><th scope="row">{{ topic.label }}</th><td><meter '
        'min="0" max="1" value="{{ topic.mastery|stringformat:\'.3f\' }}" '
        'aria-hidden="true"></meter> {{ topic.mastery|pct }}</td><td>'
        "{{ topic.probability|pct }}</td></tr>{% endfor %}"
    )
    tags = engines["django"].from_string(
        "{% load progress_tags %}{% deck_rows decks %}|{% topic_rows decks %}"
    )
    with translation.override(language):
        assert tags.render({"decks": rows}) == loops.render({"decks": rows})
