"""The practice form names decks in the reader's language where a translation exists."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_practice_deck_choices_follow_the_language(user_client, all_content):
    english = user_client.get(reverse("quizzes:index"), headers={"accept-language": "en"})
    portuguese = user_client.get(reverse("quizzes:index"), headers={"accept-language": "pt-br"})
    assert "AWS KMS – Summary for AWS Developer Certification" in english.content.decode()
    assert "AWS KMS – Resumo para AWS Developer Certification" in portuguese.content.decode()
