"""Every concept card asks something answerable; nested bullets are a list; the back fills
the blank in place (issue 14, "Study"; the rule is in docs/content-format.md)."""

import pytest
from django.urls import reverse

from studyapp.content.models import Item
from studyapp.content.parser import parse_file, parse_text, tail_term
from studyapp.content.rendering import concept_markdown, render_cloze, render_deck, render_lead
from studyapp.srs.models import StudyCard
from tests.conftest import SEED


def rendered(text):
    deck, errors = parse_text(text, "content/pt-br/d.md")
    assert errors == [], errors
    return render_deck(deck)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Imagens ficam disponíveis regionalmente.", "disponíveis regionalmente"),
        (
            "Pode replicar imagens entre regiões para alta disponibilidade.",
            "regiões para alta disponibilidade",
        ),
        ("dois termos", "termos"),
        ("Usa `aws ecr get-login-password`", ""),  # the tail would cut Markdown
        ("Veja `x` e depois isto aqui", "depois isto aqui"),
        ("sozinha", ""),  # one word: nothing to hide and something left
        ("Ponto final!", "final"),
        ("Primeira linha aqui\n  - sub bullet longo", "aqui"),
    ],
)
def test_tail_term_rule(text, expected):
    assert tail_term(text) == expected


def test_every_seed_concept_card_hides_something():
    deck, errors = parse_file("content/pt-br/ecr.md", SEED.read_bytes())
    assert errors == []
    render_deck(deck)
    assert len(deck.concept_cards) == 15
    for card in deck.concept_cards:
        assert '<mark class="cloze">[…]</mark>' in card.cloze_html, card.text
        assert "<mark" in card.text_html
    regional = next(c for c in deck.concept_cards if "regionalmente" in c.text)
    assert regional.cloze_html == '<p>Imagens ficam <mark class="cloze">[…]</mark>.</p>'
    assert regional.text_html == (
        '<p>Imagens ficam <mark class="cloze">disponíveis regionalmente</mark>.</p>'
    )


def test_nested_bullets_render_as_a_list_not_one_sentence():
    deck = rendered(
        "# T\n## A\n- Toda requisição começa em **negação implícita**.\n"
        "  - Um `Deny` explícito vence.\n    - mais fundo\n  - Outro ponto.\n- Segundo card ECR\n"
    )
    first = deck.concept_cards[0]
    assert "explícito vence.<ul>" in first.text_html.replace("\n", "")
    assert "<li>Outro ponto.</li>" in first.text_html
    assert "negação implícita</mark></strong>.</p>" in first.text_html
    assert first.cloze_html.count("<li>") == 3
    assert first.text.endswith("  - Outro ponto.")  # the stored text (identity) is unchanged
    assert len(deck.concept_cards) == 2


def test_concept_markdown_keeps_continuation_lines_and_ordered_lists():
    assert concept_markdown("só uma linha") == "só uma linha"
    assert concept_markdown("a\n  continua") == "a\ncontinua"
    assert concept_markdown("a\n  1. um\n  2. dois") == "a\n\n1. um\n2. dois"


def test_a_term_that_cannot_be_found_gives_a_plain_front_back_card():
    # The marked term spans Markdown, so it is not in the rendered text as written.
    deck = rendered("# T\n## A\n- Rode **`aws ecr x`** antes de tudo `y`\n")
    card = deck.concept_cards[0]
    assert card.cloze_term == ""
    assert card.cloze_html == "<p>Rode …</p>"
    assert "<code>aws ecr x</code>" in card.text_html


def test_no_plain_opening_gives_no_lead():
    assert render_lead("`a` b c d") == ""
    assert render_lead("um dois três quatro") == "<p>um dois …</p>"
    assert render_lead("<b> x y z") == ""
    assert render_cloze("sem termo", "") == ("", "<p>sem termo</p>")


