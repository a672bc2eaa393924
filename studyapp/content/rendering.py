"""Markdown → sanitized HTML, run once at import (never at request time).

Bounded time: every function here is linear in its input, given the parser's cap on the size
of one piece of Markdown (``parser.MAX_PIECE_CHARS``). Python-Markdown scans forward from
every ``[`` and ``(`` to find where a link closes, which is quadratic on text such as 20 KB of
``[``; :mod:`.markdown_bounds` swaps those scans for linear ones that give the same result.
"""

import html
import re
import threading

import markdown
import nh3

from .markdown_bounds import BoundedExtension

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "span": {"class"},
    "mark": {"class"},
    "code": {"class"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
CLOZE_BLANK = "[…]"


_local = threading.local()


def _markdown() -> markdown.Markdown:
    """One Markdown instance per thread, reset before each use (3× faster than a new one)."""
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(
            extensions=["fenced_code", "tables", "sane_lists", BoundedExtension()]
        )
        _local.md = md
    return md


# One line of plain text: no character Markdown or HTML gives a meaning to (inline marks,
# links, entities, tags), not starting like a block (list, heading, quote, code, rule) and not
# ending in whitespace. Markdown renders it as "<p>" + text + "</p>" and the sanitizer leaves
# that as it is, so it skips both (a third of the pieces of content/; the result is the same:
# tests/content/test_rendering.py compares both ways).
_SPECIAL = r"`\\*_\[\]<>&!|~{}\x00-\x1f\x7f-\xa0"
_PLAIN = re.compile(rf"[^\s#>+\-=0-9{_SPECIAL}](?:[^\n{_SPECIAL}]*[^\s{_SPECIAL}])?")
# Plain text may also hold `code` spans (half the pieces Markdown rendered): single backticks,
# around text with no space at either end and nothing the HTML escapes or Markdown unescapes.
# Markdown makes each one "<code>" + text + "</code>", and "**" pairs (an opening one before a
# non-space, a closing one after a non-space, no other "*") "<strong>"/"</strong>"; a paragraph
# of several such lines is the lines joined by newlines. Such text skips Markdown too.
_SPECIAL_CHAR = re.compile(rf"[{_SPECIAL.replace('*', '')}]")
_CODE_SPECIAL_CHAR = re.compile(r"[&<>\\\x00-\x1f\x7f-\xa0]")
_NOT_SPACE_WHITESPACE = re.compile(r"[^\S ]")  # \s is str.isspace(): tabs, newlines, U+2028…
_STARS = re.compile(r"\*+")
_BLOCK_START = frozenset("#>+-=0123456789")


def plain_html(text: str) -> str | None:
    """What Markdown and the sanitizer make of a paragraph of plain text with `code` spans
    and **strong** words, else None (then the text goes through them)."""
    lines = [_plain_line(line) for line in text.split("\n")]
    if any(line is None for line in lines):
        return None
    return "<p>" + "\n".join(lines) + "</p>"


def _plain_line(line: str) -> str | None:
    """The HTML of one such line (without the paragraph), else None."""
    if _NOT_SPACE_WHITESPACE.search(line):
        return None
    if "`" not in line and "*" not in line:
        return line if _PLAIN.fullmatch(line) else None
    parts = line.split("`")  # even indexes: text; odd: code
    last = len(parts) - 1
    if last % 2 or parts[0][:1] in _BLOCK_START or parts[0][:1] == " " or parts[-1][-1:] == " ":
        return None
    for index, part in enumerate(parts):
        if index % 2 == 0:
            # Between two spans, "``" would be one longer delimiter, not two spans.
            if (not part and 0 < index < last) or _SPECIAL_CHAR.search(part):
                return None
        elif not part or part[0] == " " or part[-1] == " " or _CODE_SPECIAL_CHAR.search(part):
            return None
    text = "\x00".join(parts[::2])  # the text, each code span one (non-space) character
    runs = [(found.start(), found.end()) for found in _STARS.finditer(text)]
    if len(runs) % 2:
        return None
    for number, (start, end) in enumerate(runs):
        beside = text[end : end + 1] if number % 2 == 0 else text[start - 1 : start]
        if end - start != 2 or beside in ("", " "):
            return None
    html_parts, strong = [], False
    for index, part in enumerate(parts):
        if index % 2:
            html_parts.append(f"<code>{part}</code>")
            continue
        pieces = part.split("**")
        for number, piece in enumerate(pieces):
            if number:
                html_parts.append("</strong>" if strong else "<strong>")
                strong = not strong
            html_parts.append(piece)
    return "".join(html_parts)


def is_plain(text: str) -> bool:
    return plain_html(text) is not None


def render_markdown(text: str) -> str:
    """Render Markdown to HTML and sanitize it: no scripts, handlers or unsafe URLs."""
    if not text:
        return ""
    if (shortcut := plain_html(text)) is not None:
        return shortcut
    try:
        raw = _markdown().reset().convert(text)
    except BaseException as exc:
        _local.md = None  # a conversion that stopped halfway leaves the instance's state dirty
        if not isinstance(exc, RecursionError):
            raise
        # Python-Markdown recurses once per nesting level ("1. 1. 1. …" × 3,000 overflows the
        # stack): such a text is shown as it is, escaped, instead of failing the import.
        raw = f"<p>{html.escape(text)}</p>"
    return sanitize(raw)


def render_inline(text: str) -> str:
    """Render a one-line Markdown fragment (an option, a heading) without the <p> wrapper."""
    rendered = render_markdown(text)
    if len(rendered) >= 7 and rendered.startswith("<p>") and rendered.endswith("</p>"):
        return rendered[3:-4]
    return rendered


# Built once: nh3.clean() converts the allow-lists on every call (4× slower per piece).
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
)


