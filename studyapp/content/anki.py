"""Export a deck as an Anki package (.apkg) with genanki, optionally with one learner's
scheduling and review log (``progress`` passes them: this module reads no study data).

Concept cards become "front (term hidden) / back (blank filled in place)" notes; Q&A items
become "question with its options / correct answers and explanation" notes, the options
shuffled with a seed from the deck and item key (authored files put ✅ first; the shuffle is
the same on every export, so re-importing does not reorder a learner's cards). The HTML is the
sanitized HTML the importer stored. Note GUIDs come from the deck slug and the item key, so
re-importing a newer export into Anki updates the same notes instead of duplicating them.

With progress (:class:`CardProgress` per item), each card carries its FSRS memory in Anki's
card data (``{"s", "d", "dr", "lrt"}``: stability, difficulty 1–10, desired retention, last
review; Anki 23.10+ reads it when FSRS is on), its queue, due date, interval, reps and lapses,
and each review becomes a row of Anki's review log (``revlog``). Lives in ``content`` (the
bottom layer) so both the instructor area (``authoring``) and the learner's export
(``progress``) can build packages without importing each other.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import random
import sqlite3
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import genanki
from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.translation import gettext as _

from studyapp.content.models import Deck, Item, Option

# Fixed ids: Anki recognizes the note types across exports.
CONCEPT_MODEL_ID = 1_707_160_001
QUESTION_MODEL_ID = 1_707_160_002
CSS = """.card { font-family: system-ui, sans-serif; font-size: 18px; text-align: left; }
mark.cloze { background: #fff1a8; }
.context { color: #5b6470; font-size: .85em; }
ul.options { list-style: none; padding-left: 0; }
.explanation { border-left: 4px solid #0b57d0; padding-left: .6em; margin-top: 1em; }"""

CONCEPT_MODEL = genanki.Model(
    CONCEPT_MODEL_ID,
    "Estudo AWS — conceito",
    fields=[{"name": "Frente"}, {"name": "Verso"}, {"name": "Contexto"}],
    templates=[
        {
            "name": "Cartão",
            "qfmt": '<div class="context">{{Contexto}}</div>{{Frente}}',
            "afmt": '<div class="context">{{Contexto}}</div>{{Verso}}',
        }
    ],
    css=CSS,
)
QUESTION_MODEL = genanki.Model(
    QUESTION_MODEL_ID,
    "Estudo AWS — pergunta",
    fields=[{"name": "Pergunta"}, {"name": "Resposta"}],
    templates=[
        {
            "name": "Pergunta",
            "qfmt": "{{Pergunta}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Resposta}}',
        }
    ],
    css=CSS,
)

# Anki's card types/queues and review-log kinds (rslib/src/card, revlog).
ANKI_TYPE = {"new": 0, "learning": 1, "review": 2, "relearning": 3}
QUEUE_NEW, QUEUE_LEARN, QUEUE_REVIEW, QUEUE_SUSPENDED, QUEUE_BURIED = 0, 1, 2, -1, -3
REVLOG_TYPE = {"new": 0, "learning": 0, "review": 1, "relearning": 2}
DAY = 86_400


@dataclass(frozen=True)
class ReviewEntry:
    """One answer of the learner's review log, as Anki's ``revlog`` needs it."""

    reviewed_at: datetime
    rating: int  # 1 Again … 4 Easy (Anki's ease)
    state_before: str
    interval: timedelta | None  # the interval this answer gave
    last_interval: timedelta | None  # the interval the card had before
    duration_ms: int | None = None


@dataclass(frozen=True)
class CardProgress:
    """One learner's scheduling of one item's card (datetimes aware)."""

    state: str  # new, learning, review, relearning
    due: datetime
    last_review: datetime | None = None
    stability: float | None = None
    difficulty: float | None = None
    reps: int = 0
    lapses: int = 0
    suspended: bool = False
    buried: bool = False
    desired_retention: float = 0.9
    reviews: list[ReviewEntry] = field(default_factory=list)


def _anki_id(text: str) -> int:
    return int(hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12], 16) >> 1


def anki_deck_items(deck: Deck) -> list[Item]:
    options = Prefetch("options", queryset=Option.objects.order_by("position"))
    return list(
        deck.items.active()
        .select_related("section")
        .prefetch_related(options)
        .order_by("section__position", "position")
    )


def shuffled_options(deck: Deck, item: Item) -> list[Option]:
    """The item's options in an order seeded by the deck slug and item key: stable across
    exports (and so across re-imports into Anki), different from the authored ✅-first order."""
    options = list(item.options.all())
    random.Random(f"anki:{deck.slug}:{item.key}").shuffle(options)
    return options


def _concept_note(deck: Deck, item: Item) -> genanki.Note:
    context = " · ".join(part for part in (item.section.title, item.context) if part)
    # As in study (docs/content-format.md, "Concept cards"): a cloze whose back fills the blank
    # in place; without a term, a plain front/back card with the bullet's opening words.
    if item.cloze_term and item.cloze_html:
        front = item.cloze_html
    elif item.cloze_html:
        front = f"<p>{escape(_('Complete o que o resumo diz:'))}</p>{item.cloze_html}"
    else:
        question = _("O que o resumo diz em %(section)s?") % {"section": item.section.title}
        front = f"<p>{escape(question)}</p>"
    return genanki.Note(
        model=CONCEPT_MODEL,
        fields=[front, item.text_html, escape(context)],
        guid=genanki.guid_for(deck.slug, item.key),
        tags=[deck.slug, "conceito"],
    )


def _question_note(deck: Deck, item: Item) -> genanki.Note:
    options = shuffled_options(deck, item)
    listed = "".join(f"<li>{option.html}</li>" for option in options)
    question = f"<p><strong>{item.prompt_html}</strong></p>{item.text_html}"
    if len(options) > 1:
        question += f'<ul class="options">{listed}</ul>'
    correct = "".join(f"<li>✅ {option.html}</li>" for option in options if option.is_correct)
    answer = f'<ul class="options">{correct}</ul>'
    if item.explanation_html:
        answer += f'<div class="explanation">{item.explanation_html}</div>'
    return genanki.Note(
        model=QUESTION_MODEL,
        fields=[question, answer],
        guid=genanki.guid_for(deck.slug, item.key),
        tags=[deck.slug, "pergunta"],
    )


def deck_to_apkg(
    deck: Deck,
    *,
    timestamp: float | None = None,
    progress: dict[int, CardProgress] | None = None,
) -> bytes:
    """The .apkg bytes of ``deck``'s active concept cards and questions. ``progress`` maps an
    item id to the learner's scheduling of it (items without an entry stay new)."""
    anki_deck = genanki.Deck(_anki_id(f"studyapp:{deck.slug}:{deck.language}"), deck.title)
    guids: dict[str, int] = {}
    for item in anki_deck_items(deck):
        if item.kind == Item.Kind.CONCEPT:
            note = _concept_note(deck, item)
        else:
            note = _question_note(deck, item)
        anki_deck.add_note(note)
        guids[note.guid] = item.pk
    return _write_package(
        genanki.Package(anki_deck),
        timestamp=timestamp or time.time(),
        schedule=(lambda cursor: _write_progress(cursor, guids, progress)) if progress else None,
    )


def _write_package(package: genanki.Package, *, timestamp: float, schedule=None) -> bytes:
    """genanki's ``write_to_file``, with a hook that writes scheduling into the collection
    before it is zipped (genanki writes every card as new)."""
    handle, path = tempfile.mkstemp(suffix=".anki2")
    os.close(handle)
    try:
        connection = sqlite3.connect(path)
        try:
            cursor = connection.cursor()
            package.write_to_db(cursor, timestamp, itertools.count(int(timestamp * 1000)))
            if schedule is not None:
                schedule(cursor)
            connection.commit()
        finally:
            connection.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as out:
            out.write(path, "collection.anki2")
            out.writestr("media", json.dumps({}))
        return buffer.getvalue()
    finally:
        os.unlink(path)


def _days(delta: timedelta | None) -> int:
    return max(1, round(delta.total_seconds() / DAY)) if delta else 0


def _revlog_interval(delta: timedelta | None) -> int:
    """Anki's revlog interval: days when a day or more, else negative seconds."""
    if delta is None:
        return 0
    seconds = int(delta.total_seconds())
    return _days(delta) if seconds >= DAY else -max(1, seconds)


def _write_progress(cursor, guids: dict[str, int], progress: dict[int, CardProgress]) -> None:
    crt = cursor.execute("SELECT crt FROM col").fetchone()[0]
    cards = cursor.execute(
        "SELECT cards.id, notes.guid FROM cards JOIN notes ON notes.id = cards.nid"
    ).fetchall()
    used_ids: set[int] = set()
    for card_id, guid in cards:
        state = progress.get(guids.get(guid))
        if state is None or state.state == "new":
            continue
        due_ts = int(state.due.timestamp())
        interval = (state.due - state.last_review) if state.last_review else None
        if state.state == "review":
            queue, due, ivl = QUEUE_REVIEW, (due_ts - crt) // DAY, _days(interval)
        else:  # learning/relearning: due is a timestamp (Anki's intraday learning queue)
            queue, due, ivl = QUEUE_LEARN, due_ts, 0
        if state.suspended:
            queue = QUEUE_SUSPENDED
        elif state.buried:
            queue = QUEUE_BURIED
        data = {"dr": state.desired_retention}
        if state.stability is not None and state.difficulty is not None:
            data |= {"s": round(state.stability, 4), "d": round(state.difficulty, 4)}
        if state.last_review is not None:
            data["lrt"] = int(state.last_review.timestamp())
        cursor.execute(
            "UPDATE cards SET type=?, queue=?, due=?, ivl=?, factor=?, reps=?, lapses=?, "
            "left=?, data=? WHERE id=?",
            (
                ANKI_TYPE.get(state.state, 0),
                queue,
                due,
                ivl,
                2500 if state.state in ("review", "relearning") else 0,
                state.reps,
                state.lapses,
                0 if state.state == "review" else 1001,
                json.dumps(data, separators=(",", ":")),
                card_id,
            ),
        )
        for review in state.reviews:
            revlog_id = int(review.reviewed_at.timestamp() * 1000)
            while revlog_id in used_ids:  # Anki's revlog id is the time in ms: unique
                revlog_id += 1
            used_ids.add(revlog_id)
            cursor.execute(
                "INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    revlog_id,
                    card_id,
                    -1,
                    review.rating,
                    _revlog_interval(review.interval),
                    _revlog_interval(review.last_interval),
                    0,
                    min(review.duration_ms or 0, 60_000),
                    REVLOG_TYPE.get(review.state_before, 0),
                ),
            )
