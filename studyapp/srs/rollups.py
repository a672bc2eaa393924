"""Daily review roll-ups: one ``DailyReviewStats`` row per user and study day, written here
and only here (an answer, an undo, a rebuild from the log). Reads go through
``srs.selectors`` (:func:`~studyapp.srs.selectors.rollup_rows`, ``rollup_sums``).

The roll-ups are derived data: ``python manage.py rebuild_rollups`` recomputes them from the
review log. They exist so that the progress dashboard reads at most ~365 small rows per user
instead of the whole history. The study day is :mod:`studyapp.srs.timing`'s.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import cache
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest

from . import signals, timing
from .models import DailyReviewStats, ReviewLog, State, StudySettings

RATING_FIELDS = {1: "again", 2: "hard", 3: "good", 4: "easy"}
# Young = scheduled interval under 21 days, mature = 21 or more (as Anki counts them).
MATURE_DAYS = 21


class DayStats(NamedTuple):
    """One roll-up row as plain values (365 model instances cost ~1.5 ms to build)."""

    day: date
    reviews: int
    again: int
    hard: int
    good: int
    easy: int
    young_pass: int
    young_fail: int
    mature_pass: int
    mature_fail: int
    duration_ms: int


# The counters of a roll-up row, in column order.
COUNT_FIELDS = DayStats._fields[1:]


def retention_field(*, state_before, rescheduled, due_before, last_review_before, rating, tz=None):
    """The retention column (``young_pass`` … ``mature_fail``) a first-of-the-day review
    counts in, or None: only reviews of cards in the review state that rescheduled them.
    The scheduled interval counts study days in ``tz`` (a review card is due from the start
    of its study day); None means ``timing.zone(None)``."""
    if state_before != State.REVIEW or not rescheduled:
        return None
    interval_days = 0
    if last_review_before:
        tz = tz or timing.zone(None)
        due_day = timing.study_day(due_before, tz)
        interval_days = (due_day - timing.study_day(last_review_before, tz)).days
    age = "mature" if interval_days >= MATURE_DAYS else "young"
    return f"{age}_{'fail' if rating == 1 else 'pass'}"


def _is_first_of_day(*, log: ReviewLog, tz) -> bool:
    day_start = timing.day_start(log.reviewed_at, tz)
    return not (
        ReviewLog.objects.filter(card_id=log.card_id, reviewed_at__gte=day_start)
        .filter(Q(reviewed_at__lt=log.reviewed_at) | Q(reviewed_at=log.reviewed_at, pk__lt=log.pk))
        .exclude(pk=log.pk)
        .exists()
    )


def answer_counts(
    *,
    rating,
    duration_ms,
    state_before,
    rescheduled,
    due_before,
    last_review_before,
    first_of_day,
    tz=None,
) -> dict[str, int]:
    """What one answer adds to its day's roll-up: a review, its rating, its duration and, for
    the card's first answer of the day, its retention column. ``first_of_day`` is a bool or a
    callable asked only when a retention column applies (it may cost a query); ``tz`` is the
    learner's zone (young/mature count study days)."""
    counts = {"reviews": 1, RATING_FIELDS[rating]: 1}
    if duration_ms:
        counts["duration_ms"] = duration_ms
    column = retention_field(
        state_before=state_before,
        rescheduled=rescheduled,
        due_before=due_before,
        last_review_before=last_review_before,
        rating=rating,
        tz=tz,
    )
    if column and (first_of_day() if callable(first_of_day) else first_of_day):
        counts[column] = 1
    return counts


def _answer(log: ReviewLog) -> dict:
    """The log's fields that decide its retention column (:func:`retention_field`)."""
    return {
        "rating": log.rating,
        "state_before": log.state_before,
        "rescheduled": log.rescheduled,
        "due_before": log.due_before,
        "last_review_before": log.last_review_before,
    }


def _changes(*, log: ReviewLog, tz) -> dict[str, int]:
    return answer_counts(
        **_answer(log),
        duration_ms=log.duration_ms,
        first_of_day=lambda: _is_first_of_day(log=log, tz=tz),
        tz=tz,
    )


def _user_timezone(user_id):
    name = StudySettings.objects.filter(user_id=user_id).values_list("timezone", flat=True).first()
    return timing.zone(name)


def rollup_record(*, log: ReviewLog, tz=None) -> None:
    """Count a new review log in its day's roll-up (call right after creating the log).

    One UPDATE in the usual case (SQL, with the card's first-of-the-day check inside it:
    the ORM's two statements cost ~10× more to build than to run); the day's first review
    inserts the row (a concurrent insert of the same day falls back to the UPDATE)."""
    tz = tz or _user_timezone(log.user_id)
    day = timing.study_day(log.reviewed_at, tz)
    column = retention_field(**_answer(log), tz=tz)
    counts = answer_counts(**_answer(log), duration_ms=log.duration_ms, first_of_day=False, tz=tz)
    if _update_sql(log=log, day=day, counts=counts, column=column, tz=tz):
        return
    try:
        with transaction.atomic():
            DailyReviewStats.objects.create(
                user_id=log.user_id, day=day, **_changes(log=log, tz=tz)
            )
    except IntegrityError:
        _update_sql(log=log, day=day, counts=counts, column=column, tz=tz)


