"""One source of truth: a deck edited in the browser is never silently overwritten by
import_content from content/; the command reports the conflict and needs --force."""

import pytest
from django.core.management import call_command

from studyapp.authoring import selectors
from studyapp.content.importer import Source, content_import
from studyapp.content.models import SourceFile
from tests.conftest import SEED

pytestmark = pytest.mark.django_db


def test_import_content_reports_a_conflict_and_writes_nothing(browser_edited):
    edited_text = browser_edited.source.text
    report = content_import(paths=[SEED])
    assert not report.ok
    assert report.errors[0].file == "content/pt-br/ecr.md"
    assert "conflito" in report.errors[0].message and "--force" in report.errors[0].message
    record = SourceFile.objects.get(path="content/pt-br/ecr.md")
    assert record.text == edited_text and record.edited_in_browser


def test_the_command_exits_1_with_the_conflict_on_stderr(browser_edited, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_content", str(SEED))
    assert exit_info.value.code == 1
    assert "content/pt-br/ecr.md:1: conflito" in capsys.readouterr().err


def test_force_overwrites_the_browser_version(browser_edited):
    report = content_import(paths=[SEED], force=True)
    assert report.ok, report.errors
    record = SourceFile.objects.get(path="content/pt-br/ecr.md")
    assert record.text == SEED.read_text() and not record.edited_in_browser
    assert not browser_edited.items.active().filter(prompt="Pergunta nova do navegador").exists()


def test_committing_the_downloaded_file_resolves_the_conflict(browser_edited):
    """The zip holds the exact bytes: importing them is no conflict and clears the flag."""
    import io
    import zipfile
    from datetime import UTC, datetime

    archive = zipfile.ZipFile(
        io.BytesIO(selectors.export_zip(now=datetime(2026, 1, 1, tzinfo=UTC)))
    )
    committed = archive.read("content/pt-br/ecr.md")
    report = content_import(sources=[Source("content/pt-br/ecr.md", committed)])
    assert report.ok, report.errors
    assert not SourceFile.objects.get(path="content/pt-br/ecr.md").edited_in_browser


def test_a_deck_created_in_the_browser_and_missing_from_the_folder_is_a_conflict(
    instructor, new_deck_text
):
    from studyapp.authoring import services

    assert services.deck_save(author=instructor, text=new_deck_text).ok
    report = content_import(paths=[SEED.parent])  # content/pt-br/ has no novo-teste.md
    assert not report.ok
    assert report.errors[0].file == "content/pt-br/novo-teste.md"
    assert "ausente da pasta" in report.errors[0].message
    assert SourceFile.objects.get(path="content/pt-br/novo-teste.md").deck.retired_at is None