def sanitize(raw_html: str) -> str:
    return _CLEANER.clean(raw_html)


def render_cloze(text: str, term: str) -> tuple[str, str]:
    """(front, back) HTML of a concept card: the term hidden on the front, marked on the back.

    ``{{term}}`` marks are turned into plain text first; the term's first occurrence in the
    rendered text is replaced. Works on escaped text, so a term can never inject markup.
    Nested bullets render as a list (:func:`concept_markdown`). When the term is not found in
    the rendered text (or there is none), the front is "": nothing is hidden, and study shows
    the card as a plain front/back card instead of a "cloze" that hides nothing.
    """
    back = render_markdown(concept_markdown(unwrap_cloze(text)))
    if not term:
        return "", back
    needle = _fold(html.escape(term, quote=False))
    parts = split_tags(back)  # odd indexes are tags: never match inside them
    for index in range(0, len(parts), 2):
        start = _fold(parts[index]).find(needle)
        if start == -1:
            continue
        end = start + len(needle)
        before, found, after = (
            parts[index][:start],
            parts[index][start:end],
            parts[index][end:],
        )
        head, tail = "".join(parts[:index]), "".join(parts[index + 1 :])
        front = f'{head}{before}<mark class="cloze">{CLOZE_BLANK}</mark>{after}{tail}'
        marked = f'{head}{before}<mark class="cloze">{found}</mark>{after}{tail}'
        return sanitize(front), sanitize(marked)
    return "", back


