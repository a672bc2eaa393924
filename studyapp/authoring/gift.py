"""Convert Moodle GIFT questions into our deck Markdown (pure functions, no database).

The result is Markdown for the instructor to review in the editor before saving; nothing
is imported here. Question types our format has no place for (short answer, numerical,
matching, essay, descriptions) are skipped and reported with their line number.

Supported, following Moodle's GIFT documentation:

- multiple choice ``{=right ~wrong}`` and missing word (``Grant is {…} in Grant's tomb.``
  becomes ``Grant is _____ in Grant's tomb.``);
- multiple answer with weights ``{~%50%a ~%50%b ~%-100%c}``: every option with a positive
  weight (or ``=``) is correct;
- true/false ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}``, with ``#wrong-feedback#right-feedback``;
- ``::title::``, ``[markdown]``/``[html]``/``[plain]``/``[moodle]`` format markers (dropped);
- per-answer feedback ``#…`` and general feedback ``####…`` (both go to the 💡 explanation);
- ``$CATEGORY: a/b/c`` (the first category names the deck; each category's last part
  opens a question section);
- ``//`` comment lines and the escapes ``\\~ \\= \\# \\{ \\} \\: \\\\ \\n``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from studyapp.content.parser import slugify

# Escaped special characters are swapped for private-use code points while parsing.
ESCAPES = {
    "\\\\": "\ue000",
    "\\~": "\ue001",
    "\\=": "\ue002",
    "\\#": "\ue003",
    "\\{": "\ue004",
    "\\}": "\ue005",
    "\\:": "\ue006",
}
UNESCAPE = {placeholder: raw[1] for raw, placeholder in ESCAPES.items()}
BLANK = "_____"
TRUE_WORDS = {"T", "TRUE"}
FALSE_WORDS = {"F", "FALSE"}
TITLE = re.compile(r"^::(?P<title>.*?)::", re.DOTALL)
FORMAT = re.compile(r"^\s*\[(?P<format>html|moodle|plain|markdown)\]", re.IGNORECASE)
WEIGHT = re.compile(r"^%(?P<weight>-?\d+(?:\.\d+)?)%")
CATEGORY_SKIP = re.compile(
    r"^(\$course\$|\$system\$|\$module\$|\$cat\d+\$|top|default for .*)$", re.I
)
DEFAULT_SECTION = "🧪 Perguntas"
DEFAULT_TITLE = "Perguntas importadas do Moodle"
# A question that already says how many to choose ("(Escolha 2.)", "Choose 2", "Selecione 2")
# gets no second "(Escolha N.)". Anchored on a word, no nested quantifiers: linear.
SAYS_HOW_MANY = re.compile(r"(?:escolha|escolher|selecione|choose|select)\s*+\d", re.I)


@dataclass(frozen=True)
class GiftProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"linha {self.line}: {self.message}"


@dataclass
class GiftAnswer:
    text: str
    correct: bool
    feedback: str = ""


@dataclass
class GiftQuestion:
    line: int
    title: str
    text: str
    answers: list[GiftAnswer]
    general_feedback: str = ""
    multiple: bool = False


@dataclass
class GiftResult:
    markdown: str
    questions: int = 0
    problems: list[GiftProblem] = field(default_factory=list)
    # ``$CATEGORY`` names: the first category's top name, and every category's last name (in
    # order, once each). The import page offers defaults from them; it never takes them blindly.
    category_root: str = ""
    categories: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GiftDeckDefaults:
    """What the GIFT page proposes before the deck is written (the instructor can change all)."""

    title: str
    slug_base: str
    topics: str


def gift_defaults(result: GiftResult) -> GiftDeckDefaults:
    """Title "AWS — KMS, IAM" from ``$CATEGORY: …/AWS/KMS`` and ``…/AWS/IAM`` (the root alone
    named the deck "AWS"); topics "KMS, IAM"; the slug is made from the title (the view makes
    it unique among existing decks)."""
    leaves = [name for name in result.categories if name != result.category_root]
    if result.category_root and leaves:
        title = f"{result.category_root} — {', '.join(leaves)}"
    else:
        title = result.category_root or ", ".join(leaves) or DEFAULT_TITLE
    topics = ", ".join(leaves or ([result.category_root] if result.category_root else []))
    return GiftDeckDefaults(title=title, slug_base=slugify(title)[:80] or "moodle", topics=topics)


def _escape(text: str) -> str:
    for raw, placeholder in ESCAPES.items():
        text = text.replace(raw, placeholder)
    return text.replace("\\n", "\n")


def _unescape(text: str) -> str:
    for placeholder, char in UNESCAPE.items():
        text = text.replace(placeholder, char)
    return text


def _blocks(text: str) -> list[tuple[int, str]]:
    """Questions are separated by blank lines; ``//`` lines are comments."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        if raw.strip().startswith("//"):
            continue
        if not raw.strip():
            if current:
                blocks.append((start, "\n".join(current)))
                current = []
            continue
        if not current:
            start = number
        current.append(raw)
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _category_name(raw: str) -> str:
    parts = [part.strip() for part in _unescape(raw).split("/") if part.strip()]
    parts = [part for part in parts if not CATEGORY_SKIP.match(part)]
    return parts[-1] if parts else ""


