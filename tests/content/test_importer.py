"""Importer: all-or-nothing, idempotent, stable identity across rewording, retire not delete."""

import json

import pytest
from django.core.management import CommandError, call_command

from studyapp.content.importer import content_import
from studyapp.content.models import Deck, Item, Option, Reference, SourceFile
from tests.conftest import SEED

pytestmark = pytest.mark.django_db

DECK = """# Deck A

## Conceitos
- Primeiro conceito com ECR.
- Segundo conceito com IAM.

## Perguntas
### Q: Qual serviço guarda imagens?
✅ ECR
❌ S3
💡 O ECR é um registro de imagens.
🔗 [ECR](https://docs.aws.amazon.com/AmazonECR/latest/userguide/what-is-ecr.html)

## Links
- [Doc](https://docs.aws.amazon.com/)
"""


def counts():
    return (
        Deck.objects.count(),
        Item.objects.count(),
        Option.objects.count(),
        Reference.objects.count(),
        SourceFile.objects.count(),
    )


def test_seed_imports_as_15_concept_cards_5_questions_3_references(seed_deck):
    items = Item.objects.filter(deck=seed_deck)
    assert items.filter(kind="concept").count() == 15
    assert items.filter(kind="question").count() == 5
    assert Reference.objects.filter(deck=seed_deck, item__isnull=True).count() == 3
    assert seed_deck.topics.get().name == "ECR"


def test_import_is_all_or_nothing_across_files(import_text):
    report = import_text(
        {"content/pt-br/a.md": DECK, "content/pt-br/b.md": "# B\n## A\n✅ solto\n"}
    )
    assert not report.ok
    assert [str(e) for e in report.errors] == [
        "content/pt-br/b.md:3: linha '✅' fora de uma pergunta ('### Q: ...')"
    ]
    assert counts() == (0, 0, 0, 0, 0)


def test_reimport_of_unchanged_files_changes_nothing(import_text):
    import_text({"content/pt-br/a.md": DECK})
    before = list(Item.objects.values_list("pk", "updated_at"))
    report = import_text({"content/pt-br/a.md": DECK})
    assert report.ok and report.unchanged_files == 1 and report.written_files == 0
    assert list(Item.objects.values_list("pk", "updated_at")) == before


def test_a_reworded_item_keeps_its_id(import_text):
    import_text({"content/pt-br/a.md": DECK})
    first = Item.objects.get(text_md="Segundo conceito com IAM.")
    question = Item.objects.get(kind="question")
    reworded = DECK.replace("Segundo conceito com IAM.", "Segundo conceito, agora com IAM!")
    reworded = reworded.replace("Qual serviço guarda imagens?", "Que serviço guarda imagens?")
    report = import_text({"content/pt-br/a.md": reworded})
    assert report.ok and report.retired == 0
    first.refresh_from_db()
    question.refresh_from_db()
    assert first.text_md == "Segundo conceito, agora com IAM!" and first.retired_at is None
    assert question.prompt == "Que serviço guarda imagens?"


def test_a_moved_item_with_near_identical_text_keeps_its_id(import_text):
    import_text({"content/pt-br/a.md": DECK})
    item = Item.objects.get(text_md="Primeiro conceito com ECR.")
    moved = DECK.replace("- Primeiro conceito com ECR.\n", "").replace(
        "## Links", "## Outros\n- Primeiro conceito com o ECR.\n\n## Links"
    )
    report = import_text({"content/pt-br/a.md": moved})
    assert report.ok
    item.refresh_from_db()
    assert item.text_md == "Primeiro conceito com o ECR." and item.retired_at is None


def test_a_removed_item_is_retired_not_deleted(import_text):
    import_text({"content/pt-br/a.md": DECK})
    removed = DECK.replace("- Segundo conceito com IAM.\n", "")
    report = import_text({"content/pt-br/a.md": removed})
    assert report.ok and report.retired == 1
    item = Item.objects.get(text_md="Segundo conceito com IAM.")
    assert item.retired_at is not None
    assert Item.objects.active().count() == 2


def test_pinned_ids_survive_any_rewording(import_text):
    text = "# D\n## P\n### Q: Pergunta original {#q-1}\n✅ a\n"
    import_text({"content/pt-br/d.md": text})
    pk = Item.objects.get(key="q-1").pk
    import_text({"content/pt-br/d.md": text.replace("Pergunta original", "Totalmente outra")})
    assert Item.objects.get(key="q-1").pk == pk


def test_check_validates_and_writes_nothing(import_text):
    report = import_text({"content/pt-br/a.md": DECK}, check=True)
    assert report.ok and report.questions == 1
    assert counts() == (0, 0, 0, 0, 0)


