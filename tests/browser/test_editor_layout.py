"""The editor keeps errors in view near the bottom of a long deck, and wraps long lines with
the gutter's numbers beside their lines (issue 14, desktop 1366×800 and phone 390×844)."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from studyapp.accounts.roles import INSTRUCTORS_GROUP
from tests.browser.conftest import AXE, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "- " + "uma frase longa sobre o ECR que passa bem de setenta e cinco caracteres " * 3


@pytest.fixture
def teacher(django_user_model):
    user = django_user_model.objects.create_user("prof", password="senha-de-teste-3")
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])


def axe_violations(page):
    page.evaluate(AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']}" for v in result["violations"]]


@pytest.mark.parametrize(("width", "height"), [(1366, 800), (390, 844)])
def test_errors_stay_visible_and_long_lines_wrap(
    browser, live_server, seed_deck, teacher, width, height
):
    context = browser.new_context(
        base_url=live_server.url, locale="pt-BR", viewport={"width": width, "height": height}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    login(page, "prof", "senha-de-teste-3")
    page.goto(f"/instructor/decks/pt-BR/{seed_deck.slug}/")
    editor = page.get_by_label("Markdown do deck")
    original = editor.input_value()
    lines = original.rstrip("\n").split("\n")
    # A long line near the top, and a broken question at the very bottom.
    bottom = "\n## Perguntas 2\n### Q: sem certa\n❌ x\n"
    text = "\n".join([lines[0], LONG.strip(), *lines[1:]]) + bottom
    editor.fill(text)
    expect(page.locator("#preview [data-error-line]")).to_have_count(1)
    dock = page.locator("[data-error-dock]")
    expect(dock).to_be_visible()
    expect(dock).to_contain_text("pergunta sem resposta correta")

    # Editing at the bottom: the caret at the end, the page scrolled to the editor's bottom.
    editor.focus()
    page.keyboard.press("Control+End")
    page.evaluate("() => document.querySelector('#id_text').scrollIntoView({block: 'end'})")
    box = dock.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height + 1, box

    # The long line wraps (no horizontal scroll) and line 3's number sits beside line 3.
    assert page.evaluate(
        "() => { const t = document.querySelector('#id_text');"
        " return t.scrollWidth <= t.clientWidth; }"
    )
    page.evaluate("() => document.querySelector('#id_text').scrollTop = 0")
    row, heights, total, content = page.evaluate(
        "() => { const t = document.querySelector('#id_text'); const s = getComputedStyle(t);"
        " const h = [...document.querySelectorAll('.gutter span')]"
        ".map(e => e.getBoundingClientRect().height);"
        " return [parseFloat(s.lineHeight), h, h.reduce((a, b) => a + b, 0),"
        " t.scrollHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom)]; }"
    )
    assert heights[1] >= 3 * row - 1, (row, heights[:3])  # the long line 2 wraps into rows
    assert heights[2] == pytest.approx(row, abs=1)  # the empty line 3 is one row
    # The numbers add up to the text's wrapped height: every number stays beside its line.
    assert total == pytest.approx(content, abs=2), (total, content)

    # "linha N" in the dock selects the line.
    dock.locator("a[data-line]").first.click()
    selected = page.evaluate(
        "() => { const t = document.querySelector('#id_text');"
        " return t.value.slice(t.selectionStart, t.selectionEnd); }"
    )
    assert selected == "### Q: sem certa"
    screenshot(page, f"authoring-editor-{width}x{height}")
    assert axe_violations(page) == []
    context.close()
