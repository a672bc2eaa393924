from datetime import UTC, datetime

import pytest

from studyapp.srs.models import StudyCard
from studyapp.srs.services import cards_ensure, study_settings_get

# A fixed clock: Wednesday 2025-03-12 15:00 UTC (12:00 in São Paulo, 00:00 next day in Tokyo).
NOW = datetime(2025, 3, 12, 15, 0, tzinfo=UTC)


def concept_deck_text(title: str, key: str, count: int) -> str:
    """A deck of `count` concept cards (ids key-0…), each hiding its bolded term."""
    bullets = "\n".join(
        f"- Fato {n} de **{key}{n}** sobre {title} {{#{key}-{n}}}" for n in range(count)
    )
    return f"# {title}\n\n## Conceitos\n{bullets}\n"


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def settings_(user):
    return study_settings_get(user=user)


@pytest.fixture
def cards(user, seed_deck, now):
    """The user's 20 study cards for the ECR seed deck, all new, in document order."""
    cards_ensure(user=user, now=now)
    return list(StudyCard.objects.filter(user=user).order_by("id"))
