"""A Python-Markdown extension that keeps rendering linear, with the same HTML.

Where Python-Markdown 3.11 is slower than linear (measured by bench/slow_inputs.py):

- **Links and images.** For every ``[`` the link, image and reference processors scan forward
  in Python for the matching ``]`` (``getText``), and for every ``](`` for the matching ``)``
  (``getLink``). An unclosed bracket scans to the end of the text, so 20 KB of ``[`` is about
  10⁹ steps (30 s). Here both answers come from tables built once per text (a stack pass over
  the brackets and parentheses) and from ``str.find``: the same result, in constant time per
  bracket. ``tests/content/test_markdown_bounds.py`` checks them against the originals.
- **Tables.** The table processor splits and strips every line of a block to look at its first
  two, for every block; a block made of many headings (``a\\n=\\n`` × 10,000) is re-tested after
  each heading, so the cost is quadratic. Here the test reads the lines it needs.
- **Raw HTML blocks.** The block-level HTML preprocessor runs ``html.parser``, whose start-tag
  scan is quadratic on unclosed tags (``<a `` × 3,000: 2 s). It is switched off: content/ has
  no raw HTML block, and inline tags (``<kbd>``, ``<abbr>``…) are still passed to the
  sanitizer by the inline HTML pattern, as before.

What is left superlinear in Python-Markdown (its block processors search the rest of a block
once per heading) is quadratic only within one piece of text, which the parser caps
(``parser.MAX_PIECE_CHARS``), so it is linear in the size of a deck.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from markdown.extensions import Extension
from markdown.inlinepatterns import dequote

LINK_PROCESSORS = (
    "reference",
    "link",
    "image_link",
    "image_reference",
    "short_reference",
    "short_image_ref",
)
BRACKETS = re.compile(r"[\[\]]")
PARENS = re.compile(r"[()]")
OTHER_QUOTE = {'"': "'", "'": '"'}


def match_pairs(text: str, pattern: re.Pattern, opener: str) -> dict[int, int]:
    """Position of each opener → position of the closer that balances it (stack pass)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for found in pattern.finditer(text):
        if found.group() == opener:
            stack.append(found.start())
        elif stack:
            pairs[stack.pop()] = found.start()
    return pairs


class _Tables:
    """The bracket and parenthesis tables of one text, built on first need."""

    def __init__(self, text: str):
        self.text = text
        self._brackets: dict[int, int] | None = None
        self._parens: dict[int, int] | None = None
        self._paren_positions: list[int] | None = None

    @property
    def brackets(self) -> dict[int, int]:
        if self._brackets is None:
            self._brackets = match_pairs(self.text, BRACKETS, "[")
        return self._brackets

    @property
    def parens(self) -> dict[int, int]:
        if self._parens is None:
            self._parens = match_pairs(self.text, PARENS, "(")
        return self._parens

    @property
    def paren_positions(self) -> list[int]:
        if self._paren_positions is None:
            self._paren_positions = [m.start() for m in PARENS.finditer(self.text)]
        return self._paren_positions


def _tables(processor, data: str) -> _Tables:
    cached = getattr(processor, "_bounded_tables", None)
    if cached is None or cached.text is not data:
        cached = _Tables(data)
        processor._bounded_tables = cached
    return cached


def get_text(self, data: str, index: int) -> tuple[str, int, bool]:
    """``LinkInlineProcessor.getText``: the text up to the ``]`` that balances ``data[index-1]``."""
    close = data.find("]", index)
    if close == -1:
        return data[index:], len(data), False
    if data.find("[", index, close) != -1:  # nested: ask the table
        if index < 1 or data[index - 1] != "[":
            return type(self).getText(self, data, index)  # not after a "[": never happens
        close = _tables(self, data).brackets.get(index - 1, -1)
        if close == -1:
            return data[index:], len(data), False
    return data[index:close], close + 1, True


def _first_quote(data: str, start: int) -> int:
    found = [at for at in (data.find('"', start), data.find("'", start)) if at != -1]
    return min(found) if found else -1