def render_lead(text: str) -> str:
    """The front of a concept card that hides no term: the bullet's opening words, then "…".

    The opening is the first half (rounded down) of the first line's words, stopping at the
    first word with Markdown syntax, so no markup is cut in two. "" when not even one plain
    word opens the bullet (study then asks what the section says, with the card's context).
    """
    words = text.split("\n", 1)[0].split()
    lead: list[str] = []
    for word in words[: len(words) // 2]:
        if any(char in "`*_[]()<>{}\\!#|~&" for char in word):
            break
        lead.append(word)
    return f"<p>{html.escape(' '.join(lead), quote=False)} …</p>" if lead else ""


def concept_markdown(text: str) -> str:
    """A concept bullet's text made ready for Python-Markdown, so its nested bullets are a list.

    The parser keeps a bullet's continuation lines as written (2-space nesting, no blank line
    before the first sub-bullet), which Python-Markdown reads as one paragraph ("… explícito.
    - Um Deny …"). Here the continuation lines are dedented, each distinct indentation becomes
    one 4-space nesting level, and a blank line separates the first sub-bullet from the text
    above it. The stored text is untouched (it is the item's identity). Linear in the text.
    """
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    rest = lines[1:]
    indents = sorted({len(line) - len(line.lstrip(" \t")) for line in rest if line.strip()})
    levels = {indent: level for level, indent in enumerate(indents)}
    out = [lines[0]]
    in_list = False
    for line in rest:
        stripped = line.lstrip(" \t")
        if not stripped:
            out.append("")
            continue
        level = levels[len(line) - len(stripped)]
        if stripped[:2] in {"- ", "* ", "+ "} or _is_ordered(stripped):
            if not in_list and out[-1] != "":
                out.append("")
            in_list = True
        out.append("    " * level + stripped)
    return "\n".join(out)


def _is_ordered(text: str) -> bool:
    digits = len(text) - len(text.lstrip("0123456789"))
    return 0 < digits < 10 and text[digits : digits + 2] in {". ", ") "}


def unwrap_cloze(text: str) -> str:
    """``{{term}}`` → ``term`` (was ``re.sub(r"\\{\\{(.+?)\\}\\}", r"\\1", text)``, quadratic
    on a run of ``{{``). A mark does not span lines; an unclosed ``{{`` stays as it is."""
    lines = []
    for line in text.split("\n"):
        pieces, position = [], 0
        while (start := line.find("{{", position)) != -1:
            end = line.find("}}", start + 3)
            if end == -1:  # no later "{{" on this line can close either
                break
            pieces += [line[position:start], line[start + 2 : end]]
            position = end + 2
        pieces.append(line[position:])
        lines.append("".join(pieces))
    return "\n".join(lines)


def split_tags(markup: str) -> list[str]:
    """``re.split(r"(<[^>]+>)", markup)`` in one pass: text and tags alternate."""
    parts, start, position = [], 0, 0
    while (opening := markup.find("<", position)) != -1:
        closing = markup.find(">", opening + 1)
        if closing == -1:  # no tag can close after this point
            break
        if closing == opening + 1:  # "<>" is text
            position = opening + 1
            continue
        parts += [markup[start:opening], markup[opening : closing + 1]]
        start = position = closing + 1
    parts.append(markup[start:])
    return parts


def _fold(text: str) -> str:
    """Lowercase with the same length (so positions carry over to the original text)."""
    folded = text.lower()
    if len(folded) == len(text):
        return folded
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)


def render_deck(deck):
    """Fill every ``*_html`` field of a parsed deck (what the importer and the preview show).

    Pure: the same text gives the same HTML, so this can run in a child process under a time
    budget (``content.bounded``) and its result be imported as it is.
    """
    deck.intro_html = render_markdown(deck.intro)
    for section in deck.sections:
        section.intro_html = render_markdown(section.intro)
        for item in section.items:
            item.prompt_html = render_inline(item.prompt)
            if item.kind == "concept":
                item.cloze_html, item.text_html = render_cloze(item.text, item.cloze_term)
                if not item.cloze_html:
                    # Nothing could be hidden: a plain front/back card (docs/content-format.md).
                    item.cloze_term = ""
                    item.cloze_html = render_lead(item.text)
            else:
                item.cloze_html, item.text_html = "", render_markdown(item.text)
            item.explanation_html = render_markdown(item.explanation)
            for option in item.options:
                option.html = render_inline(option.text)
    deck.rendered = True
    return deck