def test_lead_is_escaped():
    assert "&lt;" not in render_lead("a b")  # nothing to escape
    deck = rendered("# T\n## A\n- a\u00a0> b c `d`\n")
    assert "<script" not in deck.concept_cards[0].cloze_html


# -- the study page -------------------------------------------------------------------------


@pytest.mark.django_db
def test_study_cloze_front_and_back_fill_in_place(user_client, user, seed_deck):
    item = Item.objects.get(text_md="Imagens ficam disponíveis regionalmente.")
    user_client.get(reverse("srs:study"))
    card = StudyCard.objects.get(user=user, item=item)
    url = reverse("srs:study_deck", args=["ecr"])
    front = user_client.get(url, {"card": card.pk}).content.decode()
    assert "Lembre o fato" not in front
    assert f'data-card="{card.pk}"' in front  # the page shows the asked card
    assert 'class="cloze cloze-front"' in front
    back = user_client.get(url, {"card": card.pk, "reveal": "1"}).content.decode()
    assert f'data-card="{card.pk}"' in back
    assert "cloze-front" not in back  # no blank left on the revealed card
    assert 'class="cloze cloze-filled shown"' in back
    assert back.count("disponíveis regionalmente") == 1  # not repeated under the front
    assert 'class="answer"' not in back


@pytest.mark.django_db
def test_study_plain_card_when_nothing_can_be_hidden(user_client, user, import_text):
    report = import_text({"content/pt-br/p.md": "# P\n## Seção X\n- `só código`\n"})
    assert report.ok, report.errors
    item = Item.objects.get()
    assert item.cloze_term == "" and item.cloze_html == ""
    html = user_client.get(reverse("srs:study_deck", args=["p"])).content.decode()
    assert "O que o resumo diz em <strong>Seção X</strong>?" in html
    revealed_card = StudyCard.objects.get(user=user, item=item)
    back = user_client.get(
        reverse("srs:study_deck", args=["p"]), {"card": revealed_card.pk, "reveal": "1"}
    ).content.decode()
    assert '<div class="answer"><p><code>só código</code></p></div>' in back


# -- images are refused with file:line, never dropped silently -----------------------------
@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("# T\n## A\n- Veja o diagrama\n  ![diagrama](x.png)\n", 4),
        ("# T\n![capa](capa.png)\n## A\n- x ECR\n", 2),
        ("# T\n## A\n- Veja ![d][ref]\n", 3),
        ("# T\n## P\n### Q: a\n✅ b ![x](y.png)\n", 4),
        ('# T\n## P\n### Q: a\n✅ b\n💡 veja\n<img src="x.png">\n', 6),
    ],
)
def test_images_are_refused_at_their_line(text, line):
    deck, errors = parse_text(text, "content/pt-br/d.md")
    assert deck is None
    assert [(e.line, "imagem não suportada" in e.message) for e in errors] == [(line, True)]
    assert str(errors[0]).startswith(f"content/pt-br/d.md:{line}: ")


@pytest.mark.parametrize(
    "text",
    [
        "# T\n## A\n- Escreva `![alt](x.png)` no Markdown\n",
        "# T\n## A\n- código:\n\n```\n![alt](x.png)\n```\n",
        "# T\n## A\n- Um ponto! [link](https://example.com) ECR\n",
    ],
)
def test_image_syntax_in_code_or_plain_exclamation_is_fine(text):
    deck, errors = parse_text(text, "content/pt-br/d.md")
    assert errors == [], errors


@pytest.mark.django_db
def test_editor_preview_shows_the_image_error(instructor_client, seed_deck):
    url = reverse("authoring:preview", args=["pt-BR", "ecr"])
    text = seed_deck.source.text + "\n## Diagrama\n- Fluxo ![diagrama](x.png)\n"
    response = instructor_client.post(url, {"text": text, "base_sha": ""})
    html = response.content.decode()
    assert "imagem não suportada" in html and "Sem erros" not in html