def _category_deck(raw: str) -> str:
    parts = [part.strip() for part in _unescape(raw).split("/") if part.strip()]
    parts = [part for part in parts if not CATEGORY_SKIP.match(part)]
    return parts[0] if parts else ""


def _split_answers(body: str) -> list[tuple[str, str]]:
    """Split ``=a #fb ~b`` into [("=", "a #fb"), ("~", "b")] at unescaped = and ~."""
    answers: list[tuple[str, str]] = []
    marker, start = None, 0
    for index, char in enumerate(body):
        if char in "=~":
            if marker is not None:
                answers.append((marker, body[start:index]))
            marker, start = char, index + 1
    if marker is not None:
        answers.append((marker, body[start:]))
    return answers


def _parse_question(line: int, block: str) -> GiftQuestion | GiftProblem | None:
    text = _escape(block.strip())
    title = ""
    match = TITLE.match(text)
    if match:
        title = _one_line(match.group("title"))
        text = text[match.end() :].lstrip()
    text = FORMAT.sub("", text, count=1)
    open_at = text.find("{")
    close_at = text.rfind("}")
    if open_at == -1:
        return GiftProblem(line, _("descrição sem respostas (tipo 'description') não suportada"))
    if close_at < open_at:
        return GiftProblem(line, _("'{' sem o '}' de fechamento"))
    before, body, after = text[:open_at], text[open_at + 1 : close_at], text[close_at + 1 :]
    question_text = before.strip()
    if after.strip():
        question_text = f"{before.rstrip()} {BLANK} {after.lstrip()}".strip()
    question_text = FORMAT.sub("", question_text, count=1).strip()
    body, _sep, general = body.partition("####")
    general = general.strip()
    stripped = body.strip()
    label = f"'{_one_line(_unescape(title or question_text))[:60]}'"

    if not stripped:
        return GiftProblem(
            line, _("dissertação (essay) não suportada: %(question)s") % {"question": label}
        )
    if stripped.startswith("#"):
        return GiftProblem(
            line, _("pergunta numérica não suportada: %(question)s") % {"question": label}
        )

    first, *feedbacks = stripped.split("#")
    word = first.strip().upper()
    if word in TRUE_WORDS | FALSE_WORDS and "=" not in first and "~" not in first:
        truth = word in TRUE_WORDS
        # Moodle: the first feedback is shown for a wrong answer, the second for a right one.
        wrong_feedback = feedbacks[0].strip() if feedbacks else ""
        right_feedback = feedbacks[1].strip() if len(feedbacks) > 1 else ""
        answers = [
            GiftAnswer("Verdadeiro", truth, right_feedback if truth else wrong_feedback),
            GiftAnswer("Falso", not truth, wrong_feedback if truth else right_feedback),
        ]
        return GiftQuestion(line, title, question_text, answers, general)

    parts = _split_answers(stripped)
    if not parts or stripped[0] not in "=~":
        return GiftProblem(
            line, _("respostas em formato não reconhecido: %(question)s") % {"question": label}
        )
    answers: list[GiftAnswer] = []
    weighted = False
    for marker, raw in parts:
        raw = raw.strip()
        if marker == "=" and "->" in raw:
            return GiftProblem(
                line, _("associação (matching) não suportada: %(question)s") % {"question": label}
            )
        weight = None
        weight_match = WEIGHT.match(raw)
        if weight_match:
            weight = float(weight_match.group("weight"))
            raw = raw[weight_match.end() :].strip()
            weighted = True
        answer_text, _sep, feedback = raw.partition("#")
        correct = weight > 0 if weight is not None else marker == "="
        answers.append(GiftAnswer(_one_line(answer_text), correct, feedback.strip()))
    if all(marker == "=" for marker, _raw in parts):
        return GiftProblem(
            line,
            _("resposta curta (short answer) não suportada: %(question)s") % {"question": label},
        )
    if not any(answer.correct for answer in answers):
        return GiftProblem(line, _("nenhuma resposta correta: %(question)s") % {"question": label})
    if any(not answer.text for answer in answers):
        return GiftProblem(line, _("resposta vazia: %(question)s") % {"question": label})
    multiple = weighted and sum(answer.correct for answer in answers) > 1
    return GiftQuestion(line, title, question_text, answers, general, multiple)


