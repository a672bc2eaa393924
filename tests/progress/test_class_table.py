"""Class view (issue 14): filter to suspicious rows, sort the question table, options as
rendered HTML (no Markdown backticks), and student names linking to an instructor-only page."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from studyapp.progress.class_table import question_rows, table_state
from studyapp.quizzes import selectors as quiz_selectors

from .conftest import make_mock

pytestmark = pytest.mark.django_db

QUESTIONS = """---
deck: perguntas
domains: 2
---
# Perguntas

## 🧪 Perguntas
### Q: Qual chamada usar?
✅ `GenerateDataKey`
❌ `Encrypt` com o arquivo
❌ Outra

### Q: Segunda pergunta
✅ certa
❌ errada
"""


def rows(**values):
    base = {"prompt": "", "answered": 0, "accuracy": None, "strong_accuracy": None}
    return {**base, "suspect": False, "top_wrong_count": 0, **values}


SAMPLE = [
    rows(prompt="b", answered=9, accuracy=0.2, suspect=True),
    rows(prompt="A", answered=5, accuracy=None),
    rows(prompt="c", answered=7, accuracy=0.9),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["b", "c", "A"]),  # default: most answered first
        ("sort=accuracy", ["b", "c", "A"]),  # ascending, None last
        ("sort=accuracy&order=desc", ["c", "b", "A"]),  # None still last
        ("sort=question", ["A", "b", "c"]),  # case-insensitive
        ("show=suspect", ["b"]),
        ("sort=nope&order=sideways&show=x", ["b", "c", "A"]),  # unknown → defaults
    ],
)
def test_filter_and_sort(query, expected):
    state = table_state(QueryDict(query))
    assert [row["prompt"] for row in question_rows(SAMPLE, state)] == expected


def test_headings_flip_the_order_and_say_aria_sort():
    state = table_state(QueryDict("sort=accuracy&order=asc&show=suspect"))
    heading = {h["key"]: h for h in state.headings()}
    assert heading["accuracy"]["aria_sort"] == "ascending"
    assert heading["accuracy"]["query"] == "show=suspect&sort=accuracy&order=desc"
    assert heading["answered"]["aria_sort"] == "none"
    assert heading["answered"]["query"] == "show=suspect&sort=answered&order=desc"


def _answered(django_user_model, import_text):
    report = import_text({"content/pt-br/perguntas.md": QUESTIONS})
    assert report.ok, report.errors
    from studyapp.content.models import Item, Option

    first, second = Item.objects.order_by("position")
    wrong = Option.objects.get(item=first, text_md="`Encrypt` com o arquivo")
    now = timezone.now()
    for n in range(6):
        student = django_user_model.objects.create_user(f"aluno{n}")
        attempt = make_mock(
            student,
            score=500,
            started_at=now - timedelta(days=1),
            items=[first, second],
            correct=[False, True],
        )
        attempt.questions.filter(item=first).update(selected_ids=[wrong.pk])
    return first, second


def test_options_and_prompts_are_rendered_html(instructor_client, django_user_model, import_text):
    first, _second = _answered(django_user_model, import_text)
    stats = {row["item_id"]: row for row in quiz_selectors.question_stats()}
    assert stats[first.pk]["top_wrong_html"] == "<code>Encrypt</code> com o arquivo"
    assert stats[first.pk]["suspect"] is True  # a wrong option beats the right one
    html = instructor_client.get(reverse("class_view")).content.decode()
    assert "<code>Encrypt</code> com o arquivo" in html
    assert "`Encrypt`" not in html


def test_class_view_filters_to_suspects_and_sorts(
    instructor_client, django_user_model, import_text
):
    first, second = _answered(django_user_model, import_text)
    url = reverse("class_view")
    page = instructor_client.get(url, {"show": "suspect"})
    shown = [row["item_id"] for row in page.context["questions"]]
    assert shown == [first.pk]
    html = page.content.decode()
    assert "Só suspeitas (1)" in html and "Todas (2)" in html
    by_accuracy = instructor_client.get(url, {"sort": "accuracy", "order": "desc"})
    assert [row["item_id"] for row in by_accuracy.context["questions"]] == [second.pk, first.pk]
    assert 'aria-sort="descending"' in by_accuracy.content.decode()
    empty = instructor_client.get(url, {"show": "suspect", "sort": "accuracy"})
    assert empty.status_code == 200


def test_student_names_link_to_their_progress(instructor_client, user):
    html = instructor_client.get(reverse("class_view")).content.decode()
    link = reverse("student_progress", args=[user.pk])
    assert f'href="{link}"' in html
    page = instructor_client.get(link)
    assert page.status_code == 200
    body = page.content.decode()
    assert f"Progresso de {user.get_username()}" in body
    assert "Baixar seus dados" not in body  # the student's own export links are not offered


def test_student_progress_is_for_instructors_only(client, user, other_user, instructor):
    link = reverse("student_progress", args=[user.pk])
    assert client.get(link).status_code == 302  # anonymous → login
    client.force_login(other_user)
    assert client.get(link).status_code == 403  # a student, even for another's page
    client.force_login(user)
    assert client.get(link).status_code == 403  # and for their own (their dashboard is /progress/)
    client.force_login(instructor)
    assert client.get(reverse("student_progress", args=[instructor.pk])).status_code == 404
    assert client.get(reverse("student_progress", args=[999_999])).status_code == 404
    user.is_active = False
    user.save()
    assert client.get(link).status_code == 404
    assert client.post(reverse("student_progress", args=[other_user.pk])).status_code == 405
