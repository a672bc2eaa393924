from functools import lru_cache

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.formats import localize, number_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

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
