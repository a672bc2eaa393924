"""Parse a study-content Markdown file into a deck structure (pure functions, no database).

The format is the contract in ``docs/content-format.md``. Every parsed node keeps the
1-based source line it came from, and every problem is a :class:`ContentError` that
prints as ``file:line: message`` (messages go through gettext: the reader's language).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

MAX_FILE_BYTES = 1024 * 1024

FRONT_MATTER_KEYS = {"deck", "title", "language", "topics", "domains", "translation-of", "mock"}
# `🏷️ key: value` lines of a question: accepted keys (Portuguese spellings too) → field.
ITEM_TAG_KEYS = {
    "domains": "domains",
    "domínios": "domains",
    "dominios": "domains",
    "topics": "topics",
    "tópicos": "topics",
    "topicos": "topics",
}
MOCK_VALUES = {
    "yes": True,
    "sim": True,
    "true": True,
    "no": False,
    "não": False,
    "nao": False,
    "false": False,
}
LANGUAGE_FOLDERS = {"pt-br": "pt-BR", "pt": "pt-BR", "en": "en", "es": "es"}

QUESTION_SECTION = re.compile(r"perguntas|questões|questoes|questions|🧪", re.IGNORECASE)
REFERENCE_SECTION = re.compile(r"links|referências|referencias|references|🔗", re.IGNORECASE)
# Every pattern below runs on untrusted text (the instructor's file or a web form), so each
# one is linear in its input: anchored, with possessive quantifiers (Python 3.11) wherever two
# parts could match the same characters, or replaced by plain string operations (headings,
# pinned ids, bare URLs, cloze marks). tests/security/test_parse_time.py holds them to it.
QUESTION_HEADING = re.compile(r"(?:Q|P|Pergunta|Question)\s*+:\s*+(?P<text>.*+)", re.IGNORECASE)
PINNED_ID_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*+")
BULLET = re.compile(r"(?P<indent>[ \t]*+)(?:[-*+]|\d++[.)])\s++(?P<text>.*+)")
MARKER = re.compile(r"\s*+(?:[-*+]\s++)?+(?P<marker>✅|❌|💡|🔗|🏷)\uFE0F?+\s*+(?P<text>.*+)")
LINK = re.compile(r"\[(?P<title>[^\]]++)\]\((?P<url>\S+)\)")
HTTP_URL = re.compile(r"https?://[^/\s]", re.IGNORECASE)

# The longest Markdown text one piece may hold (an item's text, an option, an explanation,
# an introduction). The longest in content/ is under 1,000 characters; Python-Markdown's cost
# grows faster than linearly with the size of one piece, so a cap keeps rendering bounded.
MAX_PIECE_CHARS = 5_000

# Service and feature names a concept card asks for when its bullet marks no term.
# Longer names first, so "Amazon ECR" wins over "ECR" at the same position.
GLOSSARY = sorted(
    [
        "Amazon ECR",
        "AWS ECR",
        "ECR",
        "Amazon ECR Public",
        "IAM",
        "AWS IAM",
        "KMS",
        "AWS KMS",
        "Amazon Inspector",
        "Inspector",
        "Amazon ECS",
        "ECS",
        "Amazon EKS",
        "EKS",
        "AWS Fargate",
        "Fargate",
        "AWS Lambda",
        "Lambda",
        "Docker CLI",
        "Docker",
        "tags",
        "tag",
        "Amazon S3",
        "S3",
        "Amazon EventBridge",
        "EventBridge",
        "AWS CloudTrail",
        "CloudTrail",
        "AWS STS",
        "STS",
        "AWS CLI",
        "SDKs",
        "Secrets Manager",
        "AWS Organizations",
        "SCP",
        "SCPs",
        "CodeBuild",
        "CodePipeline",
        "VPC endpoint",
        "lifecycle policies",
        "lifecycle policy",
        "pull through cache",
        "pull-through cache",
        "envelope encryption",
        "data key",
        "key policy",
        "grants",
        "CVE",
    ],
    key=len,
    reverse=True,
)
GLOSSARY_PATTERN = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(term) for term in GLOSSARY) + r")(?![\w-])"
)


@dataclass(frozen=True)
class ContentError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}


@dataclass
class ParsedReference:
    title: str
    url: str
    line: int


@dataclass
class ParsedOption:
    text: str
    correct: bool
    line: int
    html: str = ""  # filled by rendering.render_deck
    # Continuation lines, joined when the question closes (not one string per line: linear).
    more: list[str] = field(default_factory=list, repr=False, compare=False)


@dataclass
class ParsedItem:
    kind: str  # "concept" or "question"
    line: int
    text: str = ""  # concept: the bullet (nested bullets included); question: scenario body
    prompt: str = ""  # question: the heading text after "Q:"
    pinned_id: str | None = None
    context: str = ""  # concept: a ### sub-heading inside the section, if any
    options: list[ParsedOption] = field(default_factory=list)
    explanation: str = ""
    explanation_line: int | None = None
    references: list[ParsedReference] = field(default_factory=list)
    cloze_term: str = ""
    # Filled by rendering.render_deck (the importer and the preview use them as they are).
    prompt_html: str = ""
    text_html: str = ""
    cloze_html: str = ""
    explanation_html: str = ""
    # Item-level metadata from `🏷️` lines; None means "the deck's front matter".
    domains: list[int] | None = None
    topics: list[str] | None = None

    @property
    def correct_options(self) -> list[ParsedOption]:
        return [option for option in self.options if option.correct]

    @property
    def wrong_options(self) -> list[ParsedOption]:
        return [option for option in self.options if not option.correct]


@dataclass
class ParsedSection:
    title: str
    kind: str  # "concepts", "questions" or "references"
    line: int
    pinned_id: str | None = None
    intro: str = ""
    items: list[ParsedItem] = field(default_factory=list)
    references: list[ParsedReference] = field(default_factory=list)
    intro_html: str = ""

    @property
    def key(self) -> str:
        return self.pinned_id or slugify(self.title) or f"secao-{self.line}"


@dataclass
class ParsedDeck:
    path: str
    slug: str
    title: str
    language: str
    topics: list[str]
    domains: list[int]
    translation_of: str | None
    title_line: int
    in_mock: bool = True  # front matter `mock: no` keeps the deck's questions out of mocks
    intro: str = ""
    sections: list[ParsedSection] = field(default_factory=list)
    intro_html: str = ""
    rendered: bool = False  # True once rendering.render_deck filled every *_html field
    slug_line: int = 1  # the line that names the slug (``deck:``), else the title's

    @property
    def items(self) -> list[ParsedItem]:
        return [item for section in self.sections for item in section.items]

    @property
    def concept_cards(self) -> list[ParsedItem]:
        return [item for item in self.items if item.kind == "concept"]

    @property
    def questions(self) -> list[ParsedItem]:
        return [item for item in self.items if item.kind == "question"]

    @property
    def references(self) -> list[ParsedReference]:
        return [ref for section in self.sections for ref in section.references]


def slugify(text: str) -> str:
    """ASCII slug of a heading: accents folded, emoji and punctuation dropped."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def section_kind(title: str) -> str:
    if QUESTION_SECTION.search(title):
        return "questions"
    if REFERENCE_SECTION.search(title):
        return "references"
    return "concepts"


