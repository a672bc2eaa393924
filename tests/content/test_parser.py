"""The content contract (docs/content-format.md), rule by rule, error by error."""

from pathlib import Path

import pytest

from studyapp.content.parser import MAX_FILE_BYTES, cloze_term, parse_file, parse_text
from tests.conftest import SEED, SHARED_SEED


def parse_ok(text, path="content/pt-br/deck.md"):
    deck, errors = parse_text(text, path)
    assert errors == [], [str(e) for e in errors]
    return deck


def errors_of(text, path="content/pt-br/deck.md"):
    deck, errors = parse_text(text, path)
    assert deck is None
    return [(e.line, e.message) for e in errors]


def test_content_seed_is_the_users_file_byte_for_byte():
    if not SHARED_SEED.exists():
        pytest.skip("shared/seeds not beside the checkout")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_seed_gives_15_concept_cards_5_questions_3_references():
    deck, errors = parse_file(str(SEED.relative_to(SEED.parents[2])), SEED.read_bytes())
    assert errors == []
    assert (len(deck.concept_cards), len(deck.questions), len(deck.references)) == (15, 5, 3)
    assert deck.slug == "ecr" and deck.topics == ["ecr"] and deck.language == "pt-BR"
    assert [(s.kind, len(s.items)) for s in deck.sections] == [
        ("concepts", 3),
        ("concepts", 5),
        ("concepts", 3),
        ("questions", 5),
        ("concepts", 4),
        ("references", 0),
    ]
    assert deck.questions[2].correct_options[0].text.startswith("Use `aws ecr get-login-password`")
    assert deck.questions[0].line == 22


SAME_TEMPLATE_OTHER_SERVICE = """# AWS Lambda – Resumo

## 🧠 Conceitos-chave
- Serviço serverless de computação.
- Cobrança por requisição e duração.

## 🔐 Segurança
- Execução com uma role de execução do IAM.

## 🧪 Perguntas comuns na prova

### Q: Como dar permissão para a função ler do S3?
✅ Anexe uma política à role de execução

---

## 📌 Dicas rápidas
- Timeout máximo de 15 minutos.

## 🔗 Links úteis
- [Lambda](https://docs.aws.amazon.com/lambda/latest/dg/welcome.html)
"""


def test_a_file_in_the_same_template_for_another_service_parses_the_same_way():
    deck = parse_ok(SAME_TEMPLATE_OTHER_SERVICE, "content/pt-br/lambda.md")
    assert deck.slug == "lambda" and deck.topics == ["lambda"]
    assert (len(deck.concept_cards), len(deck.questions), len(deck.references)) == (4, 1, 1)
    assert deck.concept_cards[2].cloze_term == "IAM"


def test_nested_bullets_belong_to_their_parent():
    deck = parse_ok("# T\n\n## Conceitos\n- Pai\n  - filho 1\n  - filho 2\n- Outro\n")
    cards = deck.concept_cards
    assert len(cards) == 2
    assert "filho 1" in cards[0].text and "filho 2" in cards[0].text


def test_front_matter_sets_slug_title_language_topics_domains_translation():
    deck = parse_ok(
        "---\ndeck: meu-deck\ntitle: Título FM\nlanguage: en\ntopics: ECR, IAM\n"
        "domains: 2, 3\ntranslation-of: origem\n---\n# Ignorado\n## A\n- x\n"
    )
    assert (deck.slug, deck.title, deck.language) == ("meu-deck", "Título FM", "en")
    assert deck.topics == ["ECR", "IAM"] and deck.domains == [2, 3]
    assert deck.translation_of == "origem"


def test_language_defaults_to_the_folder_then_pt_br():
    assert parse_ok("# T\n## A\n- x\n", "content/en/x.md").language == "en"
    assert parse_ok("# T\n## A\n- x\n", "elsewhere/x.md").language == "pt-BR"


