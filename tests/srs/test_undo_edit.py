"""Undo names the card it undid and shows it (even from another deck's page); instructors
get an "Editar" link on the card that opens the editor at the item's line."""

import pytest
from django.urls import reverse

from studyapp.srs.models import StudyCard
from tests.srs.conftest import concept_deck_text

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def two_decks(import_text):
    report = import_text(
        {
            "content/pt-br/aaa.md": concept_deck_text("Alfa", "a", 3),
            "content/pt-br/bbb.md": concept_deck_text("Beta", "b", 3),
        }
    )
    assert report.ok, report.errors


def answer(client, card, scope, headers=None):
    data = {"rating": 4, "token": card.token, "scope": scope}
    return client.post(reverse("srs:answer", args=[card.pk]), data, headers=headers or {})


def test_undo_on_another_decks_page_names_and_shows_the_card(user_client, user, two_decks):
    user_client.get(reverse("srs:study_deck", args=["aaa"]))
    alfa_card = StudyCard.objects.filter(user=user, item__deck__slug="aaa").order_by("id").first()
    answer(user_client, alfa_card, "aaa")
    # Now on Beta's page, Undo reverts the Alfa answer: it says so and shows that card.
    response = user_client.post(reverse("srs:undo"), {"scope": "bbb"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-card="{alfa_card.pk}"' in html
    assert "Resposta desfeita: o cartão “Fato 0 de […] sobre Alfa” (Alfa › Conceitos)" in html
    assert "desfeito</span>" in html
    alfa_card.refresh_from_db()
    assert alfa_card.state == "new"


def test_undo_without_javascript_names_the_card_too(user_client, user, two_decks):
    user_client.get(reverse("srs:study_deck", args=["aaa"]))
    card = StudyCard.objects.filter(user=user, item__deck__slug="aaa").order_by("id").first()
    answer(user_client, card, "aaa")
    response = user_client.post(reverse("srs:undo"), {"scope": "bbb"})
    assert response["Location"].endswith(f"?card={card.pk}&undone=answer")
    html = user_client.get(response["Location"]).content.decode()
    assert f'data-card="{card.pk}"' in html and "Resposta desfeita: o cartão" in html


def test_undone_param_without_a_matching_card_says_nothing_specific(user_client, two_decks):
    html = user_client.get(reverse("srs:study"), {"undone": "answer", "card": "99999"}).content
    assert "Resposta desfeita: o cartão" not in html.decode()
    bogus = user_client.get(reverse("srs:study"), {"undone": "<script>", "card": "9" * 30})
    assert bogus.status_code == 200 and "<script>" not in bogus.content.decode().split("<main")[-1]


def test_someone_elses_card_is_never_shown_by_id(client, user, other_user, two_decks):
    client.force_login(user)
    client.get(reverse("srs:study"))
    mine = StudyCard.objects.filter(user=user).order_by("id").last()
    client.force_login(other_user)
    html = client.get(reverse("srs:study"), {"card": mine.pk, "undone": "answer"}).content.decode()
    assert f'data-card="{mine.pk}"' not in html
    assert answer(client, mine, "").status_code == 404


def test_instructors_get_an_edit_link_at_the_items_line(instructor_client, instructor, two_decks):
    html = instructor_client.get(reverse("srs:study_deck", args=["bbb"])).content.decode()
    card = StudyCard.objects.filter(user=instructor, item__deck__slug="bbb").order_by("id").first()
    item = card.item
    assert item.line > 0
    edit = reverse("authoring:deck_edit", args=[item.deck.language, item.deck.slug])
    assert f'href="{edit}?line={item.line}#id_text"' in html
    source_line = item.deck.source.text.splitlines()[item.line - 1]
    assert "Fato 0 de **b0**" in source_line
    assert instructor_client.get(edit, {"line": item.line}).status_code == 200


def test_students_get_no_edit_link(user_client, two_decks):
    html = user_client.get(reverse("srs:study_deck", args=["bbb"])).content.decode()
    assert "/authoring/" not in html and 'class="edit-item"' not in html


def test_an_english_instructor_edits_the_translation_they_read(client, instructor, all_content):
    client.force_login(instructor)
    html = client.get(
        reverse("srs:study_deck", args=["ecr"]), headers={"Accept-Language": "en"}
    ).content.decode()
    card = StudyCard.objects.filter(user=instructor, item__deck__slug="ecr").order_by("id").first()
    shown = card.item.translations.get()  # the English item the page shows
    edit = reverse("authoring:deck_edit", args=[shown.deck.language, shown.deck.slug])
    assert shown.deck.language.lower() == "en"
    assert f'href="{edit}?line={shown.line}#id_text"' in html
    assert ">Edit<" in html or "Edit<span" in html


def test_the_answers_next_card_keeps_the_instructors_edit_link(client, instructor, user, two_decks):
    """The role is read with the study settings (one query): the htmx answer's next card
    shows the link to an instructor, never to a student."""
    for learner, linked in ((instructor, True), (user, False)):
        client.force_login(learner)
        client.get(reverse("srs:study_deck", args=["bbb"]))
        card = StudyCard.objects.filter(user=learner, item__deck__slug="bbb").order_by("id").first()
        html = answer(client, card, "bbb", headers=HTMX).content.decode()
        assert "data-card=" in html
        assert ('class="edit-item"' in html) is linked
