"""Lint of the question bank: every rule of the exam-grade standard, on every file.

Instructors' future edits must keep this standard; the seed (``content/pt-br/ecr.md``, the
user's file, unchanged) is exempt from the rules it predates (options and explanations).
"""

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import pytest

from studyapp.content.parser import ParsedDeck, parse_file, slugify

CONTENT = Path(__file__).resolve().parents[2] / "content"
SEED_FILES = {"pt-br/ecr.md", "en/ecr.md"}
TOPICS = {"ecr": 30, "iam": 30, "kms": 30, "image-scanning": 30}
TEMPLATE = {
    "pt-br": [
        "conceitos-chave",
        "funcionalidades-principais",
        "seguranca",
        "perguntas-comuns-na-prova",
        "dicas-rapidas",
        "links-uteis",
    ],
    "en": [
        "key-concepts",
        "main-features",
        "security",
        "common-exam-questions",
        "quick-tips",
        "useful-links",
    ],
}
BANNED = re.compile(
    r"todas as (alternativas )?anteriores|nenhuma das (alternativas )?anteriores|"
    r"all of the above|none of the above|ambas as anteriores|both of the above",
    re.IGNORECASE,
)
CHOOSE = re.compile(r"\((?:Escolha|Choose) (\d)\.?\)", re.IGNORECASE)


def load_decks() -> list[tuple[str, ParsedDeck]]:
    decks = []
    for path in sorted(CONTENT.rglob("*.md")):
        relative = path.relative_to(CONTENT).as_posix()
        deck, errors = parse_file(f"content/{relative}", path.read_bytes())
        assert not errors, [str(error) for error in errors]
        decks.append((relative, deck))
    return decks


DECKS = load_decks()
BANK = [(name, deck) for name, deck in DECKS if name not in SEED_FILES]


def source_decks():
    return [(name, deck) for name, deck in DECKS if deck.translation_of is None]


def test_each_topic_has_at_least_30_questions_and_120_in_all():
    per_topic = Counter()
    for _name, deck in source_decks():
        for topic in deck.topics:
            per_topic[slugify(topic)] += len(deck.questions)
    for topic, minimum in TOPICS.items():
        assert per_topic[topic] >= minimum, (topic, per_topic)
    assert sum(len(deck.questions) for _n, deck in source_decks()) >= 120


def test_at_least_15_percent_multiple_response():
    questions = [q for _n, deck in source_decks() for q in deck.questions]
    multiple = [q for q in questions if len(q.correct_options) > 1]
    assert len(multiple) / len(questions) >= 0.15


@pytest.mark.parametrize(("name", "deck"), BANK, ids=[name for name, _ in BANK])
def test_deck_follows_the_template_with_topics_and_domains(name, deck):
    language = name.split("/")[0]
    assert [section.key for section in deck.sections] == TEMPLATE[language]
    assert deck.topics and deck.domains
    assert set(deck.domains) <= {1, 2, 3, 4}


@pytest.mark.parametrize(("name", "deck"), BANK, ids=[name for name, _ in BANK])
def test_every_question_is_exam_grade(name, deck):
    for question in deck.questions:
        where = f"{name}:{question.line}"
        correct, options = len(question.correct_options), len(question.options)
        assert question.pinned_id, f"{where}: pin an id"
        if correct == 1:
            assert options == 4, f"{where}: single answer needs 4 options"
        else:
            assert options >= 5, f"{where}: multiple response needs 5+ options"
            choose = CHOOSE.search(f"{question.prompt}\n{question.text}")
            assert choose and int(choose.group(1)) == correct, f"{where}: say 'Escolha {correct}'"
        assert len(question.text) >= 40, f"{where}: a realistic scenario"
        assert len(question.explanation) >= 80, f"{where}: explain right and wrong options"
        assert question.references, f"{where}: cite the AWS documentation"
        for reference in question.references:
            assert urlparse(reference.url).hostname == "docs.aws.amazon.com", where
        texts = [option.text.strip().lower() for option in question.options]
        assert len(set(texts)) == len(texts), f"{where}: duplicate option"
        for text in [question.prompt, question.text, *texts]:
            assert not BANNED.search(text), f"{where}: no 'all/none of the above'"
            assert not re.search(r"\b(?:opção|option|alternativa) [a-e]\b", text, re.I), where


def test_ids_are_unique_across_the_bank():
    for language in ("pt-br", "en"):
        ids = [
            q.pinned_id
            for name, deck in DECKS
            if name.startswith(language)
            for q in deck.questions
            if q.pinned_id
        ]
        duplicates = [key for key, count in Counter(ids).items() if count > 1]
        assert not duplicates


def test_no_duplicate_scenarios():
    scenarios = [
        " ".join(f"{q.prompt} {q.text}".lower().split())
        for _name, deck in source_decks()
        for q in deck.questions
    ]
    duplicates = [text[:80] for text, count in Counter(scenarios).items() if count > 1]
    assert not duplicates


def test_every_source_deck_has_an_english_translation():
    sources = {deck.slug for _n, deck in source_decks()}
    translated = {deck.translation_of for _n, deck in DECKS if deck.translation_of}
    assert sources == translated