def test_section_kind_comes_from_the_heading_text_emoji_optional():
    deck = parse_ok(
        "# T\n## Questões\n### P: a?\n✅ b\n## Referências\n- [d](https://x.org)\n## Outra\n- c\n"
    )
    assert [s.kind for s in deck.sections] == ["questions", "references", "concepts"]


def test_question_with_distractors_explanation_and_reference():
    deck = parse_ok(
        "# T\n## 🧪 Perguntas\n### Question: Qual? {#q-1}\nCenário em **Markdown**.\n"
        "✅ certa\n❌ errada 1\n❌ errada 2\n💡 Porque sim.\ncontinua aqui.\n"
        "🔗 [Doc](https://docs.aws.amazon.com/x.html)\n"
    )
    item = deck.questions[0]
    assert item.pinned_id == "q-1" and item.prompt == "Qual?"
    assert item.text == "Cenário em **Markdown**."
    assert [o.correct for o in item.options] == [True, False, False]
    assert item.explanation == "Porque sim.\ncontinua aqui."
    assert item.references[0].url == "https://docs.aws.amazon.com/x.html"
    assert deck.references == []  # an item's 🔗 is not a deck reference


def test_separator_lines_are_ignored():
    deck = parse_ok("# T\n---\n## A\n- x\n---\n- y\n---\n")
    assert len(deck.concept_cards) == 2


def test_pinned_ids_on_headings_and_bullets():
    deck = parse_ok("# T {#deck-id}\n## A\n- x {#c-1}\n## Perguntas\n### Q: y {#q-1}\n✅ z\n")
    assert deck.slug == "deck-id"
    assert deck.concept_cards[0].pinned_id == "c-1" and deck.concept_cards[0].text == "x"
    assert deck.questions[0].pinned_id == "q-1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Uma {{role}} do IAM", "role"),
        ("A **chave** do KMS", "chave"),
        ("Integrado com ECS e EKS", "ECS"),
        ("Usa Amazon Inspector para CVEs", "Amazon Inspector"),
        ("Nada de glossário aqui", ""),
    ],
)
def test_cloze_term_marked_then_glossary_then_none(text, expected):
    assert cloze_term(text) == expected


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("# T\n## Perguntas\n### Q: sem resposta\n❌ errada\n", 3, "sem resposta correta"),
        ("# T\n## A\n✅ solta\n", 3, "fora de uma pergunta"),
        ("# T\n## A\n❌ solta\n", 3, "fora de uma pergunta"),
        ("# T\n## A\n💡 solta\n", 3, "fora de uma pergunta"),
        ("# T\n## A\n- a {#x}\n- b {#x}\n", 4, "item duplicado"),
        ("# T\n## P\n### Q: a {#x}\n✅ b\n### Q: c {#x}\n✅ d\n", 5, "item duplicado"),
        ("# T\n## Links\n- [a](javascript:alert(1))\n", 3, "http(s)"),
        ("# T\n## Links\n- sem link\n", 3, "sem link"),
        ("# T\n## P\n### Q: a\n✅ b\n🔗 [c](ftp://x.org/a)\n", 5, "http(s)"),
        ("---\nfoo: bar\n---\n# T\n", 2, "front matter"),
        ("## A\n- x\n", 1, "sem título"),
        ("# T\n# Outro\n", 2, "segundo título"),
        ("# T\n## Perguntas\n### Não é pergunta\n", 3, "não abre uma pergunta"),
        ("---\ndomains: dois\n---\n# T\n", 2, "domínio inválido"),
    ],
)
def test_errors_cite_the_right_line(text, line, fragment):
    found = errors_of(text)
    assert any(n == line and fragment in message for n, message in found), found


def test_error_prints_as_file_line_message():
    _deck, errors = parse_text("# T\n## A\n✅ x\n", "content/pt-br/x.md")
    assert str(errors[0]).startswith("content/pt-br/x.md:3: ")


def test_empty_file_is_an_error():
    assert errors_of("  \n\n") == [(1, "arquivo vazio")]


