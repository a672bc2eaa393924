"""GIFT → our Markdown, with the examples of Moodle's GIFT format documentation."""

import pytest
from django.urls import reverse

from studyapp.authoring.gift import gift_defaults, gift_to_markdown
from studyapp.content.parser import parse_text


def convert(gift: str):
    result = gift_to_markdown(gift, title="Importado")
    deck, errors = parse_text(result.markdown, "content/pt-br/importado.md")
    assert not errors, (errors, result.markdown)
    return result, deck


def only_question(gift: str):
    result, deck = convert(gift)
    assert result.questions == 1 and not result.problems, result.problems
    return deck.questions[0]


def options(question):
    return [(o.text, o.correct) for o in question.options]


def test_multiple_choice():
    question = only_question("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
    assert question.prompt == "Who's buried in Grant's tomb?"
    assert options(question) == [("Grant", False), ("Jefferson", False), ("no one", True)]


def test_missing_word_puts_a_blank_in_the_sentence():
    question = only_question("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert question.prompt == "Grant is _____ in Grant's tomb."
    assert options(question) == [("buried", False), ("entombed", True), ("living", False)]


def test_answers_on_separate_indented_lines():
    question = only_question(
        "The American holiday of Thanksgiving is celebrated on the {\n"
        "    ~second\n    ~third\n    =fourth\n} Thursday of November."
    )
    assert question.prompt.endswith("the _____ Thursday of November.")
    assert options(question)[-1] == ("fourth", True)


def test_true_false_in_all_spellings():
    for answer, truth in [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)]:
        question = only_question(f"Grant was buried in a tomb in New York City.{{{answer}}}")
        assert options(question) == [("Verdadeiro", truth), ("Falso", not truth)]


def test_true_false_feedback_first_for_wrong_then_for_right():
    question = only_question("The sun rises in the West.{FALSE#No, it rises in the East.#Right!}")
    assert "**Verdadeiro**: No, it rises in the East." in question.explanation
    assert "**Falso**: Right!" in question.explanation


def test_multiple_answers_with_weights():
    question = only_question(
        "What two people are entombed in Grant's tomb? {\n"
        "   ~%-100%No one\n   ~%50%Grant\n   ~%50%Grant's wife\n   ~%-100%Grant's father\n}"
    )
    assert options(question) == [
        ("No one", False),
        ("Grant", True),
        ("Grant's wife", True),
        ("Grant's father", False),
    ]
    assert "(Escolha 2.)" in question.text


def test_title_becomes_the_heading_and_text_the_scenario():
    question = only_question(
        "::Grants tomb::Who is buried in Grant's tomb in New York City? {\n"
        "=Grant\n~No one\n#Was true for 12 years\n~Napoleon\n#He was buried in France\n}"
    )
    assert question.prompt == "Grants tomb"
    assert question.text == "Who is buried in Grant's tomb in New York City?"
    assert "**No one**: Was true for 12 years" in question.explanation
    assert "**Napoleon**: He was buried in France" in question.explanation


def test_per_answer_feedback():
    question = only_question(
        "What's the answer to this multiple-choice question? {\n"
        "~wrong answer#feedback comment on the wrong answer\n"
        "~another wrong answer#feedback comment on this wrong answer\n"
        "=right answer#Very good!}"
    )
    assert options(question)[2] == ("right answer", True)
    assert "**right answer**: Very good!" in question.explanation
    assert "**wrong answer**: feedback comment on the wrong answer" in question.explanation


def test_general_feedback_becomes_the_explanation():
    question = only_question(
        "What is the largest continent? {=Asia ~Africa ####Asia covers about 30% of land.}"
    )
    assert question.explanation == "Asia covers about 30% of land."
    assert options(question) == [("Asia", True), ("Africa", False)]


def test_escapes_of_special_characters():
    question = only_question(
        "Which answer equals 5? {\n  ~ \\= 2 + 2\n  = \\= 2 + 3\n  ~ \\= 2 + 4\n}"
    )
    assert options(question) == [("= 2 + 2", False), ("= 2 + 3", True), ("= 2 + 4", False)]
    question = only_question(
        "::GIFT Control Characters::\n"
        "Which of the following is NOT a control character for the GIFT import format? {\n"
        "   ~ \\~     # \\~ is a control character.\n"
        "   ~ \\=     # \\= is a control character.\n"
        "   ~ \\#     # \\# is a control character.\n"
        "   ~ \\{     # \\{ is a control character.\n"
        "   ~ \\}     # \\} is a control character.\n"
        "   = \\\\     # Correct! \\\\ (backslash) is not a control character.\n"
        "}"
    )
    assert [text for text, _ in options(question)] == ["~", "=", "#", "{", "}", "\\"]
    assert "**{**: { is a control character." in question.explanation
    escaped = only_question("The largest desert is\\: {=Antarctica ~Sahara}")
    assert escaped.prompt == "The largest desert is:"
    newline = only_question("::T::Line one\\nLine two {=a ~b}")
    assert newline.text == "Line one\nLine two"


def test_comments_and_format_markers_are_dropped():
    question = only_question(
        "// question: 1 name: Grants tomb\n[markdown]Who is **buried**? {=Grant ~No one}"
    )
    assert question.prompt == "Who is **buried**?"


def test_category_names_the_deck_and_opens_sections():
    result = gift_to_markdown(
        "$CATEGORY: $course$/top/AWS/KMS\n\nQ1?{=a ~b}\n\n"
        "$CATEGORY: $course$/top/AWS/IAM\n\nQ2?{=c ~d}\n"
    )
    deck, errors = parse_text(result.markdown, "content/pt-br/aws.md")
    assert not errors
    assert deck.title == "AWS"
    assert [s.title for s in deck.sections] == ["🧪 Perguntas — KMS", "🧪 Perguntas — IAM"]
    assert [s.kind for s in deck.sections] == ["questions", "questions"]


def test_unsupported_types_are_reported_by_line():
    gift = (
        "Who's buried in Grant's tomb?{=no one =nobody}\n"  # 1 short answer
        "\n"
        "When was Ulysses S. Grant born?{#1822:5}\n"  # 3 numerical
        "\n"
        "Match the capitals.{\n=Canada -> Ottawa\n=Italy -> Rome\n}\n"  # 5 matching
        "\n"
        "Write a short biography of Dag Hammarskjöld. {}\n"  # 10 essay
        "\n"
        "You can use your pencil and paper for these next math questions.\n"  # 12 description
        "\n"
        "Who's buried in Grant's tomb?{~Grant =no one}\n"
    )
    result = gift_to_markdown(gift)
    assert result.questions == 1
    assert [(p.line, p.message.split(":")[0]) for p in result.problems] == [
        (1, "resposta curta (short answer) não suportada"),
        (3, "pergunta numérica não suportada"),
        (5, "associação (matching) não suportada"),
        (10, "dissertação (essay) não suportada"),
        (12, "descrição sem respostas (tipo 'description') não suportada"),
    ]


def test_heading_markers_in_question_text_cannot_break_the_deck():
    question = only_question("::T::# not a heading\n✅ not an option {=a ~b}")
    assert question.text.startswith("\\# not a heading")


@pytest.mark.django_db
def test_gift_page_asks_the_deck_data_then_opens_the_editor_without_saving(instructor_client):
    gift = "::Q1::Who's buried in Grant's tomb?{~Grant =no one}\n\nX {#1:1}"
    step1 = instructor_client.post(reverse("authoring:gift_import"), {"text": gift})
    html = step1.content.decode()
    assert step1.status_code == 200
    assert "Dados do deck" in html and "1 pergunta convertida." in html
    assert 'value="Perguntas importadas do Moodle"' in html  # the default, shown
    assert 'value="perguntas-importadas-do-moodle"' in html
    response = instructor_client.post(
        reverse("authoring:gift_import"),
        {
            "confirm": "1",
            "text": gift,
            "title": "Moodle",
            "slug": "moodle",
            "topics": "KMS, IAM",
            "domains": "2, 1",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "### Q: Q1" in html and "1 pergunta convertida" in html
    assert "deck: moodle\ntopics: KMS, IAM\ndomains: 2, 1\n---\n# Moodle" in html
    assert "linha 3 do GIFT: pergunta numérica não suportada" in html
    from studyapp.content.models import Deck

    assert not Deck.objects.exists()


def test_defaults_come_from_every_category_not_the_root_alone():
    result = gift_to_markdown(
        "$CATEGORY: $course$/top/AWS/KMS\n\nQ1?{=a ~b}\n\n"
        "$CATEGORY: $course$/top/AWS/IAM\n\nQ2?{=c ~d}\n"
    )
    defaults = gift_defaults(result)
    assert defaults.title == "AWS — KMS, IAM"
    assert defaults.topics == "KMS, IAM" and defaults.slug_base == "aws-kms-iam"
    assert gift_defaults(gift_to_markdown("Q?{=a ~b}")).title == "Perguntas importadas do Moodle"


@pytest.mark.django_db
def test_default_slug_is_free(instructor_client, seed_deck):
    gift = "$CATEGORY: $course$/top/ECR\n\nQ?{=a ~b}\n"
    html = instructor_client.post(reverse("authoring:gift_import"), {"text": gift}).content
    assert b'value="ecr-2"' in html  # "ecr" is the seed's


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "ecr", "Já existe um deck com o slug ecr"),
        ("slug", "Com Espaço", "Slug inválido"),
        ("domains", "2, x", "Domínio inválido: x"),
        ("domains", "5", "domínios 1 a 4"),
        ("title", "", "obrigatório"),
    ],
)
def test_bad_deck_data_is_a_400_with_a_message(instructor_client, seed_deck, field, value, message):
    data = {"confirm": "1", "text": "Q?{=a ~b}", "title": "T", "slug": "t", "domains": ""}
    data[field] = value
    response = instructor_client.post(reverse("authoring:gift_import"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_choose_n_is_not_added_twice():
    gift = "Quais dois? (Escolha 2.) {~%50%a ~%50%b ~%-100%c}"
    assert gift_to_markdown(gift).markdown.count("Escolha 2") == 1
    titled = "::T::Quais dois? (Escolha 2.) {~%50%a ~%50%b ~%-100%c}"
    assert gift_to_markdown(titled).markdown.count("Escolha 2") == 1
    plain = "::T::Quais dois?{~%50%a ~%50%b ~%-100%c}"
    assert "(Escolha 2.)" in gift_to_markdown(plain).markdown


@pytest.mark.django_db
def test_gift_page_without_text_or_file_is_a_message(instructor_client):
    response = instructor_client.post(reverse("authoring:gift_import"), {"text": ""})
    assert response.status_code == 400
    assert "Cole o texto GIFT ou escolha um arquivo" in response.content.decode()