def _raw_link(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
    """``getLink``'s scan, before unescaping: (href, title, index, handled)."""
    m = self.RE_LINK.match(data, pos=index)
    if not m:
        return "", None, index, False
    if m.group(1):  # [Text](<link> "title")
        title = m.group(2)[1:-1] if m.group(2) else None
        return m.group(1)[1:-1].strip(), title, m.end(0), True
    start = m.end()
    quote_at = _first_quote(data, start)
    limit = len(data) if quote_at == -1 else quote_at

    # Before any quote, parentheses nest: the link ends at the ")" balancing the "(".
    close = data.find(")", start, limit)
    if close != -1 and data.find("(", start, close) != -1:
        close = _tables(self, data).parens.get(m.start(), -1)
        if close >= limit:
            close = -1
    if close != -1:
        return data[start:close], None, close + 1, True
    if quote_at == -1:
        return "", None, len(data), False

    # From the first quote on, Python-Markdown assumes a title: the link ends at the first ")"
    # whose last non-space character before it closes a quote (the first kind of quote, or
    # the other kind once it has been opened too).
    quote = data[quote_at]
    depth = 1 + data.count("(", start, quote_at) - data.count(")", start, quote_at)
    candidates = []
    closing = re.compile(re.escape(quote) + r" *\)").search(data, quote_at + 1)
    if closing:
        candidates.append((closing.end() - 1, closing.start(), quote_at))
    other_at = data.find(OTHER_QUOTE[quote], quote_at + 1)
    if other_at != -1:
        closing = re.compile(re.escape(OTHER_QUOTE[quote]) + r" *\)").search(data, other_at + 1)
        if closing:
            candidates.append((closing.end() - 1, closing.start(), other_at))
    if candidates:
        end, title_end, opened = min(candidates)
        return data[start:opened], data[opened + 1 : title_end], end + 1, True

    # The title never closes: Python-Markdown falls back to the ``depth``-th parenthesis after
    # the quote (a ")" ends the link after it; a "(" leaves its end at -1, as it does).
    positions = _tables(self, data).paren_positions
    nth = bisect_right(positions, quote_at) + depth - 1
    if nth >= len(positions):
        return "", None, len(data), False
    last_bracket = positions[nth] + 1 if data[positions[nth]] == ")" else -1
    return data[start : last_bracket - 1], None, last_bracket, True


def get_link(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
    """``LinkInlineProcessor.getLink`` with the same result, in time independent of the rest."""
    href, title, index, handled = _raw_link(self, data, index)
    if title is not None:
        title = self.RE_TITLE_CLEAN.sub(" ", dequote(self.unescape(title.strip())))
    href = self.unescape(href).strip()
    return href, title, index, handled


def _rows(block: str):
    """The lines of a block, stripped of spaces, one at a time."""
    start = 0
    while True:
        end = block.find("\n", start)
        if end == -1:
            yield block[start:].strip(" ")
            return
        yield block[start:end].strip(" ")
        start = end + 1


def table_test(self, parent, block: str) -> bool:
    """``TableProcessor.test`` reading only the lines it needs (was: every line, every time)."""
    from markdown.extensions.tables import PIPE_LEFT, PIPE_NONE, PIPE_RIGHT

    if "\n" not in block:
        return False
    rows = _rows(block)
    header0 = next(rows)
    self.border = PIPE_NONE
    if header0.startswith("|"):
        self.border |= PIPE_LEFT
    if self.RE_END_BORDER.search(header0) is not None:
        self.border |= PIPE_RIGHT
    row = self._split_row(header0)
    row0_len = len(row)
    is_table = row0_len > 1
    second = None
    if not is_table and row0_len == 1 and self.border:
        for index, line in enumerate(rows):
            if index == 0:
                second = line
            is_table = line.startswith("|") or self.RE_END_BORDER.search(line) is not None
            if not is_table:
                break
    if is_table:
        if second is None:
            second = next(_rows(block.split("\n", 2)[1]))
        row = self._split_row(second)
        is_table = (len(row) == row0_len) and set("".join(row)) <= set("|:- ")
        if is_table:
            self.separator = row
    return is_table


class BoundedExtension(Extension):
    """Register last: replaces the methods of processors the other extensions set up."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        for name in LINK_PROCESSORS:
            processor = md.inlinePatterns[name]
            processor.getText = get_text.__get__(processor)
            processor.getLink = get_link.__get__(processor)
        if "table" in md.parser.blockprocessors:
            table = md.parser.blockprocessors["table"]
            table.test = table_test.__get__(table)
        if "html_block" in md.preprocessors:
            md.preprocessors.deregister("html_block")
