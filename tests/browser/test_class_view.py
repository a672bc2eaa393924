"""The class view at 1366×800: the whole question table fits ("Situação" not cut off), the
suspicious filter and sorting work as links, options show as code (no backticks), and a
student's name opens their progress (issue 14). axe: 0 violations."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from studyapp.accounts.roles import INSTRUCTORS_GROUP
from tests.browser.conftest import AXE, login, screenshot
from tests.progress.conftest import make_mock
from tests.progress.test_class_table import QUESTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def answered(django_user_model, import_text):
    teacher = django_user_model.objects.create_user("prof", password="senha-de-teste-3")
    teacher.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    assert import_text({"content/pt-br/perguntas.md": QUESTIONS}).ok
    from studyapp.content.models import Item, Option

    first, second = Item.objects.order_by("position")
    wrong = Option.objects.get(item=first, text_md="`Encrypt` com o arquivo")
    for n in range(6):
        student = django_user_model.objects.create_user(f"aluna-com-nome-longo-{n}")
        attempt = make_mock(
            student,
            score=500,
            started_at=timezone.now() - timedelta(days=1),
            items=[first, second],
            correct=[False, True],
        )
        attempt.questions.filter(item=first).update(selected_ids=[wrong.pk])


def axe_violations(page):
    page.evaluate(AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']}" for v in result["violations"]]


def test_class_view_fits_filters_sorts_and_links(browser, live_server, answered):
    context = browser.new_context(
        base_url=live_server.url, locale="pt-BR", viewport={"width": 1366, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    login(page, "prof", "senha-de-teste-3")
    page.goto("/instructor/turma/")
    status = page.get_by_role("columnheader", name="Situação")
    box = status.bounding_box()
    assert box["x"] + box["width"] <= 1366 - 8, box  # fully on screen, not cut off
    wrap = page.locator(".class-questions .table-wrap")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
    expect(page.locator(".question-table code").first).to_have_text("Encrypt")
    assert "`Encrypt`" not in page.locator(".question-table").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "class-view-1366")

    page.get_by_role("link", name="Só suspeitas (1)").click()
    expect(page.locator(".question-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Acerto", exact=True).click()
    expect(page.get_by_role("columnheader", name="Acerto", exact=True)).to_have_attribute(
        "aria-sort", "ascending"
    )
    assert "show=suspect" in page.url

    page.get_by_role("link", name="aluna-com-nome-longo-0").click()
    page.get_by_role("heading", name="Progresso de aluna-com-nome-longo-0").wait_for()
    assert axe_violations(page) == []
    context.close()
