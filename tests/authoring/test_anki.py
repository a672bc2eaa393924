"""Anki export: the .apkg is a zip holding a SQLite collection with the deck's cards."""

import io
import json
import sqlite3
import zipfile

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def open_collection(data: bytes, tmp_path):
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert "collection.anki2" in archive.namelist()
    path = tmp_path / "collection.anki2"
    path.write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(path)


def test_apkg_holds_every_concept_card_and_question(user_client, seed_deck, tmp_path):
    response = user_client.get(reverse("authoring:anki_export", args=["ecr"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ecr.apkg"'
    db = open_collection(response.content, tmp_path)
    notes = db.execute("select flds, tags from notes").fetchall()
    assert len(notes) == 15 + 5
    assert db.execute("select count(*) from cards").fetchone()[0] == 20
    tags = " ".join(tag for _flds, tag in notes)
    assert tags.count("conceito") == 15 and tags.count("pergunta") == 5
    fields = "\n".join(flds for flds, _tags in notes)
    question = seed_deck.items.questions().first()
    assert question.prompt_html in fields
    assert '<mark class="cloze">[…]</mark>' in fields  # concept fronts hide the term
    decks = json.loads(db.execute("select decks from col").fetchone()[0])
    assert seed_deck.title in {deck["name"] for deck in decks.values()}


def test_note_ids_are_stable_across_exports(user_client, seed_deck, tmp_path):
    url = reverse("authoring:anki_export", args=["ecr"])
    first = open_collection(user_client.get(url).content, tmp_path)
    guids = sorted(row[0] for row in first.execute("select guid from notes"))
    (tmp_path / "second").mkdir()
    second = open_collection(user_client.get(url).content, tmp_path / "second")
    assert guids == sorted(row[0] for row in second.execute("select guid from notes"))


def test_retired_items_are_not_exported(user_client, seed_deck, tmp_path):
    from django.utils import timezone

    seed_deck.items.questions().update(retired_at=timezone.now())
    db = open_collection(
        user_client.get(reverse("authoring:anki_export", args=["ecr"])).content, tmp_path
    )
    assert db.execute("select count(*) from notes").fetchone()[0] == 15


def test_unknown_deck_is_404(user_client, seed_deck):
    assert user_client.get(reverse("authoring:anki_export", args=["nada"])).status_code == 404


def test_export_query_count_does_not_grow_with_items(
    user_client, all_content, django_assert_num_queries
):
    # session, user, profile, deck, items+sections, options; session save (3 with savepoints)
    with django_assert_num_queries(9):
        user_client.get(reverse("authoring:anki_export", args=["kms"]))
