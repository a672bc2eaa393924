"""A learner's Anki export with their progress ("Exportar com meu progresso").

Reads the learner's cards and review log through ``srs.selectors.deck_schedule`` and builds
the package with ``content.anki`` (the same notes as the plain export, same GUIDs), so the
learner can go on in Anki 23.10+ with FSRS: due dates, intervals, reps, lapses, FSRS memory
and every rescheduling answer survive the import (``tests/progress/test_anki_progress.py``
imports the file with the real ``anki`` library).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from studyapp.content.anki import CardProgress, ReviewEntry, deck_to_apkg
from studyapp.content.models import Deck
from studyapp.srs import selectors as srs_selectors


def _reviews(logs: list[dict]) -> dict[int, list[ReviewEntry]]:
    by_card: dict[int, list[ReviewEntry]] = {}
    for log in logs:
        last = log["last_review_before"]
        by_card.setdefault(log["card_id"], []).append(
            ReviewEntry(
                reviewed_at=log["reviewed_at"],
                rating=log["rating"],
                state_before=log["state_before"],
                interval=log["interval_after"],
                last_interval=(log["due_before"] - last) if last else None,
                duration_ms=log["duration_ms"],
            )
        )
    return by_card


def learner_progress(*, user, deck: Deck, now: datetime) -> dict[int, CardProgress]:
    """{item id: the learner's scheduling of it} for ``deck`` (a source deck)."""
    cards, logs, retention = srs_selectors.deck_schedule(user=user, deck_id=deck.pk)
    reviews = _reviews(logs)
    return {
        card["item_id"]: CardProgress(
            state=card["state"],
            due=card["due"],
            last_review=card["last_review"],
            stability=card["stability"],
            difficulty=card["difficulty"],
            reps=card["reps"],
            lapses=card["lapses"],
            suspended=card["suspended"],
            buried=bool(card["buried_until"] and card["buried_until"] > now),
            desired_retention=retention,
            reviews=reviews.get(card["id"], []),
        )
        for card in cards
    }


def apkg_with_progress(*, user, deck: Deck, now: datetime | None = None) -> bytes:
    now = now or timezone.now()
    progress = learner_progress(user=user, deck=deck, now=now)
    return deck_to_apkg(deck, timestamp=now.timestamp(), progress=progress)