def test_not_utf8_is_an_error_at_the_bad_line():
    deck, errors = parse_file("x.md", "# T\n## A\n- caf\xe9\n".encode("latin-1"))
    assert deck is None and errors[0].line == 3 and "UTF-8" in errors[0].message


def test_over_one_mebibyte_is_an_error():
    deck, errors = parse_file("x.md", b"# T\n" + b"a" * MAX_FILE_BYTES)
    assert deck is None and "1 MiB" in errors[0].message


def test_every_file_under_content_parses():
    root = Path(SEED).parents[1]
    for path in sorted(root.rglob("*.md")):
        _deck, errors = parse_file(str(path), path.read_bytes())
        assert errors == [], [str(e) for e in errors]


# --- item-level metadata: 🏷️ lines, and the out-of-mock deck ------------------------------

TAGGED = """---
topics: ECR
domains: 1, 2
---
# Deck

## Perguntas
### Q: Uma {#q-1}
✅ Certa
❌ Errada
💡 Explicação.
🏷️ domains: 4, 1
🏷️ topics: KMS, IAM
### Q: Duas {#q-2}
🏷️ domínios: 3
✅ Certa
### Q: Três {#q-3}
✅ Certa
- 🏷️ tópicos: Image scanning
"""


def test_tag_lines_give_a_question_its_own_domains_and_topics():
    deck = parse_ok(TAGGED)
    first, second, third = deck.questions
    assert (first.domains, first.topics) == ([4, 1], ["KMS", "IAM"])
    assert first.explanation == "Explicação."  # the 🏷️ line ended the explanation
    assert (second.domains, second.topics) == ([3], None)  # None: the deck's topics apply
    assert second.text == "" and [o.text for o in second.options] == ["Certa"]
    assert (third.domains, third.topics) == (None, ["Image scanning"])
    assert (deck.domains, deck.topics, deck.in_mock) == ([1, 2], ["ECR"], True)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("🏷️ domains: 1, 5x", "domínio inválido: '5x'"),
        ("🏷️ domains: 0", "domínio inválido: '0'"),
        ("🏷️ domains:", "sem valor"),
        ("🏷️ topics: KMS,, IAM", "tópico vazio"),
        ("🏷️ level: hard", "chaves aceitas"),
        ("🏷️ KMS", "chaves aceitas"),
    ],
)
def test_bad_tag_lines_are_file_line_errors(line, message):
    text = f"# D\n## Perguntas\n### Q: Uma\n✅ Certa\n{line}\n"
    ((number, error),) = errors_of(text)
    assert number == 5 and message in error


def test_a_second_tag_line_of_the_same_key_is_an_error():
    text = "# D\n## Perguntas\n### Q: Uma\n✅ Certa\n🏷️ domains: 1\n🏷️ domínios: 2\n"
    assert errors_of(text) == [(6, "segunda linha '🏷️ domínios' na mesma pergunta")]


def test_a_tag_line_outside_a_question_is_an_error():
    text = "# D\n## Conceitos\n- Um conceito.\n🏷️ domains: 1\n"
    ((number, error),) = errors_of(text)
    assert number == 4 and "fora de uma pergunta" in error


@pytest.mark.parametrize(("value", "in_mock"), [("no", False), ("não", False), ("yes", True)])
def test_front_matter_mock_marks_a_deck_out_of_mocks(value, in_mock):
    deck = parse_ok(f"---\nmock: {value}\n---\n# D\n")
    assert deck.in_mock is in_mock


def test_a_bad_mock_value_is_an_error_at_its_line():
    ((number, error),) = errors_of("---\ntopics: A\nmock: maybe\n---\n# D\n")
    assert number == 3 and "'mock'" in error


def test_tag_parsing_is_linear_in_the_line_length():
    # A hostile line (huge comma list) parses in bounded time: str.split, no regex backtracking.
    text = "# D\n## Perguntas\n### Q: Uma\n✅ Certa\n🏷️ topics: " + "a," * 200_000 + "b\n"
    deck = parse_ok(text)
    assert len(deck.questions[0].topics) == 200_001
