"""Markdown → sanitized HTML, run once at import (never at request time)."""

import html
import re

import markdown
import nh3

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


def render_markdown(text: str) -> str:
    """Render Markdown to HTML and sanitize it: no scripts, handlers or unsafe URLs."""
    if not text:
        return ""
    raw = markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists"])
    return sanitize(raw)


def render_inline(text: str) -> str:
    """Render a one-line Markdown fragment (an option, a heading) without the <p> wrapper."""
    rendered = render_markdown(text)
    match = re.fullmatch(r"<p>(.*)</p>", rendered, flags=re.DOTALL)
    return match.group(1) if match else rendered


def sanitize(raw_html: str) -> str:
    return nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_cloze(text: str, term: str) -> tuple[str, str]:
    """(front, back) HTML of a concept card: the term hidden on the front, marked on the back.

    ``{{term}}`` marks are turned into plain text first; the term's first occurrence in the
    rendered text is replaced. Works on escaped text, so a term can never inject markup.
    """
    plain = re.sub(r"\{\{(.+?)\}\}", r"\1", text)
    back = render_markdown(plain)
    if not term:
        return back, back
    escaped = re.compile(re.escape(html.escape(term, quote=False)), flags=re.IGNORECASE)
    parts = re.split(r"(<[^>]+>)", back)  # odd indexes are tags: never match inside them
    for index in range(0, len(parts), 2):
        match = escaped.search(parts[index])
        if not match:
            continue
        before, found, after = (
            parts[index][: match.start()],
            match.group(0),
            parts[index][match.end() :],
        )
        head, tail = "".join(parts[:index]), "".join(parts[index + 1 :])
        front = f'{head}{before}<mark class="cloze">{CLOZE_BLANK}</mark>{after}{tail}'
        marked = f'{head}{before}<mark class="cloze">{found}</mark>{after}{tail}'
        return sanitize(front), sanitize(marked)
    return back, back
