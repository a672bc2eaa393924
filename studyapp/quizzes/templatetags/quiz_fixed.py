"""The attempt pages' fixed markup (texts only: the keyboard shortcuts, the navigator's
legend, the timer's messages, "Questão n de m"), rendered once per process, language and
numbers instead of a dozen ``{% translate %}`` nodes on every question page (~0.15 ms of
each).

``{% quiz_fixed "shortcuts" %}`` gives the partial ``shortcuts`` of
``templates/quizzes/_fixed.html`` in the active language; ``{% quiz_fixed "heading" n=3
total=65 %}`` renders it with those integers as its only context. A pure function of the
template, the language and the integers: the catalogs and templates never change while a
process runs (a release restarts it), so no worker can serve another's stale copy. With
``DEBUG`` on it is rendered every time (templates edited in development show at once).
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

FIXED_TEMPLATE = "quizzes/_fixed.html"


def _render(name: str, numbers: tuple[tuple[str, int], ...]) -> SafeString:
    # The partial's only context is the integers: its output depends on them and the language.
    html = render_to_string(f"{FIXED_TEMPLATE}#{name}", dict(numbers))
    return mark_safe(html)  # noqa: S308 - a rendered template


# A few partials × the site's languages, and "Questão n de m" for each n and m in use.
@lru_cache(maxsize=4096)
def _kept(name: str, language: str | None, numbers: tuple[tuple[str, int], ...]) -> SafeString:
    with translation.override(language):
        return _render(name, numbers)


@register.simple_tag
def quiz_fixed(name: str, **numbers) -> SafeString:
    """The fixed partial ``name`` of ``quizzes/_fixed.html`` in the active language, with
    ``numbers`` (integers only) as its context."""
    kept = tuple(sorted((key, int(value)) for key, value in numbers.items()))
    if settings.DEBUG:
        return _render(name, kept)
    return _kept(name, translation.get_language(), kept)