def _markdown_text(text: str) -> str:
    """Our format reads '#', '---' and marker emoji at line start: neutralize them."""
    lines = []
    for raw in _unescape(text).split("\n"):
        line = raw.rstrip()
        if line.lstrip().startswith(("#", "✅", "❌", "💡", "🔗")) or line.strip() == "---":
            line = "\\" + line.lstrip()
        lines.append(line)
    return "\n".join(lines).strip()


def _question_markdown(question: GiftQuestion) -> str:
    text = _markdown_text(question.text)
    if question.title:
        heading, body = _one_line(_unescape(question.title)), text
    else:
        first, _sep, rest = text.partition("\n")
        heading, body = first.strip().lstrip("\\"), rest.strip()
    heading = heading.replace("{", "(").replace("}", ")")
    if question.multiple and not SAYS_HOW_MANY.search(f"{heading}\n{body}"):
        count = sum(answer.correct for answer in question.answers)
        body = f"{body}\n(Escolha {count}.)".strip()
    lines = [f"### Q: {heading}"]
    if body:
        lines.append(body)
    for answer in question.answers:
        mark = "✅" if answer.correct else "❌"
        lines.append(f"{mark} {_one_line(_unescape(answer.text))}")
    feedback_lines = [
        f"- **{_one_line(_unescape(answer.text))}**: {_one_line(_unescape(answer.feedback))}"
        for answer in question.answers
        if answer.feedback
    ]
    general = _markdown_text(question.general_feedback)
    if general or feedback_lines:
        lines.append(f"💡 {general or 'Comentários das opções:'}")
        if general and feedback_lines:
            lines.append("")
        lines.extend(feedback_lines)
    return "\n".join(lines)


def gift_to_markdown(
    text: str, *, title: str = "", slug: str = "", topics: str = "", domains: str = ""
) -> GiftResult:
    """Convert GIFT text into one deck's Markdown; unsupported questions are reported.

    ``slug``, ``topics`` and ``domains`` (comma lists) go to the front matter when given.
    """
    problems: list[GiftProblem] = []
    sections: list[tuple[str, list[str]]] = []
    deck_title = title
    root = ""
    categories: list[str] = []
    count = 0
    for line, block in _blocks(text):
        stripped = block.strip()
        if stripped.startswith("$CATEGORY:"):
            first, _sep, rest = stripped.partition("\n")
            raw = _escape(first[len("$CATEGORY:") :].strip())
            name = _category_name(raw)
            root = root or _category_deck(raw)
            deck_title = deck_title or _category_deck(raw)
            if name and name not in categories:
                categories.append(name)
            sections.append((f"🧪 Perguntas — {name}" if name else DEFAULT_SECTION, []))
            if not rest.strip():
                continue
            block, line = rest, line + 1
        parsed = _parse_question(line, block)
        if parsed is None:
            continue
        if isinstance(parsed, GiftProblem):
            problems.append(parsed)
            continue
        if not sections:
            sections.append((DEFAULT_SECTION, []))
        sections[-1][1].append(_question_markdown(parsed))
        count += 1
    deck_title = deck_title or DEFAULT_TITLE
    meta = [
        f"{key}: {_one_line(value)}"
        for key, value in (("deck", slug), ("topics", topics), ("domains", domains))
        if value.strip()
    ]
    out = ["---", *meta, "---"] if meta else []
    out += [f"# {_one_line(deck_title)}", ""]
    for heading, questions in sections:
        if not questions:
            continue
        out += [f"## {heading}", ""]
        for question in questions:
            out += [question, ""]
    return GiftResult(
        markdown="\n".join(out).rstrip() + "\n",
        questions=count,
        problems=problems,
        category_root=root,
        categories=categories,
    )
