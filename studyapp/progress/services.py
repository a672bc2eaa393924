"""Writes for progress: readiness prediction snapshots. (The daily review roll-ups are
written by the srs app: ``srs.rollups``.)"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from studyapp.quizzes import selectors as quiz_selectors
from studyapp.srs import selectors as srs_selectors

from .models import Prediction
from .readiness import EVIDENCE_LIMIT, CardState, GroupEvidence, retrievability
from .selectors import (
    answers_from,
    content_map,
    item_forecast,
    readiness_from,
    readiness_get,
    study_bank,
)


def _store(*, user, attempt_id, moment, forecast, now) -> Prediction:
    prediction = Prediction(
        user=user,
        attempt_id=attempt_id,
        moment=moment,
        created_at=now,
        predicted_score=forecast.score,
        score_low=forecast.low,
        score_high=forecast.high,
        pass_probability=round(forecast.pass_probability, 4),
        expected_fraction=round(forecast.fraction, 4),
        domains=forecast.as_snapshot(),
    )
    prediction.full_clean()
    prediction.save()
    return prediction


def prediction_snapshot(
    *, user, attempt=None, moment: str = Prediction.Moment.START, now: datetime | None = None
) -> Prediction:
    """Store the current readiness forecast, e.g. when a mock exam starts
    (``moment="start"``) or finishes (``"finish"``); the quizzes code may call this."""
    now = now or timezone.now()
    _cards, readiness = readiness_get(user=user, now=now)
    with transaction.atomic():
        return _store(
            user=user,
            attempt_id=getattr(attempt, "pk", attempt),
            moment=moment,
            forecast=readiness.forecast,
            now=now,
        )


def prediction_backfill(*, user, attempts) -> list[Prediction]:
    """Predictions for mock exams that have none: the forecast as it was when each attempt
    started, rebuilt from the review log (each card's memory at that moment: its last
    rescheduling review) and from the quiz answers graded before it: the numbers
    :func:`prediction_snapshot` would have stored then (for the same content and exam
    profile). The dashboard calls this for finished mock exams without a prediction, so the
    quizzes app never calls progress. Stored with ``moment="lazy"``; runs once per attempt."""
    attempts = [a for a in attempts if a.started_at is not None]
    if not attempts:
        return []
    decks = content_map()
    bank = study_bank()
    profile = quiz_selectors.exam_profile()
    latest = max(a.started_at for a in attempts)
    _retention, parameters = srs_selectors.memory_settings(user_ids=[user.pk]).get(
        user.pk, (0.9, None)
    )
    logs = srs_selectors.memory_history(user=user, before=latest)
    created = []
    for attempt in sorted(attempts, key=lambda a: a.started_at):
        memory: dict[int, tuple[int, datetime, float, int]] = {}
        for card_id, deck_id, reviewed_at, stability, item_id in logs:
            if reviewed_at >= attempt.started_at:
                break
            memory[card_id] = (deck_id, reviewed_at, stability, item_id)
        evidence: dict[int, GroupEvidence] = defaultdict(GroupEvidence)
        for deck_id, reviewed_at, stability, _item in memory.values():
            evidence[deck_id].retrievability_sum += retrievability(
                stability, reviewed_at, attempt.started_at
            )
            evidence[deck_id].studied += 1
        forecast = item_forecast(
            bank=bank,
            memory={
                item: CardState(stability, reviewed_at)
                for _deck, reviewed_at, stability, item in memory.values()
            },
            answers=answers_from(
                srs_selectors.answer_log(
                    user_ids=[user.pk], before=attempt.started_at, limit=EVIDENCE_LIMIT
                )
            ),
            last_answers=quiz_selectors.last_answers(
                user_ids=[user.pk], before=attempt.started_at
            ).get(user.pk, {}),
            profile=profile,
            now=attempt.started_at,
            parameters=parameters,
        )
        readiness = readiness_from(
            decks=decks,
            deck_evidence=evidence,
            quiz_accuracy=quiz_selectors.accuracy_by_deck(user=user, before=attempt.started_at),
            profile=profile,
            forecast=forecast,
        )
        created.append(
            _store(
                user=user,
                attempt_id=attempt.id,
                moment=Prediction.Moment.LAZY,
                forecast=readiness.forecast,
                now=attempt.started_at,
            )
        )
    return created
