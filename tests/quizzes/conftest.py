"""A small question bank built from text, so the tests do not depend on the real bank."""

from datetime import UTC, datetime

import pytest

from studyapp.content.models import Deck, Item
from studyapp.quizzes.models import ExamProfile

# A fixed clock for deadlines and grace periods.
NOW = datetime(2025, 3, 12, 15, 0, tzinfo=UTC)


def deck_text(
    slug: str,
    topic: str,
    domains: str,
    count: int,
    *,
    multiple=(),
    flashcards=False,
    language_header: str = "",
) -> str:
    lines = ["---", f"deck: {slug}", f"topics: {topic}", f"domains: {domains}"]
    if language_header:
        lines.append(language_header)
    lines += ["---", f"# Deck {slug}", "", "## 🧪 Perguntas comuns na prova", ""]
    for n in range(1, count + 1):
        lines.append(f"### Q: Pergunta {slug} {n} {{#{slug}-{n}}}")
        if flashcards:
            lines.append(f"✅ Resposta {slug} {n}")
        elif n in multiple:
            lines += [
                "Quais estão corretas? (Escolha 2.)",
                f"✅ Certa A {slug} {n}",
                f"✅ Certa B {slug} {n}",
                f"❌ Errada A {slug} {n}",
                f"❌ Errada B {slug} {n}",
            ]
        else:
            lines += [
                f"✅ Certa {slug} {n}",
                f"❌ Errada A {slug} {n}",
                f"❌ Errada B {slug} {n}",
                f"❌ Errada C {slug} {n}",
            ]
        lines += [
            f"💡 Explicação {slug} {n}.",
            f"🔗 [Doc {slug} {n}](https://docs.aws.amazon.com/{slug}/{n})",
            "",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def bank(import_text):
    """alpha (topic Alpha, domain 1, 8 questions, #2 multiple response), beta (topic Beta,
    domain 2, 8 questions), gamma (topic Gamma, domain 3, 6 questions), flash (topic Alpha,
    domain 3, 4 seed-style ✅-only items: self-graded in practice, never in a mock)."""
    report = import_text(
        {
            "content/pt-br/alpha.md": deck_text("alpha", "Alpha", "1", 8, multiple=(2,)),
            "content/pt-br/beta.md": deck_text("beta", "Beta", "2", 8),
            "content/pt-br/gamma.md": deck_text("gamma", "Gamma", "3", 6),
            "content/pt-br/flash.md": deck_text("flash", "Alpha", "3", 4, flashcards=True),
        }
    )
    assert report.ok, report.errors
    return {deck.slug: deck for deck in Deck.objects.sources()}


def english_alpha_text() -> str:
    """The English translation of deck "alpha" (8 questions, question 2 multiple-answer)."""
    text = deck_text(
        "alpha", "Alpha", "1", 8, multiple=(2,), language_header="translation-of: alpha"
    )
    return text.replace("Pergunta", "Question").replace("Certa", "Right").replace("Errada", "Wrong")


def question(slug: str, n: int) -> Item:
    return Item.objects.get(deck__slug=slug, deck__language="pt-BR", key=f"{slug}-{n}")


@pytest.fixture
def small_profile(db):
    return ExamProfile.objects.create(
        slug="mini",
        name="Mini",
        question_count=10,
        minutes=20,
        pass_mark=720,
        domain_1_weight=50,
        domain_2_weight=30,
        domain_3_weight=20,
        domain_4_weight=0,
    )