def split_pinned_id(text: str) -> tuple[str, str | None]:
    """``text {#id}`` → (text, id). An id has no braces, so only the last ``{`` can open it."""
    stripped = text.rstrip()
    if stripped.endswith("}"):
        start = stripped.rfind("{")
        if stripped.startswith("{#", start) and PINNED_ID_VALUE.fullmatch(
            stripped, start + 2, len(stripped) - 1
        ):
            return text[:start].strip(), stripped[start + 2 : -1]
    return text.strip(), None


def split_heading(line: str) -> tuple[int, str] | None:
    r"""(level, text) of an ATX heading line (``## Title ##``), else None.

    The line has no trailing whitespace. Closing ``#`` and the spaces before them are
    dropped, as the pattern ``^(#{1,6})\s+(.*?)\s*#*\s*$`` did (in cubic time).
    """
    level = len(line) - len(line.lstrip("#"))
    if not 1 <= level <= 6 or not line[level : level + 1].isspace():
        return None
    return level, line[level:].strip().rstrip("#").rstrip()


def is_bare_url(text: str) -> bool:
    r"""``scheme://rest`` with no whitespace (was ``^\S+://\S+$``, quadratic on ``a://a://…``)."""
    if not text or any(char.isspace() for char in text):
        return False
    at = text.find("://", 1)
    return at != -1 and at + 3 < len(text)


