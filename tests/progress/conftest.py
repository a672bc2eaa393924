"""Factories for progress tests: a tiny known content set, cards, review logs, attempts."""

from datetime import UTC, datetime, timedelta

import pytest

from studyapp.content.models import Item
from studyapp.srs.models import ReviewLog, StudyCard, StudySettings
from studyapp.srs.rollups import rollup_record

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)

ALPHA = """---
deck: alpha
topics: Alpha
domains: 1
---
# Alpha

## Conceitos
- O **Alpha** guarda chaves.
- O **Alpha** gira chaves.
"""

BETA = """---
deck: beta
topics: Beta
domains: 2
---
# Beta

## Conceitos
- O **Beta** assina imagens.
- O **Beta** verifica imagens.
"""


@pytest.fixture
def tiny_content(import_text):
    report = import_text({"content/pt-br/alpha.md": ALPHA, "content/pt-br/beta.md": BETA})
    assert report.ok, report.errors
    items = {
        f"{item.deck.slug}{i}": item
        for slug in ("alpha", "beta")
        for i, item in enumerate(
            Item.objects.filter(deck__slug=slug).select_related("deck").order_by("position"),
            start=1,
        )
    }
    return items


@pytest.fixture
def mini_profile(db):
    """A 5-question mock exam over domains 1 and 2 (the decks of ``deck_text``)."""
    from studyapp.quizzes.models import ExamProfile

    return ExamProfile.objects.create(
        slug="mini",
        name="Mini",
        question_count=5,
        minutes=20,
        pass_mark=720,
        domain_1_weight=60,
        domain_2_weight=40,
        domain_3_weight=0,
        domain_4_weight=0,
    )


@pytest.fixture
def utc_settings(user):
    return StudySettings.objects.create(user=user, timezone="UTC")


def make_card(user, item, *, state="review", stability=None, last_review=None, due=None, **kw):
    return StudyCard.objects.create(
        user=user,
        item=item,
        state=state,
        stability=stability,
        difficulty=5.0 if stability else None,
        last_review=last_review,
        due=due or NOW,
        **kw,
    )


def make_log(card, *, rating, at, state_before="review", interval_days=5, record=True, **kw):
    """A review log of ``card`` at ``at``; ``interval_days`` = the interval it was scheduled
    with (due_before - last_review_before). Counted in the roll-ups unless ``record=False``."""
    last = at - timedelta(days=interval_days)
    log = ReviewLog.objects.create(
        user_id=card.user_id,
        card=card,
        rating=rating,
        reviewed_at=at,
        duration_ms=kw.pop("duration_ms", 6000),
        state_before=state_before,
        due_before=last + timedelta(days=interval_days),
        last_review_before=last if state_before != "new" else None,
        stability_before=3.0,
        difficulty_before=5.0,
        state_after="review" if rating > 1 else "relearning",
        stability_after=4.0,
        difficulty_after=5.0,
        due_after=at + timedelta(days=3),
        **kw,
    )
    if record:
        rollup_record(log=log)
    return log


def make_mock(user, *, score, started_at, items=(), correct=()):
    from studyapp.quizzes.models import Attempt, AttemptQuestion

    attempt = Attempt.objects.create(
        user=user,
        kind="mock",
        title="Simulado",
        seed=1,
        status="submitted",
        started_at=started_at,
        finished_at=started_at + timedelta(minutes=90),
        pass_mark=720,
        question_count=len(items) or 65,
        scaled_score=score,
        passed=score >= 720,
    )
    for position, (item, ok) in enumerate(zip(items, correct, strict=True), start=1):
        AttemptQuestion.objects.create(
            attempt=attempt,
            item=item,
            position=position,
            is_correct=ok,
            selected_ids=[],
        )
    return attempt


def make_prediction(attempt, *, predicted: int, spread: int, pass_probability: float):
    """The forecast stored at ``attempt``'s start (what live calibration compares)."""
    from studyapp.progress.models import Prediction

    return Prediction.objects.create(
        user_id=attempt.user_id,
        attempt_id=attempt.pk,
        moment="start",
        created_at=attempt.started_at,
        predicted_score=predicted,
        score_low=predicted - spread,
        score_high=predicted + spread,
        pass_probability=pass_probability,
        expected_fraction=0.6,
    )
