"""'Exportar com meu progresso' (issue 14): the learner's .apkg carries their scheduling (FSRS
memory, due dates, intervals, reps, lapses) and review log. Checked by importing the file
with the real ``anki`` library from PyPI (a test-only dependency, ``.[test]``); without it,
the import tests skip and the SQLite-level checks still run."""

import io
import json
import sqlite3
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from studyapp.content.anki import shuffled_options
from studyapp.content.models import Item
from studyapp.srs.models import StudyCard
from studyapp.srs.services import cards_ensure, review_record

pytestmark = pytest.mark.django_db


def collection(data: bytes, tmp_path):
    path = tmp_path / "collection.anki2"
    path.write_bytes(zipfile.ZipFile(io.BytesIO(data)).read("collection.anki2"))
    return sqlite3.connect(path)


def study(user, deck, *, now):
    """Answer three cards of ``deck``: Good, Good → review; Again; Good on a third."""
    cards_ensure(user=user, now=now)
    cards = list(StudyCard.objects.filter(user=user, item__deck=deck).order_by("id")[:3])
    plan = [(cards[0], 3), (cards[1], 1), (cards[2], 3)]
    for card, rating in plan:
        card.refresh_from_db()
        review_record(user=user, card_id=card.pk, rating=rating, token=card.token, now=now)
    # Later, the first card again: Good (it graduates to review with days of interval).
    later = now + timedelta(minutes=15)
    cards[0].refresh_from_db()
    review_record(user=user, card_id=cards[0].pk, rating=3, token=cards[0].token, now=later)
    cards[0].refresh_from_db()
    return cards


def export(client, slug="ecr"):
    response = client.get(reverse("progress:anki_progress", args=[slug]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith('attachment; filename="ecr-')
    return response.content


def test_export_carries_memory_due_and_review_log(user_client, user, seed_deck, tmp_path):
    now = timezone.now() - timedelta(days=1)
    cards = study(user, seed_deck, now=now)
    db = collection(export(user_client), tmp_path)
    assert db.execute("select count(*) from revlog").fetchone()[0] == 4
    rows = db.execute("select type, queue, reps, lapses, data, ivl, due from cards").fetchall()
    assert len(rows) == 20
    studied = [row for row in rows if row[2]]
    assert len(studied) == 3
    assert sum(row[2] for row in studied) == 4  # reps
    first = cards[0]
    assert first.state == "review"
    review = next(row for row in studied if row[0] == 2)
    data = json.loads(review[4])
    assert data["s"] == pytest.approx(first.stability, abs=1e-3)
    assert data["d"] == pytest.approx(first.difficulty, abs=1e-3)
    assert data["dr"] == 0.9
    crt = db.execute("select crt from col").fetchone()[0]
    assert review[6] == (int(first.due.timestamp()) - crt) // 86_400


def test_the_export_holds_only_the_signed_in_learners_progress(
    client, user, other_user, seed_deck, tmp_path
):
    study(user, seed_deck, now=timezone.now())
    client.force_login(other_user)
    db = collection(export(client), tmp_path)
    assert db.execute("select count(*) from revlog").fetchone()[0] == 0
    assert db.execute("select count(*) from cards where queue != 0").fetchone()[0] == 0


def test_anonymous_is_sent_to_login(client, seed_deck):
    response = client.get(reverse("progress:anki_progress", args=["ecr"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_deck_is_404_and_post_405(user_client, seed_deck):
    assert user_client.get(reverse("progress:anki_progress", args=["nada"])).status_code == 404
    assert user_client.post(reverse("progress:anki_progress", args=["ecr"])).status_code == 405


def test_options_are_shuffled_with_a_stable_seed(all_content):
    from studyapp.content.models import Deck

    deck = Deck.objects.get(slug="kms", language="pt-BR")
    questions = list(deck.items.questions().prefetch_related("options"))
    firsts = [shuffled_options(deck, item)[0].is_correct for item in questions]
    # Authored files put ✅ first; shuffled, the right option leads about 1 time in 4.
    assert 0.1 < sum(firsts) / len(firsts) < 0.5
    again = [[o.pk for o in shuffled_options(deck, item)] for item in questions]
    assert again == [[o.pk for o in shuffled_options(deck, item)] for item in questions]
    assert sorted(again[0]) == sorted(o.pk for o in questions[0].options.all())


def test_real_anki_imports_due_dates_and_review_counts(user_client, user, seed_deck, tmp_path):
    anki_collection = pytest.importorskip("anki.collection")
    now = timezone.now() - timedelta(days=1)
    cards = study(user, seed_deck, now=now)
    path = tmp_path / "ecr.apkg"
    path.write_bytes(export(user_client))

    col = anki_collection.Collection(str(tmp_path / "target.anki2"))
    try:
        request = anki_collection.ImportAnkiPackageRequest(
            package_path=str(path),
            options=anki_collection.ImportAnkiPackageOptions(
                with_scheduling=True, with_deck_configs=False
            ),
        )
        col.import_anki_package(request)
        assert col.card_count() == 20
        assert col.db.scalar("select count() from revlog") == 4
        by_text = {}
        for card_id in col.find_cards(""):
            card = col.get_card(card_id)
            by_text[card.note().fields[1]] = card
        item = Item.objects.get(pk=cards[0].item_id)
        imported = by_text[item.text_html]
        assert imported.type == 2 and imported.queue == 2  # a review card
        assert imported.reps == cards[0].reps == 2
        assert imported.lapses == cards[0].lapses
        # The due date survives: Anki's day number of the card is our due's day.
        days_from_today = imported.due - col.sched.today
        expected = (cards[0].due.date() - timezone.now().date()).days
        assert abs(days_from_today - expected) <= 1, (days_from_today, expected)
        assert imported.ivl >= 1
        assert imported.memory_state is not None
        assert imported.memory_state.stability == pytest.approx(cards[0].stability, rel=1e-3)
        assert imported.memory_state.difficulty == pytest.approx(cards[0].difficulty, rel=1e-3)
        again = by_text[Item.objects.get(pk=cards[1].item_id).text_html]
        assert again.type in (1, 3) and again.lapses == cards[1].lapses
        assert col.db.scalar("select count() from revlog where cid = ?", imported.id) == 2
    finally:
        col.close()
