"""Uploads (≤ 1 MiB, .md/.txt/.gift, all or nothing) and downloads (.md, .zip)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from studyapp.authoring.models import Revision
from studyapp.content.models import Deck, SourceFile
from tests.conftest import SEED

CONTENT = SEED.parents[1]

pytestmark = pytest.mark.django_db
UPLOAD = "/instructor/upload/"


def md(name, text):
    return SimpleUploadedFile(name, text.encode(), content_type="text/markdown")


def test_uploading_markdown_files_imports_them_together(instructor_client, new_deck_text):
    other = new_deck_text.replace("novo-teste", "outro-teste").replace("Deck de teste", "Outro")
    response = instructor_client.post(
        UPLOAD, {"files": [md("a.md", new_deck_text), md("b.txt", other)]}, follow=True
    )
    assert "2 decks importados" in response.content.decode()
    assert set(Deck.objects.values_list("slug", flat=True)) == {"novo-teste", "outro-teste"}
    assert SourceFile.objects.get(path="content/pt-br/outro-teste.md").edited_in_browser
    assert Revision.objects.count() == 2


def test_one_bad_file_means_nothing_is_imported(instructor_client, new_deck_text):
    response = instructor_client.post(
        UPLOAD,
        {"files": [md("a.md", new_deck_text), md("b.md", "# X\n## Perguntas\n### Q: y\n❌ n\n")]},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nada foi importado" in html and "b.md:3: pergunta sem resposta correta" in html
    assert not Deck.objects.exists()


def test_uploading_an_existing_deck_updates_it_in_place(instructor_client, seed_deck):
    text = seed_deck.source.text + "\n## Extra\n- Um fato a mais sobre ECR.\n"
    instructor_client.post(UPLOAD, {"files": [md("ecr.md", text)]})
    assert SourceFile.objects.get(deck=seed_deck).path == "content/pt-br/ecr.md"
    assert SourceFile.objects.get(deck=seed_deck).text == text


def test_an_uploaded_file_without_slug_is_named_after_the_file(instructor_client):
    instructor_client.post(UPLOAD, {"files": [md("Meu Arquivo.md", "# Título\n## A\n- fato.\n")]})
    assert SourceFile.objects.get().path == "content/pt-br/meu-arquivo.md"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.pdf", b"%PDF"), "só arquivos .md, .txt ou .gift"),
        (
            SimpleUploadedFile("big.md", b"#" * (1024 * 1024 + 1)),
            "big.md:1: arquivo maior que 1 MiB",
        ),
    ],
)
def test_wrong_type_or_size_is_a_message(instructor_client, upload, message):
    response = instructor_client.post(UPLOAD, {"files": [upload]})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_non_utf8_is_a_message(instructor_client):
    response = instructor_client.post(
        UPLOAD, {"files": [SimpleUploadedFile("x.md", "# Olá".encode("latin-1"))]}
    )
    assert response.status_code == 400
    assert "não está em UTF-8" in response.content.decode()


def test_no_file_is_a_message(instructor_client):
    response = instructor_client.post(UPLOAD, {})
    assert response.status_code == 400


def test_a_gift_upload_opens_the_converted_deck_in_the_editor(instructor_client):
    gift = SimpleUploadedFile("q.gift", b"Who's buried in Grant's tomb?{~Grant =no one}")
    response = instructor_client.post(UPLOAD, {"files": [gift]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dados do deck" in html and "1 pergunta convertida." in html  # asked first
    response = instructor_client.post(
        reverse("authoring:gift_import"),
        {
            "confirm": "1",
            "text": "Who's buried in Grant's tomb?{~Grant =no one}",
            "title": "Q",
            "slug": "q",
            "topics": "",
            "domains": "1",
        },
    )
    html = response.content.decode()
    assert "### Q: Who&#x27;s buried in Grant&#x27;s tomb?" in html
    assert not Deck.objects.exists()


def test_download_a_deck_markdown(instructor_client, seed_deck):
    response = instructor_client.get(reverse("authoring:deck_source", args=["pt-BR", "ecr"]))
    assert response["Content-Disposition"] == 'attachment; filename="ecr.md"'
    assert response.content.decode() == seed_deck.source.text


def test_download_all_decks_as_a_zip_with_content_paths(
    instructor_client, all_content, browser_edited
):
    response = instructor_client.get(reverse("authoring:export_zip"))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert (
        "content/pt-br/kms.md" in archive.namelist() and "content/en/ecr.md" in archive.namelist()
    )
    assert archive.read("content/pt-br/ecr.md").decode() == browser_edited.source.text
    assert len(archive.namelist()) == len(list(CONTENT.rglob("*.md")))
