from functools import lru_cache

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import stringformat
from django.utils.formats import localize, number_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

register = template.Library()


@register.filter
def pct(value, digits=0):
    """0.873 → "87%" (localized); None → "—"."""
    if value is None:
        return "—"
    return f"{number_format(value * 100, int(digits))}%"


@register.filter
def day(value, arg=None):
    """The ``date`` filter for a calendar day (a ``date``, no time zone), kept per process:
    a pure function of the day, the format and the language (the dashboard labels the same
    30 days and 13 months on every view)."""
    return _day(value, arg, get_language())


@lru_cache(maxsize=4096)
def _day(value, arg, language):
    return date_filter(value, arg)


# The dashboard's two longest tables, one row per deck and per topic (hundreds with large
# content): rendered here with the markup their template loops gave (a test compares them),
# the localized numbers kept per process as pure functions of the value and the language.


@lru_cache(maxsize=8192)
def _pct(value, digits, language):
    return pct(value, digits)


@lru_cache(maxsize=8192)
def _number(value, language):
    return localize(value)


@register.simple_tag
def deck_rows(decks):
    """The rows of the dashboard's table "Por deck" (``GroupEstimate`` rows with ``url``)."""
    language = get_language()
    esc = conditional_escape
    return mark_safe(  # noqa: S308 (every value escaped or a number)
        "".join(
            f'<tr><th scope="row"><a href="{esc(deck.extra["url"])}">{esc(deck.label)}</a></th>'
            f'<td><meter min="0" max="1" value="{deck.mastery:.3f}" aria-hidden="true"></meter>'
            f" {_pct(deck.mastery, 0, language)}</td>"
            f"<td>{_number(deck.studied, language)}/{_number(deck.items, language)}</td></tr>"
            for deck in decks
        )
    )


@register.simple_tag
def topic_rows(topics):
    """The rows of the dashboard's table "Por tópico" (``GroupEstimate`` rows)."""
    language = get_language()
    esc = conditional_escape
    return mark_safe(  # noqa: S308 (every value escaped or a number)
        "".join(
            f'<tr><th scope="row">{esc(topic.label)}</th>'
            f'<td><meter min="0" max="1" value="{topic.mastery:.3f}" aria-hidden="true"></meter>'
            f" {_pct(topic.mastery, 0, language)}</td>"
            f"<td>{_pct(topic.probability, 0, language)}</td></tr>"
            for topic in topics
        )
    )


def _value(value, language):
    """``{{ value }}`` as the template shows it (localized, escaped)."""
    if type(value) is int:
        return _number(value, language)  # digits and separators only
    return conditional_escape(localize(value))


@register.simple_tag
def forecast_rows(days):
    """The rows of the 30-day forecast's table ((day, reviews) pairs)."""
    language = get_language()
    label = gettext("D d/m")
    return mark_safe(  # noqa: S308 (every value escaped or a number)
        "".join(
            f"<tr><td>{conditional_escape(_day(day, label, language))}</td>"
            f"<td>{_value(n, language)}</td></tr>"
            for day, n in days
        )
    )


@register.simple_tag
def month_rows(months):
    """The rows of the heatmap's table by month ((first day, reviews, days studied))."""
    language = get_language()
    return mark_safe(  # noqa: S308 (every value escaped or a number)
        "".join(
            f"<tr><td>{conditional_escape(_day(month, 'F Y', language))}</td>"
            f"<td>{_value(reviews, language)}</td><td>{_value(studied, language)}</td></tr>"
            for month, reviews, studied in months
        )
    )


@register.simple_tag
def domain_rows(domains):
    """The rows of the readiness table "Por domínio do exame" (``GroupEstimate`` rows)."""
    language = get_language()
    esc = conditional_escape
    rows = []
    for domain in domains:
        answered = (
            f' <span class="muted">({_value(domain.correct, language)}/'
            f"{_value(domain.answered, language)})</span>"
            if domain.answered
            else ""
        )
        rows.append(
            f'<tr><th scope="row">{_value(domain.key, language)}. {esc(domain.label)}</th>'
            f"<td>{esc(pct(domain.weight))}</td>"
            f'<td><meter min="0" max="1" value="{esc(stringformat(domain.probability, ".3f"))}"'
            f' aria-hidden="true"></meter> {esc(pct(domain.probability))}</td>'
            f"<td>{esc(pct(domain.mastery))}</td>"
            f"<td>{esc(pct(domain.quiz_accuracy))}{answered}</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped or a number)
