"""Template partials whose output is a pure function of the language and a few hashable
values (fixed texts of a page, a count such as "3 revisões", a rating button), rendered once
per process instead of on every request.

    partials.kept("quizzes/_fixed.html#heading", n=3, total=65)

The catalogs and templates never change while a process runs (a release restarts it), so no
worker can serve another's stale copy. With ``DEBUG`` on each call renders afresh (templates
edited in development show at once).
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import SafeString


def render_now(name: str, context: dict) -> SafeString:
    """The template (or ``template#partial``) ``name`` rendered with ``context`` alone, in the
    active language."""
    return get_template(name).render(context)


# The study session's counts and rating buttons, the attempt pages' fixed texts and their
# "Questão n de m": a few thousand (partial, language, values) in use.
@lru_cache(maxsize=8192)
def _kept(name: str, language: str | None, values: tuple) -> SafeString:
    with translation.override(language):
        return render_now(name, dict(values))


def kept(name: str, *, language: str | None = None, **values) -> SafeString:
    """``name`` rendered with ``values`` (hashable) as its only context in ``language`` (the
    active one when not given), kept per process, language and values."""
    if language is None:
        language = translation.get_language()
    if settings.DEBUG:
        with translation.override(language):
            return render_now(name, values)
    return _kept(name, language, tuple(sorted(values.items())))
