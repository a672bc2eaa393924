"""Writes for progress: daily review roll-ups and readiness prediction snapshots."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from studyapp.srs.models import ReviewLog, State

from . import quizdata
from .models import DailyReviewStats, Prediction
from .readiness import MATURE_DAYS, GroupEvidence, retrievability
from .selectors import (
    DAY_OFFSET,
    content_map,
    readiness_from,
    readiness_get,
    study_day,
    user_timezone,
)

RATING_FIELDS = {1: "again", 2: "hard", 3: "good", 4: "easy"}


def _retention_field(*, state_before, rescheduled, due_before, last_review_before, rating):
    """The retention column a first-of-the-day review counts in, or None."""
    if state_before != State.REVIEW or not rescheduled:
        return None
    interval_days = (due_before - last_review_before).days if last_review_before else 0
    age = "mature" if interval_days >= MATURE_DAYS else "young"
    return f"{age}_{'fail' if rating == 1 else 'pass'}"


def _is_first_of_day(*, log: ReviewLog, tz) -> bool:
    local = log.reviewed_at.astimezone(tz) - DAY_OFFSET
    day_start = (
        datetime.combine(local.date(), datetime.min.time(), tzinfo=tz) + DAY_OFFSET
    ).astimezone(log.reviewed_at.tzinfo)
    return not (
        ReviewLog.objects.filter(card_id=log.card_id, reviewed_at__gte=day_start)
        .filter(Q(reviewed_at__lt=log.reviewed_at) | Q(reviewed_at=log.reviewed_at, pk__lt=log.pk))
        .exclude(pk=log.pk)
        .exists()
    )


def _changes(*, log: ReviewLog, tz) -> dict[str, int]:
    changes = {"reviews": 1, RATING_FIELDS[log.rating]: 1}
    if log.duration_ms:
        changes["duration_ms"] = log.duration_ms
    column = _retention_field(
        state_before=log.state_before,
        rescheduled=log.rescheduled,
        due_before=log.due_before,
        last_review_before=log.last_review_before,
        rating=log.rating,
    )
    if column and _is_first_of_day(log=log, tz=tz):
        changes[column] = 1
    return changes


def rollup_record(*, log: ReviewLog, tz=None) -> None:
    """Count a new review log in its day's roll-up (call right after creating the log).

    One UPDATE in the usual case; the day's first review inserts the row (a concurrent
    insert of the same day falls back to the UPDATE)."""
    tz = tz or user_timezone(user=log.user_id)
    changes = _changes(log=log, tz=tz)
    day = study_day(log.reviewed_at, tz)
    increments = {name: F(name) + amount for name, amount in changes.items()}
    rows = DailyReviewStats.objects.filter(user_id=log.user_id, day=day)
    if rows.update(**increments):
        return
    try:
        with transaction.atomic():
            DailyReviewStats.objects.create(user_id=log.user_id, day=day, **changes)
    except IntegrityError:
        rows.update(**increments)


def rollup_unrecord(*, log: ReviewLog, tz=None) -> None:
    """Take an undone review log out of its day's roll-up (before or after deleting it)."""
    tz = tz or user_timezone(user=log.user_id)
    changes = _changes(log=log, tz=tz)
    day = study_day(log.reviewed_at, tz)
    with transaction.atomic():
        DailyReviewStats.objects.filter(user_id=log.user_id, day=day).update(
            **{name: Greatest(F(name) - amount, Value(0)) for name, amount in changes.items()}
        )


def rollups_rebuild(*, user_ids=None, batch_size: int = 5000) -> int:
    """Recompute the roll-ups from the review log (all users, or ``user_ids``).

    Streams the log ordered by user, card and time; returns the number of rows written.
    """
    from studyapp.srs.models import StudySettings

    logs = ReviewLog.objects.all()
    rollups = DailyReviewStats.objects.all()
    settings = StudySettings.objects.all()
    if user_ids is not None:
        logs = logs.filter(user_id__in=user_ids)
        rollups = rollups.filter(user_id__in=user_ids)
        settings = settings.filter(user_id__in=user_ids)
    tz_names = dict(settings.values_list("user_id", "timezone"))
    tz_cache: dict[str, object] = {}

    def tz_for(user_id):
        name = tz_names.get(user_id) or "America/Sao_Paulo"
        if name not in tz_cache:
            import zoneinfo

            tz_cache[name] = zoneinfo.ZoneInfo(name)
        return tz_cache[name]

    counters: dict[tuple[int, object], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    last_seen: tuple | None = None  # (card id, day) of the previous log
    rows = logs.order_by("user_id", "card_id", "reviewed_at", "pk").values_list(
        "user_id",
        "card_id",
        "rating",
        "reviewed_at",
        "duration_ms",
        "rescheduled",
        "state_before",
        "due_before",
        "last_review_before",
    )
    for (
        user_id,
        card_id,
        rating,
        reviewed_at,
        duration_ms,
        rescheduled,
        state_before,
        due_before,
        last_review_before,
    ) in rows.iterator(chunk_size=batch_size):
        day = study_day(reviewed_at, tz_for(user_id))
        counter = counters[(user_id, day)]
        counter["reviews"] += 1
        counter[RATING_FIELDS[rating]] += 1
        counter["duration_ms"] += duration_ms or 0
        first = last_seen != (card_id, day)
        last_seen = (card_id, day)
        column = _retention_field(
            state_before=state_before,
            rescheduled=rescheduled,
            due_before=due_before,
            last_review_before=last_review_before,
            rating=rating,
        )
        if column and first:
            counter[column] += 1
    objects = [
        DailyReviewStats(user_id=user_id, day=day, **counter)
        for (user_id, day), counter in counters.items()
    ]
    with transaction.atomic():
        rollups.delete()
        DailyReviewStats.objects.bulk_create(objects, batch_size=1000)
    return len(objects)


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
    """Predictions for past mock exams that have none: the forecast as it would have been
    when the attempt started, rebuilt from the review log (card memory at that moment) and
    from quiz answers finished before it. Stored with ``moment="lazy"``; runs once."""
    attempts = [a for a in attempts if a.started_at is not None]
    if not attempts:
        return []
    decks = content_map()
    profile = quizdata.exam_profile()
    latest = max(a.started_at for a in attempts)
    logs = (
        ReviewLog.objects.filter(user=user, reviewed_at__lt=latest, rescheduled=True)
        .order_by("reviewed_at", "pk")
        .values_list("card_id", "card__item__deck_id", "reviewed_at", "stability_after")
    )
    logs = list(logs)
    created = []
    for attempt in sorted(attempts, key=lambda a: a.started_at):
        memory: dict[int, tuple[int, datetime, float]] = {}
        for card_id, deck_id, reviewed_at, stability in logs:
            if reviewed_at >= attempt.started_at:
                break
            memory[card_id] = (deck_id, reviewed_at, stability)
        evidence: dict[int, GroupEvidence] = defaultdict(GroupEvidence)
        for deck_id, reviewed_at, stability in memory.values():
            evidence[deck_id].retrievability_sum += retrievability(
                stability, reviewed_at, attempt.started_at
            )
            evidence[deck_id].studied += 1
        readiness = readiness_from(
            decks=decks,
            deck_evidence=evidence,
            quiz_accuracy=quizdata.accuracy_by_deck(user=user, before=attempt.started_at),
            profile=profile,
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
