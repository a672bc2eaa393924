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


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_the_forecast_month_and_domain_rows_are_what_the_template_loops_gave(language):
    """progress_tags.forecast_rows/month_rows/domain_rows render three more of the body's
    tables in Python (rebuilt after every answer): the same markup as their loops (escaped
    labels, localized numbers and dates, the quiz counts only when answered)."""
    from datetime import date, timedelta

    from django.template import engines
    from django.utils import translation

    from studyapp.progress.readiness import GroupEstimate

    days = [(date(2026, 11, 20) + timedelta(days=i), i * 1234 % 5000) for i in range(30)]
    months = [(date(2025 + (m + 11) // 12, (m + 11) % 12 + 1, 1), m * 2345, m) for m in range(13)]
    domains = [
        GroupEstimate(
            key=n,
            label=f"Domain <{n}> & “co”",
            mastery=n / 7,
            memory=0.5,
            probability=None if n == 3 else (n * 0.137) % 1,
            sd=0.1,
            items=n * 10,
            studied=n,
            answered=n % 3 * 1500,
            correct=n % 2,
            weight=n / 10,
        )
        for n in range(6)
    ]
    loops = engines["django"].from_string(
        "{% load progress_tags %}"
        '{% for day, n in days %}<tr><td>{{ day|day:_("D d/m") }}</td><td>{{ n }}</td></tr>'
        "{% endfor %}|"
        '{% for month, reviews, studied in months %}<tr><td>{{ month|day:"F Y" }}</td>'
        "<td>{{ reviews }}</td><td>{{ studied }}</td></tr>{% endfor %}|"
        '{% for domain in domains %}<tr><th scope="row">{{ domain.key }}. {{ domain.label }}'
        '</th><td>{{ domain.weight|pct }}</td><td><meter min="0" max="1" value="'
        '{{ domain.probability|stringformat:\'.3f\' }}" aria-hidden="true"></meter> '
        "{{ domain.probability|pct }}</td><td>{{ domain.mastery|pct }}</td><td>"
        '{{ domain.quiz_accuracy|pct }}{% if domain.answered %} <span class="muted">('
        "{{ domain.correct }}/{{ domain.answered }})</span>{% endif %}</td></tr>{% endfor %}"
    )
    tags = engines["django"].from_string(
        "{% load progress_tags %}{% forecast_rows days %}|{% month_rows months %}|"
        "{% domain_rows domains %}"
    )
    context = {"days": days, "months": months, "domains": domains}
    with translation.override(language):
        expected = loops.render(context)
        assert tags.render(context) == expected
    assert "Domain &lt;1&gt; &amp; “co”" in expected and "</span>" in expected


def test_a_bar_chart_keeps_the_markup_format_html_gave():
    """charts.bar_chart builds its bars with f-strings: the markup (numbers, escaped labels
    and values) the format_html version gave, pinned."""
    from studyapp.progress.charts import bar_chart

    chart = bar_chart(
        chart_id="c",
        title="T",
        desc="D",
        bars=[("a<b", 0), ("D&d", 7), ("“x”", 12)],
        label_every=2,
        bar_classes=["bar r-1", "bar r-2", "bar r-3"],
    )
    assert str(chart) == (
        '<svg class="chart" id="c" viewBox="0 0 600 220" role="img" '
        'aria-labelledby="c-title c-desc" preserveAspectRatio="xMinYMin meet">'
        '<title id="c-title">T</title><desc id="c-desc">D</desc>'
        '<rect class="bar r-1" x="27.8" y="192.0" width="151.0" height="0.0"><title>'
        "a&lt;b: 0</title></rect>"
        '<text class="chart-label" x="103.3" y="212" text-anchor="middle">a&lt;b</text>'
        '<rect class="bar r-2" x="226.5" y="90.5" width="151.0" height="101.5"><title>'
        "D&amp;d: 7</title></rect>"
        '<text class="chart-value" x="302.0" y="86.5" text-anchor="middle">7</text>'
        '<rect class="bar r-3" x="425.2" y="18.0" width="151.0" height="174.0"><title>'
        "“x”: 12</title></rect>"
        '<text class="chart-value" x="500.7" y="14.0" text-anchor="middle">12</text>'
        '<text class="chart-label" x="500.7" y="212" text-anchor="middle">“x”</text>'
        '<line class="axis" x1="4" y1="192" x2="600" y2="192"/></svg>'
    )


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_the_heatmap_from_kept_past_days_is_the_heatmap_rendered_whole(language):
    """charts.heatmap with the kept markup of the days before the last (same
    heatmap_past_digest) gives the same chart as rendering every day, whatever today's
    count (below, at or above the busiest day); the digest changes with what that markup
    shows (a past day's level, the first day, the language)."""
    import random
    from datetime import date, timedelta

    from django.utils import translation

    from studyapp.progress.charts import heat_level, heatmap, heatmap_past_digest

    rnd = random.Random(16)
    reused = 0  # a busier today whose past markup was kept
    with translation.override(language):
        for _trial in range(60):
            first = date(2026, 1, 1) + timedelta(days=rnd.randrange(400))
            counts = [rnd.choice([0, 0, 1, 5, 40]) for _ in range(rnd.choice([1, 2, 31, 365]))]
            days = [(first + timedelta(days=i), c) for i, c in enumerate(counts)]
            keep: dict = {}
            chart = heatmap(chart_id="h", title="T", desc="D", days=days, keep=keep)
            peak = max(counts)
            today = rnd.randint(0, peak)  # an answer today that does not raise the busiest day
            later = [*days[:-1], (days[-1][0], today)]
            if max(c for _d, c in later) == peak:
                assert heatmap_past_digest(later) == heatmap_past_digest(days)
                assert heatmap(
                    chart_id="h", title="T", desc="D", days=later, past=keep["past"]
                ) == heatmap(chart_id="h", title="T", desc="D", days=later)
            assert heatmap(chart_id="h", title="T", desc="D", days=days, past=keep["past"]) == chart
            for busier_by in (1, 2, 7, 40):
                busier = [*days[:-1], (days[-1][0], peak + busier_by)]
                levels = [heat_level(c, peak + busier_by) for _d, c in days[:-1]]
                if levels != [heat_level(c, peak) for _d, c in days[:-1]]:
                    assert heatmap_past_digest(busier) != heatmap_past_digest(days)
                elif heatmap_past_digest(busier) == heatmap_past_digest(days):
                    assert heatmap(
                        chart_id="h", title="T", desc="D", days=busier, past=keep["past"]
                    ) == heatmap(chart_id="h", title="T", desc="D", days=busier)
                    reused += 1
            next_day = [(d + timedelta(days=1), c) for d, c in days]
            assert heatmap_past_digest(next_day) != heatmap_past_digest(days)
        kept = heatmap_past_digest(days)
    assert reused
    with translation.override("en" if language == "pt-br" else "pt-br"):
        assert heatmap_past_digest(days) != kept
