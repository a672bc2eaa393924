"""Large imports: files parsed and rendered in worker processes give the same rows as in-process,
stay all or nothing, and cost the same number of queries for each deck whatever the run's size."""

import os
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from studyapp.content import importer
from studyapp.content.importer import Source, content_import
from studyapp.content.models import Deck, Item, Option, Reference, Section, SourceFile, Topic
from studyapp.content.processes import ordered_map

pytestmark = pytest.mark.django_db

CONTENT = Path(settings.BASE_DIR) / "content"
ITEM_FIELDS = (
    "deck__slug",
    "deck__language",
    "key",
    "kind",
    "position",
    "line",
    "prompt_html",
    "text_html",
    "cloze_term",
    "cloze_html",
    "explanation_html",
    "domains",
    "translation_of__key",
)


def _rows() -> list[list[str]]:
    """Every content row, without ids or timestamps (ids follow the order of the writes)."""
    tables = [
        SourceFile.objects.values_list("path", "sha256", "text", "edited_in_browser"),
        Deck.objects.values_list("slug", "language", "title", "intro_html", "domains"),
        Section.objects.values_list("deck__slug", "deck__language", "key", "intro_html"),
        Item.objects.values_list(*ITEM_FIELDS),
        Item.topics.through.objects.values_list("item__deck__slug", "item__key", "topic__slug"),
        Option.objects.values_list("item__deck__slug", "item__key", "position", "html"),
        Reference.objects.values_list("deck__slug", "item__key", "position", "title", "url"),
    ]
    return [sorted(map(repr, rows)) for rows in tables]


def _wipe() -> None:
    Deck.objects.all().delete()
    SourceFile.objects.all().delete()
    Topic.objects.all().delete()


def test_workers_store_what_one_process_stores(monkeypatch):
    monkeypatch.setattr(importer, "available_cores", lambda: 2)
    monkeypatch.setattr(importer, "PARALLEL_BYTES", 0)
    calls = []

    def spy(function, arguments, *, processes, **kwargs):
        calls.append((function.__name__, processes))
        return ordered_map(function, arguments, processes=processes, **kwargs)

    monkeypatch.setattr(importer, "ordered_map", spy)
    assert content_import(paths=[CONTENT]).ok
    # Validating on both cores, then one worker beside this process, which writes.
    assert calls == [("_check", 2), ("_render", 1)]
    in_workers = _rows()

    _wipe()
    monkeypatch.setattr(importer, "PARALLEL_BYTES", 10**12)
    calls.clear()
    assert content_import(paths=[CONTENT]).ok
    assert calls == [("_check", 0), ("_render", 0)]
    assert _rows() == in_workers
    assert len(in_workers[3]) == 652  # every item of content/


def test_a_bad_file_in_a_large_import_writes_nothing_and_cites_file_and_line(monkeypatch):
    monkeypatch.setattr(importer, "available_cores", lambda: 2)
    monkeypatch.setattr(importer, "PARALLEL_BYTES", 0)
    sources = _deck_files(6)
    sources.insert(
        3, Source(path="content/pt-br/bad.md", data="# Bad\n\n## A\n✅ solto\n".encode())
    )
    report = content_import(sources=sources)
    assert [str(error) for error in report.errors] == [
        "content/pt-br/bad.md:4: linha '✅' fora de uma pergunta ('### Q: ...')"
    ]
    assert (Deck.objects.count(), Item.objects.count(), SourceFile.objects.count()) == (0, 0, 0)


def _deck_files(count: int) -> list[Source]:
    return [
        Source(
            path=f"content/pt-br/d{n}.md",
            data=(
                f"---\ndeck: d{n}\ntopics: t{n % 3}\n---\n# D{n}\n\n"
                f"## A\n- Conceito {{{{a{n}}}}} {{#c{n}}}\n\n"
                f"## Perguntas\n### Q: Pergunta {n}? {{#q{n}}}\n✅ Sim\n❌ Não\n💡 Porque.\n"
            ).encode(),
        )
        for n in range(count)
    ]


def test_each_deck_costs_the_same_queries_whatever_the_number_of_files():
    def queries(count: int) -> int:
        _wipe()
        with CaptureQueriesContext(connection) as captured:
            assert content_import(sources=_deck_files(count)).ok
        return len(captured)

    four, eight, sixteen = queries(4), queries(8), queries(16)
    assert sixteen - eight == 2 * (eight - four)


def test_ordered_map_keeps_the_order_and_raises_a_workers_error():
    squares = [n * n for n in range(20)]
    assert list(ordered_map(pow, [(n, 2) for n in range(20)], processes=2, ahead=3)) == squares
    assert list(ordered_map(pow, [(n, 2) for n in range(20)], processes=0)) == squares
    with pytest.raises(ZeroDivisionError):
        list(ordered_map(divmod, [(1, 1), (1, 0)], processes=2))


def test_ordered_map_raises_when_a_worker_dies_instead_of_waiting_forever():
    with pytest.raises(BrokenProcessPool):
        list(ordered_map(os._exit, [(1,)], processes=1))


def test_translations_line_up_against_their_source_as_written_in_the_run_as_stored(monkeypatch):
    written = {}
    real = importer._written_outline

    def spy(sections, writes):
        outline = real(sections, writes)
        written[writes[0].item.deck_id] = outline
        return outline

    monkeypatch.setattr(importer, "_written_outline", spy)
    assert content_import(paths=[CONTENT]).ok
    assert len(written) == 6  # the source decks, lined up against without reading them back
    for deck_id, outline in written.items():
        stored = importer._source_outline(Deck.objects.get(pk=deck_id))
        assert stored.sections == outline.sections
        assert stored.items == outline.items
