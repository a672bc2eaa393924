from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value, digits=0):
    """0.873 → "87%" (localized); None → "—"."""
    if value is None:
        return "—"
    return f"{number_format(value * 100, int(digits))}%"
