"""Fuzzing the content parser and importer: any bytes, and Markdown assembled from the
format's own pieces, never crash. The answer is a deck or ``file:line`` errors, and an
import with any error writes nothing (all or nothing, across files)."""

import os

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyapp.content.importer import Source, content_import
from studyapp.content.models import Deck, Item, Option, Reference, Section, SourceFile, Topic
from studyapp.content.parser import parse_file, parse_text

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FAST = settings(max_examples=EXAMPLES * 3, deadline=None)
WITH_DB = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # One test database for all examples; each example rolls its own writes back.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

GOOD = """---
deck: bom
topics: Bom
domains: 1
---
# Deck bom

## 🧠 Conceitos-chave
- O **Bom** é válido.
"""

WORDS = st.sampled_from(
    ["ECR", "KMS", "chave", "imagem", "**negrito**", "{{termo}}", "{#id-1}", "{#}", "²", "①"]
)
VALUE = st.one_of(st.text(max_size=20), WORDS, st.sampled_from(["1", "1, 2", "0", "10", "²"]))
FRONT = st.lists(
    st.tuples(
        st.sampled_from(["deck", "title", "language", "topics", "domains", "translation-of", "x"]),
        VALUE,
    ).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    max_size=6,
)
TEXT = st.lists(st.one_of(WORDS, st.text(max_size=15)), max_size=5).map(" ".join)
LINE = st.one_of(
    TEXT.map(lambda t: f"# {t}"),
    st.sampled_from(["## 🧠 Conceitos-chave", "## 🧪 Perguntas comuns", "## 🔗 Links", "## X"]),
    TEXT.map(lambda t: f"## {t}"),
    TEXT.map(lambda t: f"### Q: {t}"),
    TEXT.map(lambda t: f"### {t}"),
    TEXT.map(lambda t: f"- {t}"),
    TEXT.map(lambda t: f"  - {t}"),
    TEXT.map(lambda t: f"1. {t}"),
    TEXT.map(lambda t: f"✅ {t}"),
    TEXT.map(lambda t: f"❌ {t}"),
    TEXT.map(lambda t: f"- ✅️ {t}"),
    TEXT.map(lambda t: f"💡 {t}"),
    TEXT.map(lambda t: f"🔗 [{t}](https://docs.aws.amazon.com/x)"),
    TEXT.map(lambda t: f"🔗 {t}"),
    st.sampled_from(["", "---", "```", "> citação", "| a | b |", "\t", "\ufeff"]),
    TEXT,
)


@st.composite
def markdown(draw) -> str:
    front = draw(FRONT)
    head = ["---", *front, "---"] if front or draw(st.booleans()) else []
    return "\n".join(head + draw(st.lists(LINE, max_size=25))) + draw(st.sampled_from(["", "\n"]))


PATHS = st.sampled_from(["content/pt-br/f.md", "content/en/f.md", "content/es/g.md", "x.md"])


def assert_errors_cite_lines(errors, path: str, text: str) -> None:
    # Lines as the parser counts them: "\r\n", "\r" and "\n" each end a line.
    text_lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for error in errors:
        assert error.file == path
        assert 1 <= error.line <= text_lines, error
        assert str(error).startswith(f"{path}:{error.line}: ")
        assert error.message.strip()


@FAST
@given(data=st.binary(max_size=2000), path=PATHS)
def test_parser_takes_any_bytes(data, path):
    deck, errors = parse_file(path, data)
    assert deck is not None or errors
    assert_errors_cite_lines(errors, path, data.decode("utf-8", "replace"))


@FAST
@given(text=markdown(), path=PATHS)
def test_parser_takes_any_markdown_shaped_text(text, path):
    deck, errors = parse_text(text, path)
    assert (deck is None) == bool(errors)
    assert_errors_cite_lines(errors, path, text)


def counts() -> dict[str, int]:
    models = (Deck, Item, Option, Reference, Section, SourceFile, Topic)
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
@WITH_DB
@given(texts=st.lists(st.tuples(PATHS, markdown()), min_size=1, max_size=2), good=st.booleans())
def test_import_is_all_or_nothing_and_never_crashes(texts, good):
    sources = [
        Source(path=f"{i}/{path}", data=text.encode()) for i, (path, text) in enumerate(texts)
    ]
    if good:
        sources.append(Source(path="content/pt-br/bom.md", data=GOOD.encode()))
    before = counts()
    with transaction.atomic():
        report = content_import(sources=sources)
        after = counts()
        transaction.set_rollback(True)
    if report.ok:
        assert after["SourceFile"] == before["SourceFile"] + len(sources)
    else:
        assert after == before, report.errors
        shown = {source.path for source in sources}
        for error in report.errors:
            assert error.file in shown and error.line >= 1, error


@pytest.mark.django_db
def test_superscript_domain_is_an_error_not_a_crash():
    deck, errors = parse_text(GOOD.replace("domains: 1", "domains: ²"), "content/pt-br/bom.md")
    assert deck is None
    assert [str(e) for e in errors] == [
        "content/pt-br/bom.md:4: domínio inválido: '²' (use 1, 2, 3...)"
    ]
