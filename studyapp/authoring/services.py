"""Writes of the authoring area: save a deck's Markdown (a revision each time), revert,
upload files. Every save goes through ``content_import`` (the same importer as the
``import_content`` command), all or nothing, and marks the file as edited in the browser.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_noop

from studyapp.content.bounded import BudgetExceeded, Deadline, call_within
from studyapp.content.importer import ImportReport, Source, content_import, parse_and_render
from studyapp.content.models import Deck, SourceFile
from studyapp.content.parser import ContentError, ParsedDeck, size_error, slugify, stored_text
from studyapp.content.parser import language_folder as _language_folder

from .models import Revision

# A stem no real deck uses: when a new deck's slug comes out as this, the text named no slug
# (no ``deck:`` front matter, no ``{#id}`` on the title) and the title gives it one.
PLACEHOLDER_STEM = "x-novo-deck-sem-slug"
BASELINE_MESSAGE = gettext_noop("Versão importada de arquivo")


@dataclass
class SaveResult:
    errors: list[ContentError] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    unchanged: bool = False
    report: ImportReport | None = None
    over_budget: bool = False  # parsing took longer than CONTENT_PARSE_SECONDS

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Target:
    """Where a text goes: its SourceFile path and the deck it parses to."""

    path: str
    parsed: ParsedDeck | None
    errors: list[ContentError]
    over_budget: bool = False


def budget_error(path: str, exc: BudgetExceeded) -> ContentError:
    return ContentError(
        path,
        1,
        gettext(
            "a análise do texto passou do limite de %(seconds)s s e foi interrompida; nada foi "
            "salvo. Divida o deck em arquivos menores ou simplifique o texto"
        )
        % {"seconds": f"{exc.seconds:g}"},
    )


# Browsers send CRLF from a textarea; files in content/ use LF and end with a newline. The
# parser owns the rule because its 1 MiB limit counts the text in this form.
text_normalize = stored_text


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def language_folder(language: str) -> str:
    """content/'s folder for a language, from the configured table; never a path from text
    (a deck stored before languages were checked gets a slug of its language)."""
    try:
        return _language_folder(language)
    except ValueError:
        return slugify(language) or "pt-br"


def _line_of(text: str, prefix: str, default: int) -> int:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip().lower().startswith(prefix):
            return number
    return default


def deck_target(
    *,
    text: str,
    deck: Deck | None = None,
    display: str = "",
    stem: str = "",
    deadline: Deadline | None = None,
) -> Target:
    """Parse ``text`` for ``deck`` (an existing deck) or as a new deck and pick its path.

    A new deck goes to ``content/<language folder>/<slug>.md``; an existing deck keeps its
    SourceFile path. Without ``deck:`` in the front matter a new deck's slug comes from
    ``stem`` (an uploaded file's name, as import_content does) or else from the title.
    Editing cannot change a deck's slug or language (that would be another deck): that is
    reported as an error on the front matter line.

    Parsing and rendering run in a child process under ``deadline`` (a new
    CONTENT_PARSE_SECONDS budget if None): over it, the target holds one error and
    ``over_budget``. A parsed target comes back rendered, ready for the preview and the import.
    """
    deadline = deadline or Deadline()
    try:
        return _deck_target(text=text, deck=deck, display=display, stem=stem, deadline=deadline)
    except BudgetExceeded as exc:
        return Target("", None, [budget_error(display or "deck.md", exc)], over_budget=True)


def _deck_target(
    *, text: str, deck: Deck | None, display: str, stem: str, deadline: Deadline
) -> Target:
    if deck is not None and deck.source_id:
        path = deck.source.path
    elif deck is not None:
        path = f"content/{language_folder(deck.language)}/{deck.slug}.md"
    else:
        path = f"content/pt-br/{slugify(stem) or PLACEHOLDER_STEM}.md"
    if too_big := size_error(text, display or path):
        return Target(path, None, [too_big])
    # A new deck's path depends on what the text says: parse once to learn it (no rendering),
    # then parse and render for that path.
    parsed, errors = call_within(
        deadline, parse_and_render, text, path, display or path, render=deck is not None
    )
    if parsed is None:
        return Target(path, None, errors)
    shown = display or path
    if deck is not None:
        if parsed.slug != deck.slug or parsed.language.lower() != deck.language.lower():
            line = _line_of(text, "deck:", parsed.title_line)
            return Target(
                path,
                None,
                [
                    ContentError(
                        shown,
                        line,
                        gettext(
                            "este editor é do deck '%(deck)s' (%(language)s); o texto define "
                            "'%(other)s' (%(other_language)s). Para outro deck, use 'Novo deck'"
                        )
                        % {
                            "deck": deck.slug,
                            "language": deck.language,
                            "other": parsed.slug,
                            "other_language": parsed.language,
                        },
                    )
                ],
            )
        return Target(path, parsed, [])
    slug = parsed.slug
    if slug == slugify(PLACEHOLDER_STEM):
        slug = slugify(parsed.title)[:80].strip("-") or "deck"
    path = _free_path(slug, parsed.language)
    parsed, errors = call_within(deadline, parse_and_render, text, path, display or path)
    return Target(path, parsed, errors)


def _free_path(slug: str, language: str) -> str:
    """``content/<folder>/<slug>.md``, or the path the existing deck already uses."""
    existing = (
        Deck.objects.filter(slug=slug, language__iexact=language, source__isnull=False)
        .select_related("source")
        .first()
    )
    if existing is not None:
        return existing.source.path
    folder = language_folder(language)
    path, counter = f"content/{folder}/{slug}.md", 2
    while SourceFile.objects.filter(path=path).exists():
        path, counter = f"content/{folder}/{slug}-{counter}.md", counter + 1
    return path


def _record_baseline(path: str, parsed: ParsedDeck) -> None:
    """Keep the text as imported from a file as a revision, so it can be diffed and restored."""
    record = SourceFile.objects.filter(path=path).first()
    if record is None or not record.text:
        return
    latest = Revision.objects.for_deck(parsed.slug, parsed.language).first()
    if latest is not None and latest.sha256 == record.sha256:
        return
    Revision.objects.create(
        deck_slug=parsed.slug,
        language=parsed.language,
        path=path,
        text=record.text,
        sha256=record.sha256,
        author=None,
        created_at=record.imported_at,
        message=gettext(BASELINE_MESSAGE),
    )


def _import(
    *, author, items: list[tuple[str, str, ParsedDeck]], message: str, now: datetime
) -> SaveResult:
    """Import (path, text, parsed) triples in one go and record a revision for each."""
    try:
        return _import_atomic(author=author, items=items, message=message, now=now)
    except (IntegrityError, ValidationError) as exc:
        # A constraint the parser cannot see (e.g. two decks fighting over one file):
        # a message for the instructor, never a 500. Nothing was written.
        path = items[0][0] if items else ""
        return SaveResult(
            errors=[
                ContentError(
                    path, 1, gettext("não foi possível salvar: %(error)s") % {"error": exc}
                )
            ]
        )


def _import_atomic(
    *, author, items: list[tuple[str, str, ParsedDeck]], message: str, now: datetime
) -> SaveResult:
    with transaction.atomic():
        for path, _text, parsed in items:
            _record_baseline(path, parsed)
        report = content_import(
            sources=[
                Source(path=path, data=text.encode("utf-8"), parsed=parsed)
                for path, text, parsed in items
            ],
            force=True,  # the browser is the author here: no conflict with itself
            edited_in_browser=True,
            now=now,
        )
        if not report.ok:
            transaction.set_rollback(True)
            return SaveResult(errors=list(report.errors), report=report)
        revisions = [
            Revision(
                deck_slug=parsed.slug,
                language=parsed.language,
                path=path,
                text=text,
                sha256=sha256_text(text),
                author=author,
                created_at=now,
                message=message[:300],
            )
            for path, text, parsed in items
        ]
        for revision in revisions:
            revision.full_clean()
        Revision.objects.bulk_create(revisions)
    return SaveResult(revisions=revisions, report=report)


def deck_save(
    *,
    author,
    text: str,
    deck: Deck | None = None,
    message: str = "",
    base_sha: str = "",
    now: datetime | None = None,
) -> SaveResult:
    """Validate and import one deck's Markdown from the editor; a revision on success.

    ``deck`` is the deck being edited (None for a new deck). ``base_sha`` is the sha256 of
    the text the editor was opened with: if someone saved in between, nothing is written
    (no lost update) and the error says so.
    """
    now = now or timezone.now()
    text = text_normalize(text)
    target = deck_target(text=text, deck=deck)
    if target.errors or target.parsed is None:
        return SaveResult(errors=target.errors, over_budget=target.over_budget)
    parsed = target.parsed
    if (
        deck is None
        and Deck.objects.active()
        .filter(slug=parsed.slug, language__iexact=parsed.language)
        .exists()
    ):
        line = _line_of(text, "deck:", parsed.title_line)
        return SaveResult(
            errors=[
                ContentError(
                    target.path,
                    line,
                    gettext(
                        "já existe um deck '%(deck)s' (%(language)s); "
                        "edite-o pela lista de decks ou escolha outro slug (deck: ...)"
                    )
                    % {"deck": parsed.slug, "language": parsed.language},
                )
            ]
        )
    record = SourceFile.objects.filter(path=target.path).first()
    if deck is not None and record is not None and base_sha and base_sha != record.sha256:
        return SaveResult(
            errors=[
                ContentError(
                    target.path,
                    1,
                    gettext(
                        "este deck foi salvo por outra pessoa (ou importado) depois que você "
                        "abriu o editor; copie suas mudanças, recarregue a página e veja as "
                        "revisões"
                    ),
                )
            ]
        )
    if record is not None and record.sha256 == sha256_text(text):
        return SaveResult(unchanged=True)
    return _import(
        author=author, items=[(target.path, text, parsed)], message=message.strip(), now=now
    )


def deck_revert(*, author, revision: Revision, now: datetime | None = None) -> SaveResult:
    """Save an old revision's text again (a new revision: history only grows)."""
    deck = Deck.objects.filter(slug=revision.deck_slug, language__iexact=revision.language).first()
    stamp = formats.date_format(timezone.localtime(revision.created_at), "SHORT_DATETIME_FORMAT")
    return deck_save(
        author=author,
        text=revision.text,
        deck=deck,
        message=gettext("Revertido para a revisão de %(date)s") % {"date": stamp},
        now=now,
    )


def files_upload(
    *, author, files: list[tuple[str, bytes]], message: str = "", now: datetime | None = None
) -> SaveResult:
    """Import uploaded Markdown files (name, bytes) together: all of them or none.

    A file whose deck exists updates it (at its current path); a new deck goes to
    ``content/<language folder>/<slug>.md``.
    """
    now = now or timezone.now()
    items: list[tuple[str, str, ParsedDeck]] = []
    errors: list[ContentError] = []
    deadline = Deadline()  # one budget for all the files of one upload
    for name, data in files:
        try:
            text = text_normalize(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            errors.append(ContentError(name, line, gettext("arquivo não está em UTF-8")))
            continue
        target = deck_target(text=text, display=name, stem=PurePath(name).stem, deadline=deadline)
        if target.over_budget:
            return SaveResult(errors=target.errors, over_budget=True)
        if target.errors or target.parsed is None:
            errors.extend(target.errors)
            continue
        items.append((target.path, text, target.parsed))
    if errors:
        return SaveResult(errors=errors)
    if not items:
        return SaveResult(errors=[ContentError("", 1, gettext("nenhum arquivo enviado"))])
    return _import(
        author=author,
        items=items,
        message=message
        or gettext("Enviado como arquivo: %(files)s") % {"files": ", ".join(n for n, _ in files)},
        now=now,
    )