def test_markdown_is_rendered_once_and_sanitized(import_text):
    import_text(
        {"content/pt-br/x.md": "# X\n## A\n- **termo** <script>alert(1)</script> [a](javascript:x)"}
    )
    item = Item.objects.get()
    assert "<script" not in item.text_html and "javascript:" not in item.text_html
    assert '<mark class="cloze">[…]</mark>' in item.cloze_html


def test_a_folder_import_retires_decks_whose_file_is_gone(tmp_path):
    folder = tmp_path / "content" / "pt-br"
    folder.mkdir(parents=True)
    (folder / "a.md").write_text(DECK)
    (folder / "b.md").write_text("# B\n## A\n- x\n")
    assert content_import(paths=[tmp_path / "content"]).ok
    (folder / "b.md").unlink()
    report = content_import(paths=[tmp_path / "content"])
    assert report.ok and report.retired == 1
    assert Deck.objects.get(slug="b").retired_at is not None
    assert Deck.objects.sources().count() == 1


def test_two_files_with_the_same_deck_slug_are_an_error(import_text):
    report = import_text({"content/pt-br/a.md": DECK, "content/x/a.md": DECK})
    assert not report.ok and "já definido" in report.errors[0].message


def test_translation_shares_item_ids_with_its_source(import_text):
    english = (
        "---\ntranslation-of: a\n---\n# Deck A (en)\n\n## Concepts\n- First concept with ECR.\n"
        "- Second concept with IAM.\n\n## Questions\n### Q: Which service stores images?\n"
        "✅ ECR\n❌ S3\n💡 ECR is a registry.\n\n## Links\n- [Doc](https://docs.aws.amazon.com/)\n"
    )
    report = import_text({"content/pt-br/a.md": DECK, "content/en/a.md": english})
    assert report.ok, report.errors
    translated = Item.objects.get(deck__language="en", kind="question")
    source = Item.objects.get(deck__language="pt-BR", kind="question")
    assert translated.translation_of == source and translated.key == source.key
    assert list(Item.objects.studiable()) == list(Item.objects.filter(deck__language="pt-BR"))


def test_a_translation_that_does_not_line_up_fails_with_file_and_line(import_text):
    english = "---\ntranslation-of: a\n---\n# A\n## Concepts\n- Only one.\n## Questions\n"
    report = import_text({"content/pt-br/a.md": DECK, "content/en/a.md": english})
    assert not report.ok
    assert str(report.errors[0]).startswith("content/en/a.md:5: ")
    assert Deck.objects.count() == 0


def test_command_json_contract_for_the_seed(capsys):
    call_command("import_content", "--check", "--json", str(SEED))
    assert json.loads(capsys.readouterr().out) == {
        "decks": 1,
        "concept_cards": 15,
        "questions": 5,
        "references": 3,
        "retired": 0,
        "errors": [],
    }
    assert Deck.objects.count() == 0


def test_command_exit_codes(tmp_path, capsys):
    bad = tmp_path / "bad.md"
    bad.write_text("# B\n## A\n💡 solto\n")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_content", str(bad), "--json")
    assert exit_info.value.code == 1
    payload = json.loads(capsys.readouterr().out)
    (error,) = payload["errors"]
    assert set(error) == {"file", "line", "message"} and error["line"] == 3
    assert payload["errors"][0]["file"].endswith("bad.md")
    with pytest.raises(CommandError) as usage:
        call_command("import_content", str(tmp_path / "missing.md"))
    assert usage.value.returncode == 2


def test_import_of_the_whole_content_folder_is_clean(all_content):
    assert all_content.errors == []
    assert all_content.decks >= 1


# --- item-level domains and topics, out-of-mock decks, items moved between decks ------------

TAGGED = """---
deck: main
topics: ECR
domains: 1, 3
---
# Main

## Perguntas
### Q: Primeira {#main-1}
✅ Certa
❌ Errada
💡 Explicação.
🏷️ domains: 4
🏷️ topics: IAM, KMS
### Q: Segunda {#main-2}
✅ Certa
❌ Errada
"""


