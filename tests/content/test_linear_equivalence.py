"""The linear rewrites give what the patterns they replace gave (on inputs small enough for
the old patterns to finish), and content/ renders byte for byte as stock Python-Markdown."""

import re
from pathlib import Path

import markdown
import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from markdown.inlinepatterns import LinkInlineProcessor

from studyapp.content import markdown_bounds
from studyapp.content.parser import cloze_term, is_bare_url, parse_file, split_heading
from studyapp.content.parser import split_pinned_id as new_split_pinned_id
from studyapp.content.rendering import (
    _markdown,
    render_inline,
    render_markdown,
    sanitize,
    split_tags,
    unwrap_cloze,
)

MANY = hsettings(max_examples=300, deadline=None)
# The old patterns, verbatim.
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
PINNED_ID = re.compile(r"\s*\{#(?P<id>[A-Za-z0-9][A-Za-z0-9_.:-]*)\}\s*$")
BARE_URL = re.compile(r"^(?P<url>\S+://\S+)$")
CLOZE_MARK = re.compile(r"\{\{(?P<term>.+?)\}\}|\*\*(?P<bold>.+?)\*\*")


def line_of(alphabet: str, max_size: int = 30):
    return st.text(alphabet=alphabet, max_size=max_size)


@MANY
@given(line=line_of("# \taX\u00a0", 20))
def test_split_heading_is_the_old_heading_pattern(line):
    line = line.rstrip()
    old = HEADING.match(line) if line.startswith("#") else None
    new = split_heading(line) if line.startswith("#") else None
    assert new == ((len(old.group("hashes")), old.group("text")) if old else None)


@MANY
@given(text=line_of("{#}a-. \t", 20))
def test_split_pinned_id_is_the_old_pattern(text):
    match = PINNED_ID.search(text)
    old = (text[: match.start()].strip(), match.group("id")) if match else (text.strip(), None)
    assert new_split_pinned_id(text) == old


@MANY
@given(text=line_of(":/a \n", 16))
def test_is_bare_url_is_the_old_pattern(text):
    text = text.strip()
    assert is_bare_url(text) == bool(BARE_URL.match(text))


@MANY
@given(text=line_of("{}*a\n ", 24))
def test_cloze_term_is_the_old_pattern(text):
    marked = CLOZE_MARK.search(text)
    if marked:
        assert cloze_term(text) == (marked.group("term") or marked.group("bold")).strip()
    assert unwrap_cloze(text) == re.sub(r"\{\{(.+?)\}\}", r"\1", text)


@MANY
@given(markup=line_of("<>a/ ", 24))
def test_split_tags_is_the_old_split(markup):
    assert split_tags(markup) == re.split(r"(<[^>]+>)", markup)


class Stock(LinkInlineProcessor):
    """Python-Markdown's own scans, to compare with."""


def converted() -> markdown.Markdown:
    md = markdown.Markdown()
    md.convert("x")  # getLink's unescape reads the inline processor's state
    return md


@MANY
@given(data=line_of("[]()'\" a\\<>\n", 40), index=st.integers(0, 40))
def test_link_scans_give_python_markdowns_answers(data, index):
    stock = Stock(r"\[", converted())
    bounded = Stock(r"\[", converted())
    bounded.getText = markdown_bounds.get_text.__get__(bounded)
    bounded.getLink = markdown_bounds.get_link.__get__(bounded)
    index = min(index, len(data))
    if index and data[index - 1] == "[":
        assert bounded.getText(data, index) == stock.getText(data, index)
    if data[index : index + 1] == "(":
        assert bounded.getLink(data, index) == stock.getLink(data, index)


STOCK = markdown.Markdown(extensions=["fenced_code", "tables", "sane_lists"])


@MANY
@given(text=line_of("[]()'\"a *_`|-=#:\n ", 60))
def test_rendering_is_stock_python_markdown_without_raw_html(text):
    assert _markdown().reset().convert(text) == STOCK.reset().convert(text)


def content_pieces():
    for path in sorted((Path(settings.BASE_DIR) / "content").glob("*/*.md")):
        deck, errors = parse_file(str(path), path.read_bytes())
        assert not errors
        yield "block", deck.intro
        for section in deck.sections:
            yield "block", section.intro
            for item in section.items:
                yield "block", item.text
                yield "block", item.explanation
                yield "inline", item.prompt
                for option in item.options:
                    yield "inline", option.text


def test_content_renders_as_with_stock_python_markdown():
    pieces = list(content_pieces())
    assert len(pieces) > 2000
    for kind, text in pieces:
        stock = sanitize(STOCK.reset().convert(text)) if text else ""
        if kind == "inline":
            stock = re.fullmatch(r"<p>(.*)</p>", stock, re.DOTALL).group(1) if stock else ""
            assert render_inline(text) == stock, text
        else:
            assert render_markdown(text) == stock, text


@pytest.mark.parametrize("text", ["<kbd>Ctrl</kbd> + <abbr title='x'>C</abbr>", "a <b>b</b>"])
def test_inline_html_still_reaches_the_sanitizer(text):
    assert render_markdown(text) == sanitize(STOCK.reset().convert(text))
