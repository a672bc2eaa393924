"""The options of a question in progress, built in Python: the template's loop (a dozen
variables, two translations and a strike-through button per option) was a third of the
question page's render. The markup is the loop's own (tests/quizzes/test_views.py renders
both and compares them)."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


def _option(option, *, input_type: str, lang: str, strike_url: str, struck: str, strike: str):
    letter = escape(option.letter)
    pk = int(option.id)
    return (
        f'\n          <div class="option{" is-struck" if option.struck else ""}">'
        f'\n            <input type="{input_type}" name="option" value="{pk}" id="option-{pk}"'
        f"{' checked' if option.selected else ''}>"
        f'\n            <label for="option-{pk}"{lang}>'
        f'<span class="option-letter" aria-hidden="true">{letter}</span> {option.html}'
        f"{struck if option.struck else ''}</label>"
        "\n            "
        f'\n            <button type="submit" form="strike-form" name="strike" value="{pk}" '
        f'id="strike-{pk}" class="strike-toggle secondary small" '
        f'aria-pressed="{"true" if option.struck else "false"}"'
        f'\n                    hx-post="{strike_url}" hx-target="#attempt-body"'
        ' hx-swap="outerHTML">'
        '<span class="strike-icon" aria-hidden="true">abc</span>'
        f'<span class="visually-hidden">{strike % {"letter": letter}}</span></button>'
        "\n          </div>\n          "
    )


@register.simple_tag
def option_rows(view, question, q_url: str) -> SafeString:
    """Every option of ``view`` (a ``QuestionView``) as a choice, its label and its
    strike-through toggle (a post to ``<q_url>strike/``)."""
    lang = f' lang="{escape(view.lang)}"' if view.lang else ""
    struck = gettext("riscada")  # not inside the f-string: xgettext would not see it
    struck = f'<span class="visually-hidden"> ({struck})</span>'
    rows = [
        _option(
            option,
            input_type="checkbox" if question.is_multiple else "radio",
            lang=lang,
            strike_url=f"{escape(q_url)}strike/",
            struck=struck,
            strike=gettext("Riscar a opção %(letter)s"),
        )
        for option in view.options
    ]
    # option.html is the option's HTML as rendered and sanitized at import (|safe before).
    return mark_safe("".join(rows))  # noqa: S308 - ints, escaped strings and import HTML
