import pytest

from studyapp.authoring import services

NEW_DECK = """---
deck: novo-teste
topics: KMS
---
# Deck de teste

## 🧠 Conceitos
- O **KMS** guarda chaves.

## 🧪 Perguntas
### Q: Qual serviço guarda chaves?
✅ KMS
❌ S3
💡 O KMS guarda chaves.
"""


@pytest.fixture
def new_deck_text():
    return NEW_DECK


@pytest.fixture
def browser_edited(seed_deck, instructor):
    """The ECR seed after one browser save (a baseline revision plus the instructor's)."""
    text = (
        seed_deck.source.text.replace("# ", "# ", 1)
        + "\n## 🧪 Mais perguntas\n### Q: Pergunta nova do navegador\n✅ Sim\n❌ Não\n"
    )
    result = services.deck_save(author=instructor, deck=seed_deck, text=text, message="mais uma")
    assert result.ok, result.errors
    seed_deck.refresh_from_db()
    return seed_deck
