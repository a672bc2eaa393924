"""The practice form's checkbox lists, built in Python: Django renders each checkbox through
three widget templates (~0.15 ms each), and the quiz index lists up to a few dozen. The
markup is the one ``{{ box.tag }} <label for="{{ box.id_for_label }}">{{ box.choice_label }}
</label>`` gives (tests/quizzes/test_index_many_decks.py compares them)."""

from django import template
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``: ``True`` is a bare name, ``False`` is left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


@register.simple_tag
def check_boxes(bound_field) -> SafeString:
    """Every choice of a multiple-checkbox field as ``<div class="check">`` input and label."""
    boxes = []
    for box in bound_field.subwidgets:
        data = box.data
        value = "" if data["value"] is None else f' value="{escape(str(data["value"]))}"'
        boxes.append(
            f'<div class="check"><input type="{data["type"]}" name="{escape(data["name"])}"'
            f"{value}{_attrs(data['attrs'])}>"
            f' <label for="{escape(box.id_for_label)}">{conditional_escape(box.choice_label)}'
            "</label></div>"
        )
    return mark_safe("".join(boxes))  # noqa: S308 - every value is escaped above
