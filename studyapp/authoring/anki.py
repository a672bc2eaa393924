"""Export a deck as an Anki package (.apkg) with genanki.

Concept cards become "front (term hidden) / back (term marked)" notes; Q&A items become
"question with its options / correct answers and explanation" notes. The HTML is the
sanitized HTML the importer stored. Note GUIDs come from the deck slug and the item key,
so re-importing a newer export into Anki updates the same notes instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import io
import time

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
    options = list(item.options.all())
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


def deck_to_apkg(deck: Deck, *, timestamp: float | None = None) -> bytes:
    """The .apkg bytes of ``deck``'s active concept cards and questions."""
    anki_deck = genanki.Deck(_anki_id(f"studyapp:{deck.slug}:{deck.language}"), deck.title)
    for item in anki_deck_items(deck):
        if item.kind == Item.Kind.CONCEPT:
            anki_deck.add_note(_concept_note(deck, item))
        else:
            anki_deck.add_note(_question_note(deck, item))
    buffer = io.BytesIO()
    genanki.Package(anki_deck).write_to_file(buffer, timestamp=timestamp or time.time())
    return buffer.getvalue()