def _update_sql(*, log: ReviewLog, day: date, counts: dict, column: str | None, tz) -> int:
    """Add ``counts`` (and 1 in the retention ``column`` when this is the card's first log
    of the day, as :func:`_is_first_of_day` decides) to the day's row; rows updated."""
    ops = connection.ops
    params: list = list(counts.values())
    if column is not None:
        at = ops.adapt_datetimefield_value
        params += [
            log.card_id,
            at(timing.day_start(log.reviewed_at, tz)),
            at(log.reviewed_at),
            at(log.reviewed_at),
            log.pk,
            log.pk,
        ]
    sql = _update_sql_text(tuple(counts), column, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, log.user_id, ops.adapt_datefield_value(day)])
        return cursor.rowcount


@cache  # a few shapes: the counted columns and the retention column (per database vendor)
def _update_sql_text(names: tuple[str, ...], column: str | None, vendor: str) -> str:
    """The UPDATE of :func:`_update_sql` adding to ``names`` (and to ``column`` on the
    card's first log of the day)."""
    quote = connection.ops.quote_name
    assignments = [f"{quote(name)} = {quote(name)} + %s" for name in names]
    if column is not None:
        log_table = quote(ReviewLog._meta.db_table)
        assignments.append(
            f"{quote(column)} = {quote(column)} + CASE WHEN EXISTS (SELECT 1 FROM {log_table}"  # noqa: S608
            " WHERE card_id = %s AND reviewed_at >= %s AND (reviewed_at < %s"
            " OR (reviewed_at = %s AND id < %s)) AND id <> %s) THEN 0 ELSE 1 END"
        )
    return (
        f"UPDATE {quote(DailyReviewStats._meta.db_table)} SET {', '.join(assignments)}"  # noqa: S608
        " WHERE user_id = %s AND day = %s"
    )


def rollup_unrecord(*, log: ReviewLog, tz=None) -> None:
    """Take an undone review log out of its day's roll-up (before or after deleting it)."""
    tz = tz or _user_timezone(log.user_id)
    changes = _changes(log=log, tz=tz)
    day = timing.study_day(log.reviewed_at, tz)
    with transaction.atomic():
        DailyReviewStats.objects.filter(user_id=log.user_id, day=day).update(
            **{name: Greatest(F(name) - amount, Value(0)) for name, amount in changes.items()}
        )


def rollups_rebuild(*, user_ids=None, batch_size: int = 5000) -> int:
    """Recompute the roll-ups from the review log (all users, or ``user_ids``).

    Streams the log ordered by user, card and time; returns the number of rows written.
    """
    logs = ReviewLog.objects.all()
    rollups = DailyReviewStats.objects.all()
    settings = StudySettings.objects.all()
    if user_ids is not None:
        logs = logs.filter(user_id__in=user_ids)
        rollups = rollups.filter(user_id__in=user_ids)
        settings = settings.filter(user_id__in=user_ids)
    tz_names = dict(settings.values_list("user_id", "timezone"))
    tz_cache: dict[str | None, object] = {}

    def tz_for(user_id):
        name = tz_names.get(user_id)
        if name not in tz_cache:
            tz_cache[name] = timing.zone(name)
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
        day = timing.study_day(reviewed_at, tz_for(user_id))
        first = last_seen != (card_id, day)
        last_seen = (card_id, day)
        counter = counters[(user_id, day)]
        counts = answer_counts(
            rating=rating,
            duration_ms=duration_ms,
            state_before=state_before,
            rescheduled=rescheduled,
            due_before=due_before,
            last_review_before=last_review_before,
            first_of_day=first,
            tz=tz_for(user_id),
        )
        for name, value in counts.items():
            counter[name] += value
    objects = [
        DailyReviewStats(user_id=user_id, day=day, **counter)
        for (user_id, day), counter in counters.items()
    ]
    with transaction.atomic():
        rewritten = set(rollups.values_list("user_id", flat=True).distinct())
        rewritten.update(user_id for user_id, _day in counters)
        rollups.delete()
        DailyReviewStats.objects.bulk_create(objects, batch_size=1000)
        # A bulk rewrite sends no model signal: say whose figures changed (progress).
        transaction.on_commit(
            lambda: signals.study_data_rewritten.send(sender=None, user_ids=sorted(rewritten))
        )
    return len(objects)
