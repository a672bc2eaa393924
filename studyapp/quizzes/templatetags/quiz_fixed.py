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
The keeping is ``studyapp.partials``'s, shared with the study session's counts and buttons.
"""

from django import template
from django.utils.safestring import SafeString

from studyapp import partials

register = template.Library()

FIXED_TEMPLATE = "quizzes/_fixed.html"


@register.simple_tag
def quiz_fixed(name: str, **numbers) -> SafeString:
    """The fixed partial ``name`` of ``quizzes/_fixed.html`` in the active language, with
    ``numbers`` (integers only) as its context (``studyapp.partials.kept``)."""
    numbers = {key: int(value) for key, value in numbers.items()}
    return partials.kept(f"{FIXED_TEMPLATE}#{name}", **numbers)