def test_items_store_their_own_domains_and_topics_else_the_deck_s(import_text):
    report = import_text({"content/pt-br/main.md": TAGGED})
    assert report.ok, report.errors
    first, second = Item.objects.filter(deck__slug="main").order_by("position")
    assert first.domains == [4] and sorted(t.slug for t in first.topics.all()) == ["iam", "kms"]
    assert second.domains == [1, 3] and [t.slug for t in second.topics.all()] == ["ecr"]
    assert Deck.objects.get(slug="main").in_mock
    # A re-import with the tags gone falls back to the deck's front matter.
    untagged = TAGGED.replace("🏷️ domains: 4\n🏷️ topics: IAM, KMS\n", "")
    assert import_text({"content/pt-br/main.md": untagged}).ok
    first.refresh_from_db()
    assert first.domains == [1, 3] and [t.slug for t in first.topics.all()] == ["ecr"]


def test_mock_no_in_front_matter_is_stored_on_the_deck(import_text):
    text = TAGGED.replace("domains: 1, 3\n", "domains: 1, 3\nmock: no\n")
    assert import_text({"content/pt-br/main.md": text}).ok
    assert not Deck.objects.get(slug="main").in_mock
    assert not Item.objects.mock_eligible().exists()


def test_only_questions_with_authored_distractors_are_mock_eligible(import_text):
    text = TAGGED + "### Q: Cartão {#main-3}\n✅ Só a resposta\n"
    assert import_text({"content/pt-br/main.md": text}).ok
    keys = set(Item.objects.mock_eligible().values_list("key", flat=True))
    assert keys == {"main-1", "main-2"}


ENGLISH = """---
translation-of: main
---
# Main (en)

## Questions
### Q: First {#main-1}
✅ Right
❌ Wrong
💡 Explanation.
TAGS
### Q: Second {#main-2}
✅ Right
❌ Wrong
"""


def test_a_translation_takes_its_source_s_tags_and_may_repeat_them(import_text):
    english = ENGLISH.replace("TAGS", "🏷️ domains: 4\n🏷️ topics: KMS, IAM")
    report = import_text({"content/pt-br/main.md": TAGGED, "content/en/main.md": english})
    assert report.ok, report.errors
    translated = Item.objects.get(deck__language="en", key="main-2")
    assert translated.domains == [1, 3] and [t.slug for t in translated.topics.all()] == ["ecr"]


@pytest.mark.parametrize(
    ("tags", "message"),
    [("🏷️ domains: 2", "domínios (🏷️) não correspondem"), ("🏷️ topics: S3", "tópicos (🏷️)")],
)
def test_a_translation_whose_tags_disagree_fails_at_that_line(import_text, tags, message):
    english = ENGLISH.replace("TAGS", tags)
    report = import_text({"content/pt-br/main.md": TAGGED, "content/en/main.md": english})
    assert not report.ok
    assert report.errors[0].file == "content/en/main.md" and report.errors[0].line == 7
    assert message in report.errors[0].message
    assert Deck.objects.count() == 0


DEEP = """---
deck: deep
topics: ECR, IAM
domains: 1, 2, 3, 4
mock: no
---
# Deep

## Perguntas
### Q: Segunda, agora aqui {#main-2}
✅ Certa
❌ Errada
🏷️ topics: ECR
"""


def test_an_item_moved_to_another_deck_by_its_id_keeps_its_row_and_history(import_text, user):
    from studyapp.srs.models import StudyCard

    assert import_text({"content/pt-br/main.md": TAGGED}).ok
    moved = Item.objects.get(deck__slug="main", key="main-2")
    StudyCard.objects.create(user=user, item=moved, due=moved.created_at)
    without = TAGGED[: TAGGED.index("### Q: Segunda")]
    report = import_text({"content/pt-br/main.md": without, "content/pt-br/deep.md": DEEP})
    assert report.ok, report.errors
    again = Item.objects.get(key="main-2")
    assert again.pk == moved.pk and again.deck.slug == "deep" and again.retired_at is None
    assert again.prompt == "Segunda, agora aqui" and StudyCard.objects.get(item=again)
    assert report.retired == 0
    # Moving it back (both files in the same import) works the same way.
    empty_deep = DEEP[: DEEP.index("### Q:")]
    report = import_text({"content/pt-br/main.md": TAGGED, "content/pt-br/deep.md": empty_deep})
    assert report.ok, report.errors
    assert Item.objects.get(key="main-2").pk == moved.pk
    assert Item.objects.get(key="main-2").deck.slug == "main"


def test_an_id_is_not_taken_from_a_deck_that_still_pins_it(import_text):
    assert import_text({"content/pt-br/main.md": TAGGED}).ok
    report = import_text({"content/pt-br/main.md": TAGGED, "content/pt-br/deep.md": DEEP})
    assert report.ok, report.errors
    keep, new = Item.objects.filter(key="main-2").order_by("pk")
    assert keep.deck.slug == "main" and new.deck.slug == "deep"
