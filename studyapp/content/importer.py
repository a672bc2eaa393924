"""Import Markdown decks into the database: all files of one run or none.

``content_import`` is the one entry point (the ``import_content`` command and the
authoring area both call it). It parses every file first; any error means nothing is
written. Unchanged files (same sha256) are skipped, so a re-import is a no-op (when every
file is unchanged, nothing is even parsed). Items keep their rows (and so every learner's
history) across rewording; items no longer in a file are retired, never deleted.

Memory stays flat with the number of files: files given by path are read and parsed once
to validate them (only what the cross-file checks need is kept), then read, parsed and
rendered again one at a time while writing; each deck's rows are written in bulk. Past
``PARALLEL_BYTES``, both parses (and the rendering) run in forked worker processes, in order
and a few files ahead, while this process writes (:mod:`.processes`).
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from . import versions
from .models import Deck, Item, Option, Reference, Section, SourceFile, Topic
from .parser import (
    ContentError,
    ParsedDeck,
    ParsedItem,
    ParsedSection,
    identity_text,
    parse_file,
    parse_text,
    slugify,
)
from .processes import available_cores, ordered_map
from .rendering import render_deck

CONTENT_SUFFIXES = {".md", ".markdown"}
# Parsed decks are kept between validating and writing while the files read so far total at
# most this many bytes; past it, each file is parsed again when written (memory stays flat).
KEEP_PARSED_BYTES = 4 * 1024 * 1024
# Past that size, the files are parsed (to validate them) and parsed and rendered (to write
# them) in worker processes on the other cores, ahead of the writer (:mod:`.processes`).
PARALLEL_BYTES = KEEP_PARSED_BYTES
MAX_WORKERS = 4
NEAR_IDENTICAL = 0.75


class UsageError(Exception):
    """A path that does not exist or is not Markdown (exit code 2, not a content error)."""


@dataclass
class Source:
    """One file to import: ``path`` is the key stored in SourceFile (relative when possible).

    ``parsed`` is the file already parsed (and rendered) for this path, e.g. in a child process
    under a time budget (authoring); the importer then uses it as it is. ``file`` is where
    the bytes are read from when ``data`` is None (folders: read when needed, not held).
    """

    path: str
    data: bytes | None = None
    parsed: ParsedDeck | None = None
    file: Path | None = None
    sha: str = ""
    size: int = 0

    def read(self) -> bytes:
        return self.data if self.data is not None else self.file.read_bytes()


@dataclass
class Header:
    """What the checks before writing need from a parsed deck (the deck itself is not kept)."""

    path: str
    slug: str
    language: str
    translation_of: str | None
    title_line: int
    slug_line: int
    pinned: set[str]
    parsed: ParsedDeck | None = None  # kept while the run's files are small (KEEP_PARSED_BYTES)


def parse_and_render(
    text: str, path: str, display_path: str | None = None, *, render: bool = True
) -> tuple[ParsedDeck | None, list[ContentError]]:
    """Parse a deck and render all its Markdown: pure, so it can run under a time budget."""
    deck, errors = parse_text(text, path, display_path=display_path)
    if deck is not None and render:
        render_deck(deck)
    return deck, errors


@dataclass
class ImportReport:
    decks: int = 0
    concept_cards: int = 0
    questions: int = 0
    references: int = 0
    retired: int = 0
    errors: list[ContentError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged_files: int = 0
    written_files: int = 0
    deck_slugs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "decks": self.decks,
            "concept_cards": self.concept_cards,
            "questions": self.questions,
            "references": self.references,
            "retired": self.retired,
            "errors": [error.as_dict() for error in self.errors],
        }


def source_key(path: Path) -> str:
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path(settings.BASE_DIR).resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def collect_sources(paths: list[str | Path]) -> tuple[list[Source], list[str]]:
    """Read the Markdown files under ``paths``; returns (sources, folder keys scanned)."""
    sources: list[Source] = []
    folders: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            folders.append(source_key(path).rstrip("/") + "/")
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in CONTENT_SUFFIXES)
        elif path.is_file():
            files = [path]
        else:
            raise UsageError(gettext("caminho não encontrado: %(path)s") % {"path": raw})
        sources.extend(Source(path=source_key(file), file=file) for file in files)
    return sources, folders


def content_import(
    *,
    paths: list[str | Path] | None = None,
    sources: list[Source] | None = None,
    check: bool = False,
    force: bool = False,
    edited_in_browser: bool = False,
    now: datetime | None = None,
) -> ImportReport:
    """Import files (``paths``) or in-memory ``sources``, all or nothing.

    ``check`` validates everything (including database constraints) and writes nothing.
    ``force`` overwrites decks last edited in the browser. ``edited_in_browser`` marks the
    written files as edited in the browser (the authoring area's saves).
    """
    folders: list[str] = []
    if paths is not None:
        sources, folders = collect_sources(paths)
    sources = sources or []
    now = now or timezone.now()
    report = ImportReport()
    for source in sources:
        data = source.read()
        source.sha, source.size = _sha(data), len(data)
    records = {
        record.path: record
        for record in SourceFile.objects.select_related("deck").defer("text", "deck__intro_html")
    }

    if not (check or force) and _all_unchanged(sources, records, edited_in_browser):
        with transaction.atomic():
            report.errors.extend(_conflicts(sources, folders, force))
            if report.errors:
                return report
            _count_unchanged(sources, records, report)
            _retire_missing_files(folders, {source.path for source in sources}, report, now)
            if report.retired:
                versions.content_changed()
        return report

    headers: list[tuple[Source, Header]] = []
    workers = _workers(sources)
    read, checks = 0, []
    for source in sources:
        if source.parsed is None:
            read += source.size
        checks.append((source, not workers and read <= KEEP_PARSED_BYTES))
    with contextlib.closing(ordered_map(_check, checks, processes=workers, ahead=64)) as checked:
        for source, (header, errors, counts) in zip(sources, checked, strict=True):
            report.errors.extend(errors)
            if header is not None:
                headers.append((source, header))
                report.decks += 1
                report.concept_cards += counts[0]
                report.questions += counts[1]
                report.references += counts[2]
                report.deck_slugs.append(header.slug)
    report.errors.extend(_cross_file_errors(headers))
    if report.errors:
        return report

    with transaction.atomic():
        report.errors.extend(_source_slug_errors(headers))
        report.errors.extend(_conflicts(sources, folders, force))
        if report.errors:
            return report
        # Sources first: translations line up against the source as just imported.
        ordered = sorted(headers, key=lambda pair: pair[1].translation_of is not None)
        pinned = _pins(headers)
        decks = {(deck.slug, deck.language): deck for deck in Deck.objects.defer("intro_html")}
        outlines: dict[int, _Outline] = {}  # source deck id → as written in this run
        # Files to write that are not parsed yet: parsed and rendered ahead, in workers.
        jobs = [
            (source,)
            for source, header in ordered
            if source.parsed is None
            and header.parsed is None
            and (force or not _deck_unchanged(source, header, records, decks, edited_in_browser))
        ]
        ahead = {source.path for (source,) in jobs}
        # This process writes meanwhile: one core less for the workers.
        helpers = max(1, workers - 1) if workers else 0
        with contextlib.closing(ordered_map(_render, jobs, processes=helpers)) as rendered:
            for source, header in ordered:
                errors = _import_deck(
                    source,
                    header,
                    report,
                    now,
                    force,
                    edited_in_browser,
                    pinned,
                    records,
                    decks,
                    outlines,
                    rendered=next(rendered) if source.path in ahead else None,
                )
                if errors:
                    report.errors.extend(errors)
                    transaction.set_rollback(True)
                    return report
        _retire_missing_files(folders, {source.path for source in sources}, report, now)
        if check:
            transaction.set_rollback(True)
        elif report.written_files or report.retired:
            versions.content_changed()
    return report


def _workers(sources: list[Source]) -> int:
    """How many worker processes parse and render this run's files (0: in-process). Files
    parsed already do not count: the authoring area hands its decks parsed, so a web worker
    never forks here."""
    if sum(source.size for source in sources if source.parsed is None) <= PARALLEL_BYTES:
        return 0
    cores = available_cores()
    return min(MAX_WORKERS, cores) if cores > 1 else 0


def _check(source: Source, keep: bool) -> tuple[Header | None, list[ContentError], tuple]:
    """Parse one file to validate it: its header, its errors and its (concepts, questions,
    references) counts; the parsed deck is kept in the header when ``keep`` (small runs)."""
    if source.parsed is not None and source.parsed.path == source.path:
        deck, errors = source.parsed, []
    else:
        deck, errors = parse_file(source.path, source.read())
    if deck is None:
        return None, errors, (0, 0, 0)
    counts = (len(deck.concept_cards), len(deck.questions), len(deck.references))
    return _header(source, deck, keep=keep), errors, counts


def _render(source: Source) -> ParsedDeck:
    """Parse (cleanly: it was validated) and render one file to write."""
    deck, _errors = parse_file(source.path, source.read())
    return render_deck(deck)


def _unchanged(source: Source, record: SourceFile | None, edited_in_browser: bool) -> bool:
    """The file was imported as it is now, and its deck is still there and active."""
    if record is None or record.sha256 != source.sha:
        return False
    if record.edited_in_browser != edited_in_browser:
        return False
    deck = getattr(record, "deck", None)
    return deck is not None and deck.retired_at is None


def _all_unchanged(
    sources: list[Source], records: dict[str, SourceFile], edited_in_browser: bool
) -> bool:
    return bool(sources) and all(
        source.parsed is None and _unchanged(source, records.get(source.path), edited_in_browser)
        for source in sources
    )


def _count_unchanged(
    sources: list[Source], records: dict[str, SourceFile], report: ImportReport
) -> None:
    """The report of a run where every file is unchanged: its figures from the database."""
    decks = [records[source.path].deck for source in sources]
    ids = [deck.pk for deck in decks]
    counts = dict(
        Item.objects.filter(deck_id__in=ids, retired_at__isnull=True)
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    report.decks = len(decks)
    report.concept_cards = counts.get(Item.Kind.CONCEPT, 0)
    report.questions = counts.get(Item.Kind.QUESTION, 0)
    report.references = Reference.objects.filter(deck_id__in=ids, item__isnull=True).count()
    report.deck_slugs = [deck.slug for deck in decks]
    report.unchanged_files = len(decks)


def _header(source: Source, deck: ParsedDeck, *, keep: bool) -> Header:
    return Header(
        path=source.path,
        slug=deck.slug,
        language=deck.language,
        translation_of=deck.translation_of,
        title_line=deck.title_line,
        slug_line=deck.slug_line,
        pinned={item.pinned_id for item in deck.items if item.pinned_id},
        parsed=deck if keep else None,
    )


# -- validation across files ---------------------------------------------------------------
def _cross_file_errors(parsed: list[tuple[Source, Header]]) -> list[ContentError]:
    errors: list[ContentError] = []
    seen: dict[tuple[str, str], str] = {}
    for source, deck in parsed:
        key = (deck.slug, deck.language.lower())
        if key in seen:
            errors.append(
                ContentError(
                    source.path,
                    deck.title_line,
                    gettext("deck '%(deck)s' (%(language)s) já definido em %(path)s")
                    % {"deck": deck.slug, "language": deck.language, "path": seen[key]},
                )
            )
        seen[key] = source.path
    return errors


def _source_slug_errors(parsed: list[tuple[Source, Header]]) -> list[ContentError]:
    """One source deck per slug: /decks/<slug>/, /study/<slug>/ and the Anki export name a
    deck by its slug alone, so two source decks with one slug in two languages (in this import,
    or one here and one already imported from another file) are refused."""
    errors: list[ContentError] = []
    sources = [(source, deck) for source, deck in parsed if not deck.translation_of]
    paths = {source.path for source, _deck in parsed}
    stored = _stored_sources({deck.slug for _source, deck in sources}, paths)
    first: dict[str, tuple[str, str]] = {}
    for source, deck in sources:
        other = first.setdefault(deck.slug, (source.path, deck.language))
        if other[0] == source.path or other[1].lower() == deck.language.lower():
            language = deck.language.lower()
            existing = next(
                (
                    found
                    for found in stored.get(deck.slug, [])
                    if found.language.lower() != language
                ),
                None,
            )
            if existing is None:
                continue
            other = (existing.source.path if existing.source_id else "?", existing.language)
        errors.append(
            ContentError(
                source.path,
                deck.slug_line,
                gettext(
                    "o deck '%(deck)s' já existe em %(language)s (%(path)s): um deck de origem "
                    "por slug; escolha outro slug (deck: ...) ou, se for uma tradução, "
                    "use translation-of: %(deck)s"
                )
                % {"deck": deck.slug, "language": other[1], "path": other[0]},
            )
        )
    return errors


def _stored_sources(slugs: set[str], paths: set[str]) -> dict[str, list[Deck]]:
    """slug → the active source decks stored with that slug whose file is not one of
    ``paths`` (by title), in a few queries whatever the number of files."""
    found: dict[str, list[Deck]] = {}
    ordered = sorted(slugs)
    for start in range(0, len(ordered), BATCH):
        decks = (
            Deck.objects.sources()
            .filter(slug__in=ordered[start : start + BATCH])
            .select_related("source")
            .defer("intro_html", "source__text")
            .order_by("title", "pk")
        )
        for deck in decks:
            if deck.source_id is None or deck.source.path not in paths:
                found.setdefault(deck.slug, []).append(deck)
    return found


def _conflicts(sources: list[Source], folders: list[str], force: bool) -> list[ContentError]:
    """Decks edited in the browser are never silently overwritten from files."""
    if force:
        return []
    errors: list[ContentError] = []
    paths = {source.path: source for source in sources}
    edited = SourceFile.objects.filter(edited_in_browser=True)
    for record in edited:
        source = paths.get(record.path)
        if source is not None and source.sha != record.sha256:
            errors.append(
                ContentError(
                    record.path,
                    1,
                    gettext(
                        "conflito: este deck foi editado no navegador depois da última "
                        "importação; baixe-o na área do instrutor ou use --force para sobrescrever"
                    ),
                )
            )
        elif source is None and any(record.path.startswith(folder) for folder in folders):
            errors.append(
                ContentError(
                    record.path,
                    1,
                    gettext(
                        "conflito: deck criado no navegador e ausente da pasta; "
                        "baixe-o na área do instrutor ou use --force para aposentá-lo"
                    ),
                )
            )
    return errors


@dataclass
class _Pins:
    """The run's ``{#id}``s. An item whose id moves from one of its files to another keeps
    its row (and every learner's history): see :func:`_moved_items`."""

    # (slug, language) → the ids its file pins, for every source deck of the run.
    by_deck: dict[tuple[str, str], set[str]]
    # (language, id) of every pinned item of a source deck stored when the run began: an item
    # can only move here from one of these (the run's own items are pinned by their files).
    stored: set[tuple[str, str]]


def _pins(parsed: list[tuple[Source, Header]]) -> _Pins:
    by_deck = {
        (deck.slug, deck.language.lower()): deck.pinned
        for _source, deck in parsed
        if deck.translation_of is None
    }
    stored = set(
        Item.objects.filter(pinned=True, deck__translation_of__isnull=True).values_list(
            "deck__language", "key"
        )
    )
    return _Pins(by_deck, stored)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- one deck ------------------------------------------------------------------------------
def _deck_unchanged(
    source: Source,
    header: Header,
    records: dict[str, SourceFile],
    decks: dict[tuple[str, str], Deck],
    edited_in_browser: bool,
) -> bool:
    record = records.get(source.path)
    deck = decks.get((header.slug, header.language))
    return (
        record is not None
        and record.sha256 == source.sha
        and deck is not None
        and deck.source_id == record.pk
        and deck.retired_at is None
        and record.edited_in_browser == edited_in_browser
    )


def _import_deck(
    source: Source,
    header: Header,
    report: ImportReport,
    now: datetime,
    force: bool,
    edited_in_browser: bool,
    pinned: _Pins,
    records: dict[str, SourceFile],
    decks: dict[tuple[str, str], Deck],
    outlines: dict[int, _Outline],
    rendered: ParsedDeck | None = None,
) -> list[ContentError]:
    record = records.get(source.path)
    deck = decks.get((header.slug, header.language))
    if not force and _deck_unchanged(source, header, records, decks, edited_in_browser):
        report.unchanged_files += 1
        return []
    data = source.read()
    if source.parsed is not None and source.parsed.path == source.path:
        parsed = source.parsed
    elif rendered is not None:
        parsed = rendered
    elif header.parsed is not None:
        parsed = header.parsed
        header.parsed = None  # written once: let it go
    else:
        parsed, _errors = parse_file(source.path, data)  # parsed cleanly before
    if not parsed.rendered:
        render_deck(parsed)

    source_deck = None
    if parsed.translation_of:
        candidates = Deck.objects.sources().filter(slug=parsed.translation_of)
        if deck is not None:
            candidates = candidates.exclude(pk=deck.pk)
        source_deck = candidates.first()
        if source_deck is None:
            return [
                ContentError(
                    source.path,
                    parsed.title_line,
                    gettext("translation-of: deck de origem '%(deck)s' não existe")
                    % {"deck": parsed.translation_of},
                )
            ]

    if record is None:
        record = SourceFile(path=source.path)
    record.sha256 = source.sha
    record.text = data.decode("utf-8")
    record.imported_at = now
    record.edited_in_browser = edited_in_browser
    record.save()

    new = deck is None  # then it has no rows to compare with: no query for them
    if deck is None:
        deck = Deck(slug=parsed.slug, language=parsed.language)
        decks[(deck.slug, deck.language)] = deck
    elif deck.source_id and deck.source_id != record.pk:
        SourceFile.objects.filter(pk=deck.source_id).exclude(pk=record.pk).update(
            edited_in_browser=False
        )
    deck.title = parsed.title
    deck.intro_html = parsed.intro_html
    deck.source = record
    deck.translation_of = source_deck
    deck.domains = parsed.domains
    deck.in_mock = parsed.in_mock
    deck.retired_at = None
    deck.save()
    # The run keeps every deck (``decks``): not the text of its file (memory flat with files).
    record.__dict__.pop("text", None)
    deck_topics = _topics(parsed.topics)
    deck.topics.set(deck_topics)
    report.written_files += 1

    sections = _sync_sections(deck, parsed.sections, now, new=new)
    if source_deck is not None:
        errors = _sync_translation(
            deck, source_deck, parsed, sections, report, now, outlines, new=new
        )
        if errors:
            return errors
    else:
        _sync_items(deck, parsed, sections, report, now, pinned, deck_topics, outlines, new=new)
    _sync_references(deck, parsed, new=new)
    return []


def _topics(names: list[str]) -> list[Topic]:
    topics = []
    for name in names:
        slug = slugify(name)
        label = name.upper() if name == slug and len(name) <= 4 else name
        topic, created = Topic.objects.get_or_create(slug=slug, defaults={"name": label})
        if not created and name != slug and topic.name != name:
            topic.name = name
            topic.save(update_fields=["name"])
        topics.append(topic)
    return topics


def _sync_sections(
    deck: Deck, parsed_sections: list[ParsedSection], now: datetime, *, new: bool
) -> list[Section]:
    fields = ("title", "kind", "position", "intro_html", "retired_at")
    existing = {} if new else {section.key: section for section in deck.sections.all()}
    result, new, changed = [], [], []
    for position, parsed in enumerate(parsed_sections):
        section = existing.pop(parsed.key, None) or Section(deck=deck, key=parsed.key)
        before = tuple(getattr(section, name) for name in fields)
        section.title = parsed.title
        section.kind = parsed.kind
        section.position = position
        section.intro_html = parsed.intro_html
        section.retired_at = None
        if section.pk is None:
            new.append(section)
        elif tuple(getattr(section, name) for name in fields) != before:
            changed.append(section)
        result.append(section)
    Section.objects.bulk_create(new)
    Section.objects.bulk_update(changed, list(fields))
    gone = [section.pk for section in existing.values() if section.retired_at is None]
    if gone:
        Section.objects.filter(pk__in=gone).update(retired_at=now)
    return result


def _sync_items(
    deck: Deck,
    parsed_deck: ParsedDeck,
    sections: list[Section],
    report: ImportReport,
    now: datetime,
    pinned: _Pins,
    deck_topics: list[Topic],
    outlines: dict[int, _Outline],
    *,
    new: bool,
) -> None:
    parsed_sections = parsed_deck.sections
    existing = [] if new else list(deck.items.select_related("section"))
    existing += _moved_items(deck, parsed_deck, {item.key for item in existing}, pinned)
    matches = _match_items(existing, parsed_sections)
    used: set[str] = {item.key for item in existing}
    topic_cache: dict[tuple[str, ...], list[Topic]] = {}
    writes: list[_Write] = []
    for section, parsed_section in zip(sections, parsed_sections, strict=True):
        for position, parsed in enumerate(parsed_section.items):
            item = matches.get(id(parsed))
            if item is None:
                item = Item(deck=deck, key=_new_key(parsed, parsed_section, used))
                used.add(item.key)
                report.created += 1
            else:
                item.deck = deck  # an item moved here from another deck keeps its row
                report.updated += 1
            topics = deck_topics
            if parsed.topics:
                names = tuple(parsed.topics)
                if names not in topic_cache:
                    topic_cache[names] = _topics(parsed.topics)
                topics = topic_cache[names]
            writes.append(
                _fill_item(
                    item,
                    parsed,
                    section,
                    position,
                    domains=parsed.domains or parsed_deck.domains,
                    topics=topics,
                )
            )
    _write_items(writes, now)
    outlines[deck.pk] = _written_outline(sections, writes)
    matched = {item.pk for item in matches.values()}
    gone = [item for item in existing if item.pk not in matched and item.retired_at is None]
    if any(item.pinned for item in gone):
        # Ids another file of this run pins move there (see _moved_items): not retired here.
        language = deck.language.lower()
        elsewhere = set().union(
            *(
                ids
                for (slug, lang), ids in pinned.by_deck.items()
                if lang == language and slug != deck.slug
            )
        )
        gone = [
            item
            for item in gone
            if not (item.pinned and item.key in elsewhere and item.deck_id == deck.pk)
        ]
    report.retired += _retire(gone, now)


def _moved_items(deck: Deck, parsed_deck: ParsedDeck, keys: set[str], pinned: _Pins) -> list[Item]:
    """Items this file pins by ``{#id}`` that live in another source deck of the same run
    whose file no longer pins that id: the instructor moved them here (for example, to an
    out-of-mock deck). Matching them by id keeps their rows, so learners' history follows."""
    language = deck.language.lower()
    wanted = {
        item.pinned_id
        for item in parsed_deck.items
        if item.pinned_id and item.pinned_id not in keys
    }
    if not any((deck.language, key) in pinned.stored for key in wanted):
        return []  # e.g. every item of a first import: no query
    sources = {
        slug
        for (slug, lang), ids in pinned.by_deck.items()
        if lang == language and slug != deck.slug and wanted - ids
    }
    candidates = Item.objects.filter(
        key__in=wanted,
        pinned=True,
        deck__slug__in=sources,
        deck__language=deck.language,
        deck__translation_of__isnull=True,
    ).select_related("section", "deck")
    moved, seen = [], set()
    for item in candidates.order_by("retired_at", "pk"):  # active rows first
        if item.key in seen or item.key in pinned.by_deck.get((item.deck.slug, language), set()):
            continue
        seen.add(item.key)
        moved.append(item)
    return moved


def _match_items(existing: list[Item], parsed_sections: list[ParsedSection]) -> dict[int, Item]:
    """Pair parsed items with existing rows: pinned id, exact text, same place, near text."""
    matches: dict[int, Item] = {}
    taken: set[int] = set()
    by_key = {item.key: item for item in existing}
    by_text = {
        (item.section.key, item.kind, _stored_identity(item)): item
        for item in existing
        if not item.pinned
    }

    def take(parsed: ParsedItem, item: Item | None) -> bool:
        if item is None or item.pk in taken:
            return False
        matches[id(parsed)] = item
        taken.add(item.pk)
        return True

    pending: list[tuple[ParsedSection, int, ParsedItem]] = []
    for section in parsed_sections:
        for position, parsed in enumerate(section.items):
            if parsed.pinned_id:
                take(parsed, by_key.get(parsed.pinned_id))
            elif not take(parsed, by_text.get((section.key, parsed.kind, identity_text(parsed)))):
                pending.append((section, position, parsed))

    # Reworded items: same section and place first, then near-identical text in the deck.
    for section, position, parsed in list(pending):
        for item in existing:
            if (
                item.pk not in taken
                and not item.pinned
                and item.retired_at is None
                and item.section.key == section.key
                and item.kind == parsed.kind
                and item.position == position
            ):
                take(parsed, item)
                pending.remove((section, position, parsed))
                break
    for _section, _position, parsed in pending:
        text = identity_text(parsed)
        candidates = [
            (difflib.SequenceMatcher(None, text, _stored_identity(item)).ratio(), item.pk, item)
            for item in existing
            if item.pk not in taken and not item.pinned and item.kind == parsed.kind
        ]
        if candidates:
            ratio, _pk, item = max(candidates, key=lambda c: (c[0], -c[1]))
            if ratio >= NEAR_IDENTICAL:
                take(parsed, item)
    return matches


def _stored_identity(item: Item) -> str:
    raw = item.prompt if item.kind == Item.Kind.QUESTION else item.text_md
    return " ".join(raw.split()).lower()


def _new_key(parsed: ParsedItem, section: ParsedSection, used: set[str]) -> str:
    if parsed.pinned_id:
        return parsed.pinned_id
    digest = hashlib.sha1(identity_text(parsed).encode(), usedforsecurity=False).hexdigest()
    base = f"{section.key[:60]}-{digest[:8]}"
    key, counter = base, 2
    while key in used:
        key, counter = f"{base}-{counter}", counter + 1
    return key


# Every field the importer sets on an item (compared before/after: unchanged rows are not
# written, so their updated_at stays as it was).
ITEM_FIELDS = (
    "deck",
    "section",
    "translation_of",
    "kind",
    "pinned",
    "position",
    "line",
    "context",
    "prompt",
    "prompt_html",
    "text_md",
    "text_html",
    "cloze_term",
    "cloze_html",
    "explanation_md",
    "explanation_html",
    "domains",
    "retired_at",
)
BATCH = 500


def _state(item: Item) -> tuple:
    return tuple(getattr(item, Item._meta.get_field(name).attname) for name in ITEM_FIELDS)


@dataclass
class _Write:
    """One item as a file describes it: the row (filled, not saved yet) and what goes with it."""

    item: Item
    parsed: ParsedItem
    topics: list[Topic]
    before: tuple | None  # the row's fields before filling it (None: a new row)


def _fill_item(
    item: Item,
    parsed: ParsedItem,
    section: Section,
    position: int,
    *,
    domains: list[int],
    topics: list[Topic],
) -> _Write:
    before = _state(item) if item.pk is not None else None
    item.domains = list(domains)
    item.section = section
    item.kind = parsed.kind
    item.pinned = bool(parsed.pinned_id)
    item.position = position
    item.line = parsed.line
    item.context = parsed.context
    item.prompt = parsed.prompt
    item.prompt_html = parsed.prompt_html
    item.text_md = parsed.text
    item.text_html = parsed.text_html
    item.cloze_term = parsed.cloze_term
    item.cloze_html = parsed.cloze_html
    item.explanation_md = parsed.explanation
    item.explanation_html = parsed.explanation_html
    item.retired_at = None
    return _Write(item, parsed, topics, before)


def _write_items(writes: list[_Write], now: datetime) -> None:
    """Save a deck's items in bulk: new rows, changed rows, their topics, options (updated in
    place by position, so quiz answers keep pointing at them) and references."""
    new = [write.item for write in writes if write.before is None]
    old = [write for write in writes if write.before is not None]
    changed = [write.item for write in old if _state(write.item) != write.before]
    for item in changed:
        item.updated_at = now
    _create_items(new)
    if changed:
        Item.objects.bulk_update(changed, [*ITEM_FIELDS, "updated_at"], batch_size=BATCH)
    # Only items that were there already have topics, options and references to compare
    # (a new deck has none: no query built for them).
    old_ids = [write.item.pk for write in old]

    through = Item.topics.through
    have: dict[int, set[int]] = {}
    links = through.objects.filter(item_id__in=old_ids).values_list("item_id", "topic_id")
    for item_id, topic_id in links if old_ids else []:
        have.setdefault(item_id, set()).add(topic_id)
    stale, pairs = [], []
    for write in writes:
        wanted = {topic.pk for topic in write.topics}
        current = have.get(write.item.pk, set())
        if wanted != current:
            if current:
                stale.append(write.item.pk)
            pairs += [(write.item.pk, pk) for pk in sorted(wanted)]
    if stale:
        through.objects.filter(item_id__in=stale).delete()
    _insert(through, ("item", "topic"), pairs)

    rows: dict[int, list[Option]] = {}
    options = Option.objects.filter(item_id__in=old_ids).order_by("item_id", "position", "pk")
    for option in options if old_ids else []:
        rows.setdefault(option.item_id, []).append(option)
    create, update, surplus = [], [], []
    for write in writes:
        existing = rows.get(write.item.pk, [])
        for position, option in enumerate(write.parsed.options):
            values = (position, option.text, option.html, option.correct)
            if position >= len(existing):
                create.append((write.item.pk, *values))
                continue
            row = existing[position]
            if (row.position, row.text_md, row.html, row.is_correct) != values:
                row.position, row.text_md, row.html, row.is_correct = values
                update.append(row)
        surplus += [row.pk for row in existing[len(write.parsed.options) :]]
    _insert(Option, ("item", "position", "text_md", "html", "is_correct"), create)
    if update:
        Option.objects.bulk_update(
            update, ["position", "text_md", "html", "is_correct"], batch_size=BATCH
        )
    if surplus:
        Option.objects.filter(pk__in=surplus).delete()

    if old_ids:
        Reference.objects.filter(item_id__in=old_ids).delete()
    _insert(
        Reference,
        ("deck", "item", "title", "url", "position"),
        (
            (write.item.deck_id, write.item.pk, ref.title, ref.url, i)
            for write in writes
            for i, ref in enumerate(write.parsed.references)
        ),
    )


def _create_items(items: list[Item]) -> None:
    """``bulk_create(items)`` for new rows, without compiling every value of every row: the
    same columns and values (one timestamp for the batch), ids read back in order
    (``INSERT … RETURNING``, as bulk_create does on SQLite and PostgreSQL)."""
    if not items:
        return
    if not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover
        Item.objects.bulk_create(items, batch_size=BATCH)
        return
    stamp = timezone.now()
    domains = Item._meta.get_field("domains")
    stored_stamp = Item._meta.get_field("created_at").get_db_prep_save(stamp, connection)
    fields = ("key", *ITEM_FIELDS, "created_at", "updated_at")
    attnames = [Item._meta.get_field(name).attname for name in ("key", *ITEM_FIELDS)]
    at_domains = attnames.index("domains")
    rows = []
    for item in items:
        item.created_at = item.updated_at = stamp
        row = [getattr(item, attname) for attname in attnames]
        row[at_domains] = domains.get_db_prep_save(row[at_domains], connection)
        rows.append((*row, stored_stamp, stored_stamp))
    for item, pk in zip(items, _insert(Item, fields, rows, returning=True), strict=True):
        item.pk = pk
        item._state.adding = False
        item._state.db = connection.alias


def _insert(
    model, fields: tuple[str, ...], rows: Iterable[tuple], *, returning: bool = False
) -> list:
    """INSERT ``rows`` (values in the order of ``fields``, as the database stores them: ids,
    text, numbers, booleans) in batches: what ``bulk_create`` writes, without building a model
    instance and compiling every value of every row (the import's options, references and
    topic links are most of its rows); their ids in order when ``returning``. No signals, as
    with ``bulk_create``."""
    rows = list(rows)
    if not rows:
        return []
    quote = connection.ops.quote_name  # names from the models, values as parameters
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
    returns = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    # Many rows per statement (one round trip each on PostgreSQL), within SQLite's limit on
    # parameters (PostgreSQL has none that matters here).
    limit = connection.features.max_query_params
    size = max(1, min(BATCH, limit // len(fields))) if limit else BATCH
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            values = [value for values in chunk for value in values]
            cursor.execute(sql + ", ".join([row] * len(chunk)) + returns, values)
            if returning:
                ids += [found for (found,) in cursor.fetchall()]
    return ids


def _retire(items: list[Item], now: datetime) -> int:
    if items:
        Item.objects.filter(pk__in=[item.pk for item in items]).update(
            retired_at=now, updated_at=now
        )
    return len(items)


def _sync_references(deck: Deck, parsed: ParsedDeck, *, new: bool) -> None:
    if not new:
        deck.references.filter(item__isnull=True).delete()
    _insert(
        Reference,
        ("deck", "item", "title", "url", "position"),
        ((deck.pk, None, ref.title, ref.url, index) for index, ref in enumerate(parsed.references)),
    )


# -- translations --------------------------------------------------------------------------
def _sync_translation(
    deck: Deck,
    source_deck: Deck,
    parsed: ParsedDeck,
    sections: list[Section],
    report: ImportReport,
    now: datetime,
    outlines: dict[int, _Outline],
    *,
    new: bool,
) -> list[ContentError]:
    """Line a translation up with its source (by id, else by order within each section) and,
    when every item lines up, write it; items no longer in it are retired."""
    outline = outlines.get(source_deck.pk) or _source_outline(source_deck)
    outline.load_topics()
    pairs, errors = _line_up(parsed, sections, source_deck, outline)
    if errors:
        return errors
    existing = {} if new else {item.key: item for item in deck.items.all()}
    writes: list[_Write] = []
    for parsed_item, original, section, position in pairs:
        item = existing.get(original.key) or Item(deck=deck, key=original.key)
        item.translation_of_id = original.pk
        writes.append(
            _fill_item(
                item,
                parsed_item,
                section,
                position,
                domains=original.domains,
                topics=outline.topics_of(original),
            )
        )
    _write_items(writes, now)
    kept = {write.item.pk for write in writes}
    _retire(
        [item for item in existing.values() if item.pk not in kept and item.retired_at is None],
        now,
    )
    return []


@dataclass(slots=True)
class _OutlineSection:
    pk: int
    kind: str
    title: str


@dataclass(slots=True)
class _Original:
    """A source item as its translations line up against it (small: the run keeps one per
    item of every source deck it writes)."""

    pk: int
    key: str
    kind: str
    domains: tuple[int, ...]
    topic_ids: tuple[int, ...]
    correct: int  # correct options
    total: int  # options


@dataclass
class _Outline:
    """A source deck as its translations line up against it."""

    sections: list[_OutlineSection]  # active content sections, in order
    items: dict[int, list[_Original]]  # section id → its active items, in order
    topics: dict[int, Topic] = field(default_factory=dict)  # by id, read by load_topics

    def load_topics(self) -> None:
        """The topics as they are now (one query)."""
        wanted = {pk for items in self.items.values() for item in items for pk in item.topic_ids}
        self.topics = {topic.pk: topic for topic in Topic.objects.filter(pk__in=wanted)}

    def topics_of(self, original: _Original) -> list[Topic]:
        """An item's topics by name, as the deck pages list them."""
        topics = (self.topics[pk] for pk in original.topic_ids)
        return sorted(topics, key=lambda topic: (topic.name, topic.pk))


def _written_outline(sections: list[Section], writes: list[_Write]) -> _Outline:
    """The outline of a source deck just written, from what was written: its translations,
    written later in the run, line up against it without reading it back (four queries each,
    where PostgreSQL, without statistics on rows of the open transaction, may scan every
    option each time)."""
    content = [
        _OutlineSection(section.pk, section.kind, section.title)
        for section in sections
        if section.kind != Section.Kind.REFERENCES
    ]
    items: dict[int, list[_Original]] = {section.pk: [] for section in content}
    shared: dict[tuple, tuple] = {}  # one tuple for equal domains or topics
    for write in writes:  # in order: section by section, by position
        item, options = write.item, write.parsed.options
        if item.section_id not in items:  # pragma: no cover (references hold no items)
            continue
        domains = tuple(item.domains)
        topic_ids = tuple(sorted({topic.pk for topic in write.topics}))
        items[item.section_id].append(
            _Original(
                item.pk,
                item.key,
                item.kind,
                shared.setdefault(domains, domains),
                shared.setdefault(topic_ids, topic_ids),
                sum(1 for option in options if option.correct),
                len(options),
            )
        )
    return _Outline(content, items)


def _source_outline(source_deck: Deck) -> _Outline:
    """The outline of a source deck not written in this run, read from the database."""
    sections = [
        _OutlineSection(section.pk, section.kind, section.title)
        for section in source_deck.sections.filter(retired_at__isnull=True).order_by("position")
        if section.kind != Section.Kind.REFERENCES
    ]
    rows = list(
        Item.objects.filter(section__in=[section.pk for section in sections])
        .filter(retired_at__isnull=True)
        .order_by("section_id", "position", "pk")
        .values_list("pk", "section_id", "key", "kind", "domains")  # not the texts
    )
    ids = [row[0] for row in rows]
    # Topics and options by item id (their indexes), not joined through the items' sections
    # (PostgreSQL may plan that join as a scan of every option).
    links = Item.topics.through.objects.filter(item_id__in=ids).values_list("item_id", "topic_id")
    topic_ids: dict[int, list[int]] = {}
    for item_id, topic_id in links:
        topic_ids.setdefault(item_id, []).append(topic_id)
    options = {
        item_id: (correct, total)
        for item_id, correct, total in Option.objects.filter(item_id__in=ids)
        .values("item_id")
        .annotate(correct=Count("id", filter=Q(is_correct=True)), total=Count("id"))
        .values_list("item_id", "correct", "total")
    }
    items: dict[int, list[_Original]] = {section.pk: [] for section in sections}
    for pk, section_id, key, kind, domains in rows:
        topics = tuple(sorted(topic_ids.get(pk, [])))
        items[section_id].append(
            _Original(pk, key, kind, tuple(domains), topics, *options.get(pk, (0, 0)))
        )
    return _Outline(sections, items)


def _line_up(
    parsed: ParsedDeck, sections: list[Section], source_deck: Deck, outline: _Outline
) -> tuple[list[tuple[ParsedItem, _Original, Section, int]], list[ContentError]]:
    """(parsed item, source item, section, position) for every item of the translation, or
    the errors (file:line) where it does not line up with its source."""
    path = parsed.path
    pairs = [
        (p, s)
        for p, s in zip(parsed.sections, sections, strict=True)
        if p.kind != Section.Kind.REFERENCES
    ]
    if len(pairs) != len(outline.sections):
        return [], [
            ContentError(
                path,
                parsed.title_line,
                gettext(
                    "tradução não corresponde à origem '%(deck)s': "
                    "%(count)d seções de conteúdo, a origem tem %(source_count)d"
                )
                % {
                    "deck": source_deck.slug,
                    "count": len(pairs),
                    "source_count": len(outline.sections),
                },
            )
        ]
    errors: list[ContentError] = []
    lined_up: list[tuple[ParsedItem, _Original, Section, int]] = []
    for (parsed_section, section), source_section in zip(pairs, outline.sections, strict=True):
        originals = outline.items[source_section.pk]
        if parsed_section.kind != source_section.kind or len(parsed_section.items) != len(
            originals
        ):
            errors.append(
                ContentError(
                    path,
                    parsed_section.line,
                    gettext(
                        "seção '%(section)s' não corresponde a '%(source)s' da origem: "
                        "%(count)d itens, a origem tem %(source_count)d"
                    )
                    % {
                        "section": parsed_section.title,
                        "source": source_section.title,
                        "count": len(parsed_section.items),
                        "source_count": len(originals),
                    },
                )
            )
            continue
        by_key = {item.key: item for item in originals}
        for position, (parsed_item, ordered) in enumerate(
            zip(parsed_section.items, originals, strict=True)
        ):
            original = by_key.get(parsed_item.pinned_id) if parsed_item.pinned_id else ordered
            error = _item_mismatch(parsed_item, original, ordered, outline)
            if error:
                errors.append(ContentError(path, parsed_item.line, error))
            else:
                lined_up.append((parsed_item, original, section, position))
    return lined_up, errors


def _item_mismatch(
    parsed_item: ParsedItem, original: _Original | None, ordered: _Original, outline: _Outline
) -> str:
    """Why a translated item does not match its source item ("" when it does)."""
    if original is None or original.kind != parsed_item.kind:
        return gettext("item não corresponde a nenhum item da origem (id '%(id)s')") % {
            "id": parsed_item.pinned_id or ordered.key
        }
    correct, total = original.correct, original.total
    if parsed_item.kind == Item.Kind.QUESTION and (
        len(parsed_item.correct_options) != correct or len(parsed_item.options) != total
    ):
        return gettext(
            "opções não correspondem à origem: %(correct)d ✅ de %(total)d, "
            "a origem tem %(source_correct)d ✅ de %(source_total)d"
        ) % {
            "correct": len(parsed_item.correct_options),
            "total": len(parsed_item.options),
            "source_correct": correct,
            "source_total": total,
        }
    return _tag_mismatch(parsed_item, original.domains, outline.topics_of(original))


def _tag_mismatch(parsed: ParsedItem, domains: list[int], topics: list[Topic]) -> str:
    """A translation's ``🏷️`` lines, when present, must say what its source item says:
    domains and topics belong to the item, whatever the language it is shown in."""
    if parsed.domains is not None and sorted(parsed.domains) != sorted(domains):
        return gettext(
            "domínios (🏷️) não correspondem à origem: %(here)s, a origem tem %(source)s"
        ) % {
            "here": ", ".join(map(str, parsed.domains)),
            "source": ", ".join(map(str, domains)) or "—",
        }
    if parsed.topics is not None and sorted(slugify(t) for t in parsed.topics) != sorted(
        topic.slug for topic in topics
    ):
        return gettext(
            "tópicos (🏷️) não correspondem à origem: %(here)s, a origem tem %(source)s"
        ) % {
            "here": ", ".join(parsed.topics),
            "source": ", ".join(topic.name for topic in topics) or "—",
        }
    return ""


def _retire_missing_files(
    folders: list[str], seen: set[str], report: ImportReport, now: datetime
) -> None:
    """A file removed from a scanned folder retires its deck (history kept)."""
    if not folders:
        return
    for record in SourceFile.objects.exclude(path__in=seen).select_related("deck"):
        if not any(record.path.startswith(folder) for folder in folders):
            continue
        deck = getattr(record, "deck", None)
        if deck is None or deck.retired_at is not None:
            continue
        deck.retired_at = now
        deck.save(update_fields=["retired_at", "updated_at"])
        report.retired += deck.items.filter(retired_at__isnull=True).update(retired_at=now)