def is_separator(line: str) -> bool:
    return line.strip() == "---"


def _first_mark(line: str, mark: str, close: str) -> tuple[int, str] | None:
    """The first ``mark…close`` (text non-empty) in one line: (start, text), else None.

    A mark that finds no close finds none later in the line either, so one search is enough.
    """
    start = line.find(mark)
    if start == -1:
        return None
    end = line.find(close, start + 3)
    return None if end == -1 else (start, line[start + 2 : end])


def cloze_term(text: str) -> str:
    """The term a concept card hides: marked {{...}}/**...**, else the first glossary term.

    The first mark of either kind wins; a mark does not span lines.
    """
    for line in text.split("\n"):
        marks = [m for m in (_first_mark(line, "{{", "}}"), _first_mark(line, "**", "**")) if m]
        if marks:
            return min(marks)[1].strip()
    found = GLOSSARY_PATTERN.search(text)
    return found.group(1) if found else ""


# Characters that make a word Markdown syntax (code, emphasis, links, HTML): the tail a card
# hides is plain words only, so it is found as-is in the rendered text.
MARKUP_CHARS = frozenset("`*_[]()<>{}\\!#|~&")
TAIL_MIN_WORDS = 2


def tail_term(text: str) -> str:
    """The words a concept card hides when its bullet marks no term and names no glossary term.

    The rule (docs/content-format.md, "Concept cards"): take the bullet's first line, split it
    into words; the hidden part is its second half (rounded down, at least one word), ending
    at the line's end without its final punctuation, and made of plain words only (a word with
    Markdown syntax stops it). A bullet of fewer than ``TAIL_MIN_WORDS`` words, or whose last
    word is syntax, has no tail: "" (then study shows the card as a plain front/back card).
    """
    first = text.split("\n", 1)[0].strip()
    words = first.split()
    if len(words) < TAIL_MIN_WORDS:
        return ""
    last = words[-1].rstrip(".;:,!?…")
    if not last:
        return ""
    words[-1] = last
    hidden: list[str] = []
    for word in reversed(words[len(words) - max(1, len(words) // 2) :]):
        if any(char in MARKUP_CHARS for char in word):
            break
        hidden.append(word)
    return " ".join(reversed(hidden))


def stored_text(text: str) -> str:
    """A deck's text as content/ keeps it and the browser saves it: LF line ends, no BOM, no
    blank lines at the end, one final newline (a textarea sends CRLF; a file may lack it)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    return text.rstrip() + "\n" if text.strip() else ""


def size_error(text: str, path: str) -> ContentError | None:
    """The one size limit on a deck or GIFT file, wherever it comes from (import_content, the
    editor, uploads): :func:`stored_text` of it is at most MAX_FILE_BYTES of UTF-8. Forms
    call this, so what a form accepts is what import_content accepts later. Undecodable bytes
    may come in as surrogate escapes (``errors="surrogateescape"``): each counts as its byte."""
    size = len(stored_text(text).encode("utf-8", "surrogateescape"))
    if size <= MAX_FILE_BYTES:
        return None
    return ContentError(
        path,
        1,
        _(
            "arquivo maior que 1 MiB: %(size)s bytes com as quebras de linha normalizadas "
            "(LF, uma no fim); o limite é %(limit)s bytes"
        )
        % {"size": size, "limit": MAX_FILE_BYTES},
    )


def parse_file(
    path: str, data: bytes, display_path: str | None = None
) -> tuple[ParsedDeck | None, list[ContentError]]:
    """Decode and parse one file's bytes; ``display_path`` is what errors cite."""
    shown = display_path or path
    if error := size_error(data.decode("utf-8", "surrogateescape"), shown):
        return None, [error]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [ContentError(shown, line, _("arquivo não está em UTF-8"))]
    return parse_text(text, path, display_path=shown)


def parse_text(
    text: str, path: str, display_path: str | None = None
) -> tuple[ParsedDeck | None, list[ContentError]]:
    """Parse a deck from Markdown text. Returns (deck or None, errors)."""
    return _Parser(text, path, display_path or path).run()


DEFAULT_LANGUAGE = "pt-BR"


def configured_languages() -> dict[str, str]:
    """lowercase code → the spelling decks use (``pt-BR``, ``en``), from settings.LANGUAGES."""
    codes = [code for code, _name in settings.LANGUAGES]
    return {code.lower(): LANGUAGE_FOLDERS.get(code.lower(), code) for code in codes}


def language_folder(language: str) -> str:
    """The content/ folder of a configured language (``pt-BR`` → ``pt-br``); ValueError else.

    Paths are built from this fixed table, never from what a file says.
    """
    for code, spelling in configured_languages().items():
        if spelling == language or code == language.lower():
            return code
    raise ValueError(f"not a configured language: {language!r}")


def _language_from_path(path: str) -> str | None:
    parent = PurePosixPath(path.replace("\\", "/")).parent.name.lower()
    return LANGUAGE_FOLDERS.get(parent)


class _Parser:
    def __init__(self, text: str, path: str, shown: str):
        if text.startswith("\ufeff"):
            text = text[1:]
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.path = path
        self.shown = shown
        self.errors: list[ContentError] = []
        self.meta: dict[str, tuple[str, int]] = {}
        self.title: str | None = None
        self.title_line = 1
        self.deck_id: str | None = None
        self.intro: list[str] = []
        self.sections: list[ParsedSection] = []
        self.section: ParsedSection | None = None
        self.item: ParsedItem | None = None
        self.intro_target: list[str] = self.intro
        self.section_intro: list[str] = []
        self.subheading = ""
        # What free text lines continue: "item_text", "option", "explanation", or None.
        self.continuing: str | None = None
        self.buffer: list[str] = []
        self.in_fence = False  # inside a ``` / ~~~ block (images there are code, not images)

    def error(self, line: int, message: str) -> None:
        self.errors.append(ContentError(self.shown, line, message))

    def check_size(self, line: int, text: str) -> None:
        if len(text) > MAX_PIECE_CHARS:
            self.error(
                line,
                _(
                    "texto longo demais: %(size)d caracteres (o máximo é %(max)d num item, "
                    "opção, explicação ou introdução; divida-o)"
                )
                % {"size": len(text), "max": MAX_PIECE_CHARS},
            )

    # -- driver -------------------------------------------------------------------------
    def run(self) -> tuple[ParsedDeck | None, list[ContentError]]:
        if not "".join(self.lines).strip():
            return None, [ContentError(self.shown, 1, _("arquivo vazio"))]
        start = self.read_front_matter()
        for index in range(start, len(self.lines)):
            self.read_line(index + 1, self.lines[index])
        self.close_item()
        self.close_section()
        return self.finish()

    def read_front_matter(self) -> int:
        if not self.lines or self.lines[0].strip() != "---":
            return 0
        for index in range(1, len(self.lines)):
            raw = self.lines[index]
            if raw.strip() == "---":
                return index + 1
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            key, sep, value = raw.partition(":")
            key = key.strip().lower()
            if not sep or key not in FRONT_MATTER_KEYS:
                self.error(
                    index + 1,
                    _("linha de front matter inválida: %(line)r (chaves aceitas: %(keys)s)")
                    % {"line": raw.strip(), "keys": ", ".join(sorted(FRONT_MATTER_KEYS))},
                )
                continue
            self.meta[key] = (value.strip(), index + 1)
        self.error(1, _("front matter sem o '---' de fechamento"))
        return len(self.lines)

    def read_line(self, number: int, raw: str) -> None:
        line = raw.rstrip()
        self.check_image(number, line)
        heading = split_heading(line) if line.startswith("#") else None
        if heading:
            self.read_heading(number, *heading)
            return
        if is_separator(line):
            self.end_free_text()
            return
        marker = MARKER.fullmatch(line)
        if marker:
            self.read_marker(number, marker.group("marker"), marker.group("text").strip())
            return
        if self.section is None:
            self.intro.append(line)
            return
        if self.item is not None and self.item.kind == "question":
            self.read_question_line(number, line)
            return
        if self.section.kind == "references":
            self.read_reference_line(number, line)
            return
        self.read_concept_line(number, line)

    def check_image(self, number: int, line: str) -> None:
        """Refuse images (``![alt](x.png)``, ``![alt][ref]``, ``<img>``): the sanitizer would
        drop them, so the picture would vanish silently. Code (fenced or inline) is skipped."""
        if line.lstrip().startswith(("```", "~~~")):
            self.in_fence = not self.in_fence
            return
        if self.in_fence or ("![" not in line and "<img" not in line.lower()):
            return
        for index, piece in enumerate(line.split("`")):
            if index % 2:  # inside an inline code span
                continue
            start = piece.find("![")
            image = start != -1 and (piece.find("](", start) != -1 or piece.find("][", start) != -1)
            if image or "<img" in piece.lower():
                self.error(
                    number,
                    _(
                        "imagem não suportada: %(text)r (o conteúdo não mostra imagens e ela "
                        "sumiria; descreva o diagrama em texto ou dê um link [título](url))"
                    )
                    % {"text": line.strip()[:120]},
                )
                return

    # -- headings -----------------------------------------------------------------------
    def read_heading(self, number: int, level: int, text: str) -> None:
        self.close_item()
        text, pinned = split_pinned_id(text)
        if level == 1:
            if self.title is not None:
                self.error(number, _("segundo título '#' no arquivo: um arquivo é um deck"))
                return
            self.title, self.title_line, self.deck_id = text, number, pinned
            return
        if level == 2:
            self.close_section()
            self.section = ParsedSection(
                title=text, kind=section_kind(text), line=number, pinned_id=pinned
            )
            self.section_intro = []
            self.subheading = ""
            return
        question = QUESTION_HEADING.fullmatch(text)
        if level == 3 and question:
            if self.section is None:
                self.error(number, _("pergunta fora de uma seção '##'"))
                return
            prompt = question.group("text").strip()
            if not prompt:
                self.error(number, _("pergunta sem texto depois de 'Q:'"))
            self.item = ParsedItem(kind="question", line=number, prompt=prompt, pinned_id=pinned)
            self.continuing = "item_text"
            return
        if self.section is not None and self.section.kind == "questions":
            self.error(
                number,
                _(
                    "cabeçalho dentro da seção de perguntas que não abre uma pergunta "
                    "(use '### Q: ...')"
                ),
            )
            return
        # A ### (or deeper) heading inside a concept section gives context to its cards.
        self.subheading = text

    # -- markers (✅ ❌ 💡 🔗) ----------------------------------------------------------------
    def read_marker(self, number: int, marker: str, text: str) -> None:
        item = self.item
        if marker == "🔗" and (item is None or item.kind != "question"):
            if self.section is not None and self.section.kind == "references":
                self.read_reference_line(number, text)
                return
            self.error(number, _("linha '🔗' fora de uma pergunta"))
            return
        if item is None or item.kind != "question":
            self.error(
                number,
                _("linha '%(marker)s' fora de uma pergunta ('### Q: ...')") % {"marker": marker},
            )
            return
        self.flush_buffer()
        if marker == "🏷":
            self.read_tag(number, item, text)
            self.continuing = None
            return
        if marker in "✅❌":
            if not text:
                self.error(number, _("opção '%(marker)s' vazia") % {"marker": marker})
            item.options.append(ParsedOption(text=text, correct=marker == "✅", line=number))
            self.continuing = "option"
        elif marker == "💡":
            if item.explanation_line is not None:
                self.error(number, _("segunda explicação '💡' na mesma pergunta"))
                return
            item.explanation_line = number
            self.buffer = [text]
            self.continuing = "explanation"
        else:
            reference = self.parse_reference(number, text)
            if reference:
                item.references.append(reference)
            self.continuing = None

    def read_tag(self, number: int, item: ParsedItem, text: str) -> None:
        """`🏷️ domains: 1, 4` / `🏷️ topics: KMS` (also `domínios:`/`tópicos:`)."""
        key, sep, value = text.partition(":")
        field_name = ITEM_TAG_KEYS.get(key.strip().lower()) if sep else None
        if field_name is None:
            self.error(
                number,
                _("linha '🏷️' inválida: %(text)r (use 'chave: valor'; chaves aceitas: %(keys)s)")
                % {"text": text, "keys": ", ".join(sorted(ITEM_TAG_KEYS))},
            )
            return
        if getattr(item, field_name) is not None:
            self.error(
                number, _("segunda linha '🏷️ %(key)s' na mesma pergunta") % {"key": key.strip()}
            )
            return
        parts = [part.strip() for part in value.split(",")]
        if not any(parts):
            self.error(number, _("linha '🏷️ %(key)s' sem valor") % {"key": key.strip()})
            return
        if field_name == "topics":
            if not all(parts):
                self.error(number, _("tópico vazio na lista: %(value)r") % {"value": value.strip()})
                return
            item.topics = parts
            return
        domains, bad = parse_domains(value)
        for part in bad:
            self.error(
                number, _("domínio inválido: %(domain)r (use 1, 2, 3...)") % {"domain": part}
            )
        if not bad:
            item.domains = domains

    def read_question_line(self, number: int, line: str) -> None:
        item = self.item
        assert item is not None
        if self.continuing == "explanation" or self.continuing == "item_text":
            self.buffer.append(line)
        elif self.continuing == "option" and line.strip():
            item.options[-1].more.append(line.strip())
        elif line.strip():
            self.error(number, _("texto solto depois das opções; use '💡' para a explicação"))

    def flush_buffer(self) -> None:
        item = self.item
        if item is None:
            return
        text = "\n".join(self.buffer).strip()
        if self.continuing == "item_text" and text:
            item.text = text
        elif self.continuing == "explanation":
            item.explanation = text
        self.buffer = []

    # -- concept sections ---------------------------------------------------------------
    def read_concept_line(self, number: int, line: str) -> None:
        bullet = BULLET.fullmatch(line)
        if bullet and not bullet.group("indent"):
            self.close_item()
            text, pinned = split_pinned_id(bullet.group("text"))
            self.item = ParsedItem(
                kind="concept", line=number, pinned_id=pinned, context=self.subheading
            )
            self.buffer = [text]
            self.continuing = "concept"
            return
        if self.item is not None and (line.startswith((" ", "\t")) or not line.strip()):
            # Indented lines (nested bullets, continuation) belong to the current card;
            # blank lines are kept in case an indented line follows.
            self.buffer.append(line)
            return
        self.close_item()
        self.section_intro.append(line)

    def read_reference_line(self, number: int, line: str) -> None:
        stripped = line.strip()
        if not stripped:
            return
        bullet = BULLET.fullmatch(stripped)
        if bullet:
            stripped = bullet.group("text").strip()
            reference = self.parse_reference(number, stripped)
            if reference and self.section is not None:
                self.section.references.append(reference)
            return
        if stripped.startswith(("🔗",)):
            stripped = stripped[1:].strip()
        reference = self.parse_reference(number, stripped) if "](" in stripped else None
        if reference and self.section is not None:
            self.section.references.append(reference)
        elif not reference:
            self.section_intro.append(line)

    def parse_reference(self, number: int, text: str) -> ParsedReference | None:
        stripped = text.strip()
        link = LINK.fullmatch(stripped)
        if not link and not is_bare_url(stripped):
            self.error(
                number, _("referência sem link no formato [título](url): %(text)r") % {"text": text}
            )
            return None
        url = link.group("url") if link else stripped
        title = link.group("title").strip() if link else url
        if not HTTP_URL.match(url):
            self.error(number, _("link de referência precisa ser http(s): %(url)r") % {"url": url})
            return None
        return ParsedReference(title=title, url=url, line=number)

    # -- closing ------------------------------------------------------------------------
    def end_free_text(self) -> None:
        """A '---' separator ends free text without closing the current question."""
        if self.item is not None and self.item.kind == "concept":
            self.close_item()

    def close_item(self) -> None:
        item = self.item
        if item is None:
            return
        if item.kind == "concept":
            item.text = _dedent_tail("\n".join(self.buffer)).strip()
            item.cloze_term = cloze_term(item.text) or tail_term(item.text)
        else:
            self.flush_buffer()
            for option in item.options:
                if option.more:
                    option.text = " ".join([option.text, *option.more]).strip()
                    option.more = []
            if not item.correct_options:
                self.error(item.line, _("pergunta sem resposta correta ('✅')"))
        self.check_size(item.line, item.text)
        self.check_size(item.line, item.prompt)
        self.check_size(item.explanation_line or item.line, item.explanation)
        for option in item.options:
            self.check_size(option.line, option.text)
        if self.section is not None:
            self.section.items.append(item)
        self.item = None
        self.buffer = []
        self.continuing = None

    def close_section(self) -> None:
        self.close_item()
        if self.section is None:
            return
        self.section.intro = "\n".join(self.section_intro).strip()
        self.check_size(self.section.line, self.section.intro)
        self.sections.append(self.section)
        self.section = None

    def finish(self) -> tuple[ParsedDeck | None, list[ContentError]]:
        meta = {key: value for key, (value, _line) in self.meta.items()}
        title = meta.get("title") or self.title
        if not title:
            self.error(1, _("deck sem título: falta a linha '# Título'"))
        stem = PurePosixPath(self.path.replace("\\", "/")).stem
        slug = meta.get("deck") or self.deck_id or slugify(stem)
        if slug != slugify(slug):
            line = self.meta.get("deck", ("", 1))[1]
            self.error(
                line,
                _("slug de deck inválido: %(slug)r (use minúsculas, dígitos e -)") % {"slug": slug},
            )
        language = self.language(meta.get("language"))
        topics = [t.strip() for t in meta.get("topics", "").split(",") if t.strip()] or [slug]
        domains, bad = parse_domains(meta.get("domains", ""))
        for part in bad:
            self.error(
                self.meta["domains"][1],
                _("domínio inválido: %(domain)r (use 1, 2, 3...)") % {"domain": part},
            )
        in_mock = True
        if "mock" in meta:
            in_mock = MOCK_VALUES.get(meta["mock"].strip().lower())
            if in_mock is None:
                self.error(
                    self.meta["mock"][1],
                    _("valor inválido para 'mock': %(value)r (use yes/no, sim/não)")
                    % {"value": meta["mock"]},
                )
        self.check_unique_ids()
        if self.errors:
            return None, self.errors
        deck = ParsedDeck(
            path=self.path,
            slug=slug,
            title=title or "",
            language=language,
            topics=topics,
            domains=domains,
            translation_of=meta.get("translation-of") or None,
            title_line=self.title_line,
            in_mock=bool(in_mock),
            intro="\n".join(self.intro).strip(),
            sections=self.sections,
            slug_line=self.meta["deck"][1] if "deck" in self.meta else self.title_line,
        )
        return deck, []

    def language(self, declared: str | None) -> str:
        """The deck's language: front matter, else the folder, else pt-BR; always configured.

        The value names folders and URLs later, so anything but a configured language (after
        the aliases of LANGUAGE_FOLDERS: pt-br, pt, en) is an error, never a path.
        """
        configured = configured_languages()
        if not declared:
            found = _language_from_path(self.path)
            return found if found in configured.values() else DEFAULT_LANGUAGE
        language = configured.get(LANGUAGE_FOLDERS.get(declared.lower(), declared).lower())
        if language is None:
            self.error(
                self.meta["language"][1],
                _("idioma desconhecido: %(value)r (use um destes: %(languages)s)")
                % {"value": declared, "languages": ", ".join(configured.values())},
            )
            return DEFAULT_LANGUAGE
        return language

    def check_unique_ids(self) -> None:
        seen: dict[str, int] = {}
        for section in self.sections:
            for item in section.items:
                key = item.pinned_id or identity_text(item)
                label = _("id '%(id)s'") % {"id": item.pinned_id} if item.pinned_id else _("texto")
                scoped = key if item.pinned_id else f"{section.key}\n{key}"
                if scoped in seen:
                    self.error(
                        item.line,
                        _("item duplicado: mesmo %(what)s da linha %(line)d")
                        % {"what": label, "line": seen[scoped]},
                    )
                else:
                    seen[scoped] = item.line
        section_keys: dict[str, int] = {}
        for section in self.sections:
            if section.key in section_keys:
                self.error(
                    section.line,
                    _("seção duplicada: mesmo id da linha %(line)d")
                    % {"line": section_keys[section.key]},
                )
            section_keys[section.key] = section.line


def parse_domains(text: str) -> tuple[list[int], list[str]]:
    """Comma list of exam domains → (domains in order, without repeats; invalid parts)."""
    domains: list[int] = []
    bad: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if not part.isdecimal() or not 1 <= int(part) <= 9:  # "²".isdigit()
            bad.append(part)
        elif int(part) not in domains:
            domains.append(int(part))
    return domains, bad


def identity_text(item: ParsedItem) -> str:
    """Normalized text an unpinned item is recognized by across imports."""
    raw = item.prompt if item.kind == "question" else item.text
    return re.sub(r"\s+", " ", raw).strip().lower()


def _dedent_tail(text: str) -> str:
    """Strip trailing blank lines a bullet collected while looking for continuations."""
    return "\n".join(text.rstrip().split("\n"))
