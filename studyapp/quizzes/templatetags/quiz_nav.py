"""The attempt navigator, built in Python: 65 entries rendered by template tags were half
of the question page's time. The markup is the one the ``nav-item`` partial had."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


OOB = ' hx-swap-oob="true"'
CURRENT = ' aria-current="page"'
FLAG_MARK = '<span class="flag-mark" aria-hidden="true">⚑</span>'


def _entry(q, *, current, q_base: str, oob: bool, labels: dict) -> str:
    state = "answered" if q.is_answered else "unanswered"
    flagged = " flagged" if q.flagged else ""
    label = labels[state] + (", " + labels["flagged"] if q.flagged else "")
    url = f"{q_base}{q.position}/"
    return (
        f'<li id="nav-{q.position}" class="nav-item {state}{flagged}"{OOB if oob else ""}>'
        f'<a href="{url}" hx-get="{url}" hx-target="#attempt-body" hx-swap="outerHTML" '
        f'hx-push-url="true"{CURRENT if current == q.position else ""}>{q.position}'
        f'<span class="visually-hidden">: {label}</span>{FLAG_MARK if q.flagged else ""}</a></li>'
    )


def _labels() -> dict:
    return {
        "answered": escape(gettext("respondida")),
        "unanswered": escape(gettext("sem resposta")),
        "flagged": escape(gettext("marcada")),
    }


@register.simple_tag
def nav_items(questions, current, q_base) -> SafeString:
    """Every entry of the navigator (``current`` gets ``aria-current``)."""
    labels, base = _labels(), escape(q_base)
    entries = (_entry(q, current=current, q_base=base, oob=False, labels=labels) for q in questions)
    return mark_safe("".join(entries))  # noqa: S308 - ints and escaped strings only


@register.simple_tag
def nav_item(q, current, q_base, oob=False) -> SafeString:
    """One entry; ``oob`` for an htmx out-of-band swap after a save or a flag."""
    entry = _entry(q, current=current, q_base=escape(q_base), oob=bool(oob), labels=_labels())
    return mark_safe(entry)  # noqa: S308 - ints and escaped strings only
