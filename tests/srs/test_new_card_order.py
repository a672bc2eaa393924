"""New cards: decks in the order they were first imported, out-of-mock decks last (issue 14:
a GIFT deck titled "AWS" came first in every new learner's queue)."""

import pytest

from studyapp.srs.models import StudyCard
from studyapp.srs.services import cards_ensure

pytestmark = pytest.mark.django_db


def test_a_deck_saved_later_never_jumps_ahead_of_the_course(user, seed_deck, import_text):
    report = import_text(
        {
            "content/pt-br/aws.md": "# AWS\n## Perguntas\n### Q: Nova?\n✅ sim\n",
            "content/pt-br/zz-extra.md": "---\nmock: no\n---\n# A extra\n## A\n- Fato ECR\n",
        }
    )
    assert report.ok, report.errors
    cards_ensure(user=user)
    decks = list(
        StudyCard.objects.filter(user=user, state="new")
        .order_by("id")
        .values_list("item__deck__slug", flat=True)
    )
    assert decks[0] == "ecr" and decks.count("ecr") == 20
    assert decks[20:] == ["aws", "zz-extra"]  # "AWS" sorts first by title; it is newer
