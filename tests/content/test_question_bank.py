"""Lint of the question bank: every rule of the exam-grade standard, on every file.

Instructors' future edits must keep this standard; the seed (``content/pt-br/ecr.md``, the
user's file, unchanged) is exempt from the rules it predates (options, explanations, tags).
The figures (counts per topic and domain, option-length fairness) come from
``tests/content/bank_stats.py``, which also prints them: ``python -m tests.content.bank_stats``.
"""

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import pytest

from studyapp.content.parser import ParsedDeck, parse_file, slugify
from tests.content import bank_stats

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
# English labels that leaked into Portuguese text ("💡 Explanation: ...").
ENGLISH_BOILERPLATE = re.compile(
    r"^\s*(?:explanation|answer|correct answer|correct|incorrect|wrong|why|note|reference|"
    r"references|rationale|options?)\s*:",
    re.IGNORECASE | re.MULTILINE,
)
EXAM_DOMAINS = {1, 2, 3, 4}
# DVA-C02: 65 scored questions at 32/26/24/18 % → 21/17/15/12 per mock; "room to spare"
# means every domain has at least 1.5 times its quota of mock-eligible questions.
MOCK_QUOTA = {1: 21, 2: 17, 3: 15, 4: 12}
ROOM = 1.5
MAX_LONGEST_PCT = 30.0


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


def item_topics(deck: ParsedDeck, question) -> list[str]:
    return question.topics or deck.topics


def item_domains(deck: ParsedDeck, question) -> list[int]:
    return question.domains or deck.domains


def test_each_topic_has_at_least_30_questions_and_120_in_all():
    per_topic = Counter()
    for _name, deck in source_decks():
        for question in deck.questions:
            for topic in item_topics(deck, question):
                per_topic[slugify(topic)] += 1
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
        assert question.domains, f"{where}: tag the question with '🏷️ domains: ...'"
        assert set(question.domains) <= EXAM_DOMAINS, f"{where}: DVA-C02 domains are 1-4"
        if not deck.in_mock:
            assert question.topics, f"{where}: an out-of-mock deck tags each question's topic"
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


@pytest.mark.parametrize(("name", "deck"), BANK, ids=[name for name, _ in BANK])
def test_no_english_boilerplate_in_portuguese_files(name, deck):
    if not name.startswith("pt-br/"):
        return
    for question in deck.questions:
        texts = [question.text, question.explanation, *(o.text for o in question.options)]
        for text in texts:
            found = ENGLISH_BOILERPLATE.search(text)
            assert not found, f"{name}:{question.line}: English label {found.group(0)!r}"


def test_translations_carry_the_same_item_tags():
    by_slug = {deck.slug: deck for _n, deck in source_decks()}
    for name, deck in DECKS:
        source = by_slug.get(deck.translation_of or "")
        if source is None:
            continue
        tags = {q.pinned_id: (q.domains, q.topics) for q in source.questions if q.pinned_id}
        for question in deck.questions:
            if question.pinned_id in tags:
                expected = tags[question.pinned_id]
                assert (question.domains, question.topics) == expected, (
                    f"{name}:{question.line}: 🏷️ tags differ from the source"
                )
        assert deck.in_mock == source.in_mock, f"{name}: 'mock:' differs from the source"


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_picking_the_longest_option_does_not_pay(language):
    figures = bank_stats.fairness(bank_stats.load(CONTENT)[language])
    strict, ties = figures["longest_strict_pct"], figures["longest_with_ties_pct"]
    assert strict <= MAX_LONGEST_PCT, (strict, figures["_strict"])
    assert ties <= MAX_LONGEST_PCT, (ties, figures["_ties"])
    # Multiple response: correct options among the N longest stay near chance.
    among, chance = figures["among_n_longest_pct"], figures["multiple_chance_pct"]
    assert among <= chance + 8, (among, chance, figures["_multi"])


def test_mock_pool_fills_a_dva_c02_mock_with_room_to_spare():
    pool = Counter()
    for _name, deck in source_decks():
        if not deck.in_mock:
            continue
        for question in deck.questions:
            if not question.wrong_options:
                continue  # self-graded flashcards never enter a mock
            for domain in item_domains(deck, question):
                pool[domain] += 1
    for domain, quota in MOCK_QUOTA.items():
        assert pool[domain] >= ROOM * quota, (domain, pool[domain], quota)
