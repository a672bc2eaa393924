from functools import lru_cache

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.formats import number_format
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
