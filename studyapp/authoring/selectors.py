"""Reads of the authoring area: the deck list, revisions and diffs, the live preview and
the zip of every deck's Markdown."""

from __future__ import annotations

import difflib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from studyapp.content.bounded import Deadline
from studyapp.content.models import Deck, Item, SourceFile
from studyapp.content.parser import ContentError, ParsedDeck, ParsedItem, slugify

from .models import Revision
from .services import deck_target, language_folder, text_normalize


def deck_list() -> list[Deck]:
    """Every active deck (sources and translations) with its file and counts."""
    active = Q(items__retired_at__isnull=True)
    return list(
        Deck.objects.active()
        .select_related("source")
        .annotate(
            concept_count=Count("items", filter=active & Q(items__kind=Item.Kind.CONCEPT)),
            question_count=Count("items", filter=active & Q(items__kind=Item.Kind.QUESTION)),
        )
        .order_by("title", "language")
    )


def slug_taken(slug: str) -> bool:
    """An active deck (any language) already has this slug: a new deck cannot take it."""
    return Deck.objects.active().filter(slug=slug).exists()


def free_slug(base: str) -> str:
    """``base``, or ``base-2``, ``base-3``… : the first slug no active deck has."""
    taken = set(Deck.objects.active().filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def deck_for_edit(slug: str, language: str) -> Deck:
    return get_object_or_404(
        Deck.objects.select_related("source"), slug=slug, language__iexact=language
    )


def deck_revisions(deck: Deck) -> list[Revision]:
    return list(Revision.objects.for_deck(deck.slug, deck.language).select_related("author"))


def revision_for_deck(deck: Deck, pk: int) -> Revision:
    return get_object_or_404(
        Revision.objects.for_deck(deck.slug, deck.language).select_related("author"), pk=pk
    )


@dataclass
class DiffLine:
    kind: str  # "add", "del", "hunk", "file" or "same"
    text: str


def revision_diff(older: Revision | None, newer: Revision) -> list[DiffLine]:
    """Unified diff between two revisions, as typed lines (the template escapes them)."""
    before = older.text.splitlines() if older else []
    lines = difflib.unified_diff(
        before,
        newer.text.splitlines(),
        fromfile=f"{older.pk if older else '∅'}",
        tofile=f"{newer.pk}",
        lineterm="",
        n=3,
    )
    result = []
    for line in lines:
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        result.append(DiffLine(kind, line))
    return result


def previous_revision(revision: Revision) -> Revision | None:
    return (
        Revision.objects.for_deck(revision.deck_slug, revision.language)
        .filter(
            Q(created_at__lt=revision.created_at)
            | Q(created_at=revision.created_at, pk__lt=revision.pk)
        )
        .first()
    )


# -- live preview ----------------------------------------------------------------------------
@dataclass
class PreviewOption:
    html: str
    is_correct: bool


@dataclass
class PreviewReference:
    title: str
    url: str


@dataclass
class PreviewItem:
    key: str
    line: int
    context: str
    prompt_html: str = ""
    text_html: str = ""
    explanation_html: str = ""
    options: list[PreviewOption] = field(default_factory=list)
    references: list[PreviewReference] = field(default_factory=list)
    # Questions: the item's exam domains and topics (its own 🏷️ lines, else the deck's) and
    # whether they came from the item (``own_*``); ``self_graded`` = no authored distractor.
    domains: list[int] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    own_domains: bool = False
    own_topics: bool = False
    self_graded: bool = False

    # The names templates/content/_deck_body.html reads (as the deck page's prefetches).
    @property
    def option_list(self) -> list[PreviewOption]:
        return self.options

    @property
    def reference_list(self) -> list[PreviewReference]:
        return self.references


@dataclass
class PreviewSection:
    key: str
    title: str
    kind: str
    intro_html: str
    items: list[PreviewItem]

    @property
    def item_list(self) -> list[PreviewItem]:
        return self.items


@dataclass
class Preview:
    """The deck as students will see it (same rendering as the importer), or the errors."""

    text: str
    path: str
    errors: list[ContentError]
    over_budget: bool = False  # parsing was stopped at CONTENT_PARSE_SECONDS
    title: str = ""
    slug: str = ""
    language: str = ""
    topics: list[str] = field(default_factory=list)
    domains: list[int] = field(default_factory=list)
    in_mock: bool = True
    intro_html: str = ""
    sections: list[PreviewSection] = field(default_factory=list)
    references: list[PreviewReference] = field(default_factory=list)
    concept_count: int = 0
    question_count: int = 0

    @property
    def error_lines(self) -> list[int]:
        return sorted({error.line for error in self.errors})

    @property
    def error_rows(self) -> list[tuple[int, str, str]]:
        """(line, message, that line of the text) for each error, in line order."""
        lines = self.text.split("\n")
        return [
            (e.line, e.message, lines[e.line - 1] if 0 < e.line <= len(lines) else "")
            for e in sorted(self.errors, key=lambda e: e.line)
        ]


def _preview_item(item: ParsedItem, index: int, deck: ParsedDeck) -> PreviewItem:
    question = item.kind == Item.Kind.QUESTION
    return PreviewItem(
        domains=list(item.domains or deck.domains) if question else [],
        topics=list(item.topics or deck.topics) if question else [],
        own_domains=item.domains is not None,
        own_topics=item.topics is not None,
        self_graded=question and not item.wrong_options,
        key=item.pinned_id or f"preview-{index}",
        line=item.line,
        context=item.context,
        prompt_html=item.prompt_html,
        text_html=item.text_html,
        explanation_html=item.explanation_html,
        options=[PreviewOption(o.html, o.correct) for o in item.options],
        references=[PreviewReference(r.title, r.url) for r in item.references],
    )


def deck_preview(
    *, text: str, deck: Deck | None = None, deadline: Deadline | None = None
) -> Preview:
    """Parse the editor's text exactly as a save would and render it for the preview (the
    HTML comes from the parse, which runs under the time budget)."""
    text = text_normalize(text)
    target = deck_target(text=text, deck=deck, deadline=deadline)
    preview = Preview(
        text=text, path=target.path, errors=target.errors, over_budget=target.over_budget
    )
    parsed: ParsedDeck | None = target.parsed
    if parsed is None:
        return preview
    counter = iter(range(1, 1_000_000))
    preview.title = parsed.title
    preview.slug = parsed.slug
    preview.language = parsed.language
    preview.topics = parsed.topics
    preview.domains = parsed.domains
    preview.in_mock = parsed.in_mock
    preview.intro_html = parsed.intro_html
    preview.sections = [
        PreviewSection(
            key=section.key,
            title=section.title,
            kind=section.kind,
            intro_html=section.intro_html,
            items=[_preview_item(item, next(counter), parsed) for item in section.items],
        )
        for section in parsed.sections
    ]
    preview.references = [PreviewReference(r.title, r.url) for r in parsed.references]
    preview.concept_count = len(parsed.concept_cards)
    preview.question_count = len(parsed.questions)
    return preview


# -- downloads -------------------------------------------------------------------------------
def zip_name(record: SourceFile) -> str:
    """The entry name of a deck in export.zip: its stored path when that is a plain relative
    path, else ``content/<language folder>/<slug>.md`` (no ``..``, no absolute path, ever)."""
    parts = PurePosixPath(record.path.replace("\\", "/")).parts
    unsafe = any(part in ("", ".", "..") or "/" in part or ":" in part for part in parts)
    if parts and not unsafe:
        return "/".join(parts)
    deck = record.deck
    return f"content/{language_folder(deck.language)}/{slugify(deck.slug) or 'deck'}.md"


def export_zip(*, now: datetime) -> bytes:
    """Every active deck's current Markdown at its path (unzip at the repository root)."""
    buffer = io.BytesIO()
    stamp = now.timetuple()[:6]
    records = SourceFile.objects.filter(deck__isnull=False, deck__retired_at__isnull=True)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        records = records.select_related("deck").only(
            "path", "text", "deck__slug", "deck__language"
        )
        for record in records.order_by("path"):
            info = zipfile.ZipInfo(zip_name(record), date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, record.text)
    return buffer.getvalue()
