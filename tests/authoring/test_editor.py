"""Editor: live preview with errors by line, save (all or nothing, a revision each time),
revisions, diff and revert."""

import pytest
from django.urls import reverse

from studyapp.authoring import services
from studyapp.authoring.models import Revision
from studyapp.content.models import Deck, Item, SourceFile

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def edit_url(deck):
    return reverse("authoring:deck_edit", args=[deck.language, deck.slug])


# -- preview ---------------------------------------------------------------------------------
def test_preview_reports_every_error_with_its_line(instructor_client, new_deck_text):
    broken = new_deck_text.replace("✅ KMS", "❌ KMS") + "🔗 ftp://x\n"
    response = instructor_client.post(reverse("authoring:preview_new"), {"text": broken}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # the fragment only
    lines = broken.split("\n")
    link_line = lines.index("🔗 ftp://x") + 1
    question_line = lines.index("### Q: Qual serviço guarda chaves?") + 1
    assert f'data-error-line="{link_line}"' in html
    assert f'data-error-line="{question_line}"' in html  # no ✅ left in the question
    assert f"linha {link_line}</a>: link de referência precisa ser http(s)" in html
    assert 'data-error-lines="' in html


def test_preview_shows_the_deck_as_students_see_it(instructor_client, seed_deck):
    response = instructor_client.post(
        reverse("authoring:preview", args=[seed_deck.language, seed_deck.slug]),
        {"text": seed_deck.source.text},
        **HTMX,
    )
    html = response.content.decode()
    assert "Sem erros: 15 cartões de conceito, 5 perguntas" in html
    # Same sanitized HTML the importer stored and the deck page shows.
    for item in Item.objects.filter(deck=seed_deck):
        assert item.text_html in html
        assert item.prompt_html in html
    for ref in seed_deck.references.all():
        assert ref.url in html


def test_preview_shows_each_question_s_domains_topics_and_self_graded_cards(
    instructor_client, seed_deck
):
    text = (
        "---\ntopics: ECR\ndomains: 1\nmock: no\n---\n# Deck\n\n## Perguntas\n"
        "### Q: Com tags\n✅ Certa\n❌ Errada\n🏷️ domains: 4, 2\n🏷️ topics: KMS\n"
        "### Q: Sem tags\n✅ Só a resposta\n"
    )
    response = instructor_client.post(reverse("authoring:preview_new"), {"text": text}, **HTMX)
    html = response.content.decode()
    first, second = html.split('<details class="qa"')[1:3]
    assert "Domínio 4" in first and "Domínio 2" in first and ">KMS<" in first
    assert "do deck" not in first and "Autoavaliada" not in first
    assert "Domínio 1" in second and ">ECR<" in second
    assert "(domínios e tópicos do deck)" in second and "Autoavaliada" in second
    assert "Fora dos simulados" in html
    bad = text.replace("domains: 4, 2", "domains: 9x")
    response = instructor_client.post(reverse("authoring:preview_new"), {"text": bad}, **HTMX)
    line = bad.split("\n").index("🏷️ domains: 9x") + 1
    assert f"linha {line}</a>: domínio inválido: &#x27;9x&#x27;" in response.content.decode()


def test_preview_without_javascript_renders_the_whole_editor(instructor_client, new_deck_text):
    response = instructor_client.post(reverse("authoring:preview_new"), {"text": new_deck_text})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert "Sem erros: 1 cartões de conceito, 1 perguntas" in html
    assert "Deck de teste" in html
    assert not Deck.objects.filter(slug="novo-teste").exists()  # a preview writes nothing


def test_preview_of_unsafe_markdown_is_sanitized(instructor_client, new_deck_text):
    text = new_deck_text.replace(
        "- O **KMS** guarda chaves.", "- O **KMS** <script>alert(1)</script>"
    )
    html = instructor_client.post(
        reverse("authoring:preview_new"), {"text": text}, **HTMX
    ).content.decode()
    assert "<script>alert(1)" not in html


# -- save ------------------------------------------------------------------------------------
def test_saving_a_new_deck_imports_it_and_records_a_revision(
    instructor_client, instructor, new_deck_text
):
    response = instructor_client.post(
        reverse("authoring:deck_new"),
        {"text": new_deck_text.replace("\n", "\r\n"), "message": "primeiro"},
    )
    deck = Deck.objects.get(slug="novo-teste", language="pt-BR")
    assert response.status_code == 302 and response["Location"] == edit_url(deck)
    assert deck.source.path == "content/pt-br/novo-teste.md"
    assert deck.source.edited_in_browser
    assert deck.source.text == new_deck_text  # LF, as in content/
    assert deck.items.count() == 2
    revision = Revision.objects.get()
    assert (revision.author, revision.message, revision.text) == (
        instructor,
        "primeiro",
        new_deck_text,
    )
    assert instructor_client.get(reverse("deck_detail", args=["novo-teste"])).status_code == 200


def test_a_new_deck_without_slug_takes_it_from_the_title(instructor):
    result = services.deck_save(
        author=instructor, text="# Meu Deck Novo\n\n## Conceitos\n- Um fato.\n"
    )
    assert result.ok, result.errors
    assert SourceFile.objects.get().path == "content/pt-br/meu-deck-novo.md"
    assert Deck.objects.get().slug == "meu-deck-novo"


def test_a_new_deck_cannot_take_an_existing_slug(instructor, seed_deck):
    result = services.deck_save(author=instructor, text="---\ndeck: ecr\n---\n# Outro ECR\n")
    assert not result.ok and "já existe um deck 'ecr'" in result.errors[0].message
    assert result.errors[0].line == 2


def test_save_with_errors_writes_nothing_and_shows_them(instructor_client, seed_deck):
    before = seed_deck.source.text
    broken = before + "\n### Q: sem resposta\n❌ errada\n"
    response = instructor_client.post(edit_url(seed_deck), {"text": broken})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nada foi salvo" in html and "pergunta sem resposta correta" in html
    assert broken.strip().split("\n")[-2] in html  # the text is kept in the editor
    seed_deck.source.refresh_from_db()
    assert seed_deck.source.text == before and not seed_deck.source.edited_in_browser
    assert not Revision.objects.exists()


def test_editing_a_deck_keeps_the_file_version_as_first_revision(instructor, browser_edited):
    revisions = list(Revision.objects.for_deck("ecr", "pt-BR").order_by("created_at"))
    assert [r.message for r in revisions] == ["Versão importada de arquivo", "mais uma"]
    assert revisions[0].author is None and revisions[1].author == instructor
    assert browser_edited.items.filter(prompt="Pergunta nova do navegador").exists()
    assert browser_edited.source.edited_in_browser


def test_an_editor_cannot_turn_a_deck_into_another(instructor, seed_deck):
    text = "---\ndeck: outro\n---\n" + seed_deck.source.text
    result = services.deck_save(author=instructor, deck=seed_deck, text=text)
    assert not result.ok and "este editor é do deck 'ecr'" in result.errors[0].message


def test_a_stale_editor_does_not_overwrite_a_newer_save(instructor, seed_deck):
    opened_with = seed_deck.source.sha256
    first = services.deck_save(
        author=instructor,
        deck=seed_deck,
        text=seed_deck.source.text + "\n## Extra\n- Um.\n",
        base_sha=opened_with,
    )
    assert first.ok
    seed_deck.refresh_from_db()
    second = services.deck_save(
        author=instructor,
        deck=seed_deck,
        text=seed_deck.source.text + "\n## Outra\n- Dois.\n",
        base_sha=opened_with,
    )
    assert not second.ok and "salvo por outra pessoa" in second.errors[0].message


def test_saving_the_same_text_is_not_a_new_revision(instructor_client, browser_edited):
    count = Revision.objects.count()
    response = instructor_client.post(
        edit_url(browser_edited), {"text": browser_edited.source.text}, follow=True
    )
    assert "Nada mudou" in response.content.decode()
    assert Revision.objects.count() == count


def test_editor_page_loads_the_current_markdown(
    instructor_client, seed_deck, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = instructor_client.get(edit_url(seed_deck))
    html = response.content.decode()
    assert "# ECR" in html or seed_deck.title in html
    assert f'value="{seed_deck.source.sha256}"' in html
    assert 'hx-trigger="input changed delay:500ms"' in html


def test_index_lists_decks_with_a_fixed_number_of_queries(
    instructor_client, all_content, django_assert_num_queries
):
    # session, user, profile, instructors group, decks+files+counts; session save (3 queries)
    with django_assert_num_queries(8):
        response = instructor_client.get(reverse("authoring:index"))
    assert response.status_code == 200
    assert "content/pt-br/kms.md" in response.content.decode()


# -- revisions, diff, revert -----------------------------------------------------------------
def test_revisions_page_lists_author_time_and_message(instructor_client, browser_edited):
    html = instructor_client.get(
        reverse("authoring:revisions", args=["pt-BR", "ecr"])
    ).content.decode()
    assert "mais uma" in html and "Versão importada de arquivo" in html
    assert "prof" in html and "(arquivo)" in html
    assert "Reverter para esta revisão" in html


def test_diff_shows_added_lines_escaped(instructor_client, instructor, browser_edited):
    text = browser_edited.source.text + "\n## Perigo\n- Texto com <b>tag</b> & mais.\n"
    assert services.deck_save(author=instructor, deck=browser_edited, text=text).ok
    latest = Revision.objects.for_deck("ecr", "pt-BR").first()
    html = instructor_client.get(
        reverse("authoring:revision_detail", args=["pt-BR", "ecr", latest.pk])
    ).content.decode()
    assert '<span class="diff-add">+- Texto com &lt;b&gt;tag&lt;/b&gt; &amp; mais.</span>' in html
    assert '<span class="diff-add">+## Perigo</span>' in html


def test_diff_against_any_revision(instructor_client, browser_edited):
    first, *_rest, latest = Revision.objects.for_deck("ecr", "pt-BR").order_by("created_at")
    url = reverse("authoring:revision_detail", args=["pt-BR", "ecr", latest.pk])
    html = instructor_client.get(url, {"against": first.pk}).content.decode()
    assert "+### Q: Pergunta nova do navegador" in html


def test_revert_restores_an_old_revision_as_a_new_one(instructor_client, browser_edited):
    baseline = Revision.objects.for_deck("ecr", "pt-BR").order_by("created_at").first()
    url = reverse("authoring:revision_revert", args=["pt-BR", "ecr", baseline.pk])
    response = instructor_client.post(url, follow=True)
    assert "Revisão restaurada" in response.content.decode()
    browser_edited.refresh_from_db()
    assert browser_edited.source.text == baseline.text
    latest = Revision.objects.for_deck("ecr", "pt-BR").first()
    assert latest.message.startswith("Revertido para a revisão de")
    assert Revision.objects.count() == 3
    # The question added in the browser is retired (history kept), not deleted.
    item = Item.objects.get(prompt="Pergunta nova do navegador")
    assert item.retired_at is not None


def test_revision_of_another_deck_is_404(instructor_client, all_content, browser_edited):
    revision = Revision.objects.first()
    url = reverse("authoring:revision_detail", args=["pt-BR", "kms", revision.pk])
    assert instructor_client.get(url).status_code == 404
