"""Issue 17, content side: languages and slugs checked before they become paths or URLs,
pieces of Markdown capped, nesting that overflows Python-Markdown's stack survived."""

import io
import zipfile
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from studyapp.authoring import selectors, services
from studyapp.content.importer import Source, content_import
from studyapp.content.models import Deck, SourceFile
from studyapp.content.parser import MAX_PIECE_CHARS, language_folder, parse_text
from studyapp.content.rendering import render_markdown

DECK = """---
deck: caminho
language: {language}
---
# Deck

## 🧠 Conceitos
- O **ECR** guarda imagens.
"""


@pytest.mark.parametrize(
    "language", ["../../..", "/etc", "pt-br/../../x", "es", "en/..", "xx", "pt-BR/.."]
)
def test_front_matter_language_must_be_a_configured_language(language):
    deck, errors = parse_text(DECK.format(language=language), "content/pt-br/caminho.md")
    assert deck is None
    assert [(e.line, e.message.split(":")[0]) for e in errors] == [(3, "idioma desconhecido")]
    assert str(errors[0]).startswith("content/pt-br/caminho.md:3: ")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("pt-BR", "pt-BR"), ("pt-br", "pt-BR"), ("pt", "pt-BR"), ("EN", "en")],
)
def test_configured_languages_and_aliases_are_spelled_one_way(language, expected):
    deck, errors = parse_text(DECK.format(language=language), "content/x/caminho.md")
    assert errors == [] and deck.language == expected


def test_language_folders_come_from_a_fixed_table():
    assert language_folder("pt-BR") == "pt-br"
    assert language_folder("en") == "en"
    with pytest.raises(ValueError):
        language_folder("../../..")


@pytest.mark.django_db
def test_saving_a_deck_with_a_path_as_language_writes_nothing(instructor_client):
    before = (Deck.objects.count(), SourceFile.objects.count())
    response = instructor_client.post(
        reverse("authoring:deck_new"), {"text": DECK.format(language="../../..")}
    )
    assert response.status_code == 400
    assert "idioma desconhecido" in response.content.decode()
    assert (Deck.objects.count(), SourceFile.objects.count()) == before
    assert instructor_client.get(reverse("authoring:index")).status_code == 200
    archive = zipfile.ZipFile(
        io.BytesIO(instructor_client.get(reverse("authoring:export_zip")).content)
    )
    assert all(".." not in name for name in archive.namelist())


@pytest.mark.django_db
def test_export_zip_never_holds_a_path_outside_content(seed_deck):
    # A record stored before paths were checked (as the penetration test left one).
    SourceFile.objects.filter(pk=seed_deck.source_id).update(path="content/../../../zipslip.md")
    archive = zipfile.ZipFile(
        io.BytesIO(selectors.export_zip(now=datetime(2026, 1, 1, tzinfo=UTC)))
    )
    assert archive.namelist() == ["content/pt-br/ecr.md"]


SOURCE = """---
deck: {slug}
language: {language}
---
# Deck {language}

## 🧠 Conceitos
- O **ECR** guarda imagens.
"""


@pytest.mark.django_db
def test_two_source_decks_with_one_slug_in_two_languages_are_refused_in_one_import():
    report = content_import(
        sources=[
            Source("content/pt-br/a.md", SOURCE.format(slug="dup", language="pt-BR").encode()),
            Source("content/en/b.md", SOURCE.format(slug="dup", language="en").encode()),
        ]
    )
    assert [str(e).split(": ")[0] for e in report.errors] == ["content/en/b.md:2"]
    assert "já existe em pt-BR (content/pt-br/a.md)" in report.errors[0].message
    assert not Deck.objects.filter(slug="dup").exists()


@pytest.mark.django_db
def test_a_source_deck_cannot_take_the_slug_of_an_imported_one(seed_deck):
    text = "---\nlanguage: en\n---\n# ECR again\n\n## Concepts\n- The **ECR** stores images.\n"
    report = content_import(sources=[Source("content/en/ecr-again.md", text.encode())])
    assert report.errors == []  # its slug is ecr-again: fine
    text = "---\ndeck: ecr\nlanguage: en\n---\n" + text.split("---\n", 2)[2]
    report = content_import(sources=[Source("content/en/other.md", text.encode())])
    assert [(e.file, e.line) for e in report.errors] == [("content/en/other.md", 2)]
    assert "content/pt-br/ecr.md" in report.errors[0].message
    assert Deck.objects.filter(slug="ecr").count() == 1
    assert seed_deck.items.exists()


@pytest.mark.django_db
def test_a_translation_shares_its_source_slug(all_content):
    assert Deck.objects.filter(slug="ecr").count() == 2  # pt-BR source, en translation


def test_a_piece_of_markdown_over_the_cap_is_an_error_at_its_line():
    text = "# D\n\n## 🧪 Perguntas\n### Q: Qual?\n✅ Sim\n💡 " + "x" * (MAX_PIECE_CHARS + 1) + "\n"
    deck, errors = parse_text(text, "content/pt-br/d.md")
    assert deck is None
    assert [(e.line, e.message.split(":")[0]) for e in errors] == [(6, "texto longo demais")]
    ok, errors = parse_text(text.replace("x" * 2, "x", 1), "content/pt-br/d.md")
    assert errors == []


def test_deep_nesting_that_overflows_python_markdown_is_shown_escaped():
    html = render_markdown("1. " * 3000 + "<b>x</b>")
    assert html.startswith("<p>1. 1. ") and "&lt;b&gt;" in html
    assert render_markdown("**a**") == "<p><strong>a</strong></p>"  # the next one is fine


@pytest.mark.django_db
def test_a_new_deck_goes_to_its_language_folder(instructor):
    result = services.deck_save(author=instructor, text=DECK.format(language="EN"))
    assert result.ok, result.errors
    assert result.revisions[0].path == "content/en/caminho.md"
    assert Deck.objects.get(slug="caminho").language == "en"
