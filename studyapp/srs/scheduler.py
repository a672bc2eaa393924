"""A thin, pure wrapper around the ``fsrs`` package (FSRS-6, default parameters).

No database here: functions take a :class:`Memory` (the scheduling fields of a study card)
and return a new one. Fuzz is made deterministic per (card id, reps), so the interval shown
on a rating button is exactly the interval the card gets when that button is pressed.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import fsrs
import fsrs.scheduler as fsrs_scheduler
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

# The study day's rollover lives in timing.py; re-exported for older callers.
from .timing import DAY_STARTS_AT, day_start, next_day_start  # noqa: F401

LEARNING_STEPS = (timedelta(minutes=1), timedelta(minutes=10))
RELEARNING_STEPS = (timedelta(minutes=10),)
LEECH_LAPSES = 8
RATINGS = (1, 2, 3, 4)

NEW, LEARNING, REVIEW, RELEARNING = "new", "learning", "review", "relearning"
_TO_FSRS = {
    NEW: fsrs.State.Learning,
    LEARNING: fsrs.State.Learning,
    REVIEW: fsrs.State.Review,
    RELEARNING: fsrs.State.Relearning,
}
_FROM_FSRS = {
    fsrs.State.Learning: LEARNING,
    fsrs.State.Review: REVIEW,
    fsrs.State.Relearning: RELEARNING,
}

# fsrs draws fuzz from ``random()`` imported at module level in fsrs.scheduler; we swap in a
# seeded generator for the duration of one review. The lock keeps threads from seeing
# each other's generator (reviews take microseconds, so contention is negligible).
_FUZZ_LOCK = threading.Lock()


@dataclass(frozen=True)
class Memory:
    """The scheduling fields of a study card (datetimes aware, UTC)."""

    state: str = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0


@dataclass(frozen=True)
class Outcome:
    memory: Memory
    interval: timedelta
    leech: bool


@lru_cache(maxsize=64)
def build_scheduler(
    desired_retention: float = 0.9,
    maximum_interval: int = 36500,
    parameters: tuple[float, ...] | None = None,
):
    """``parameters``: the learner's trained FSRS parameters (optimizer.py); None: defaults."""
    return fsrs.Scheduler(
        **({"parameters": parameters} if parameters else {}),
        desired_retention=desired_retention,
        learning_steps=LEARNING_STEPS,
        relearning_steps=RELEARNING_STEPS,
        maximum_interval=maximum_interval,
        enable_fuzzing=True,
    )


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def review(
    memory: Memory,
    rating: int,
    *,
    now: datetime,
    seed: int,
    desired_retention: float = 0.9,
    maximum_interval: int = 36500,
    parameters: tuple[float, ...] | None = None,
) -> Outcome:
    """The card's memory after answering ``rating`` (1 Again … 4 Easy) at ``now``.

    ``seed`` identifies the card (its id); together with ``memory.reps`` it fixes the fuzz.
    """
    if rating not in RATINGS:
        raise ValueError(f"rating must be 1–4, got {rating!r}")
    now = _utc(now)
    card = fsrs.Card(
        card_id=seed or 1,
        state=_TO_FSRS[memory.state],
        step=0 if memory.state == NEW else memory.step,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=_utc(memory.due) if memory.due else now,
        last_review=_utc(memory.last_review) if memory.last_review else None,
    )
    scheduler = build_scheduler(desired_retention, maximum_interval, parameters)
    generator = random.Random(f"{seed}:{memory.reps}")
    with _FUZZ_LOCK:
        original = fsrs_scheduler.random
        fsrs_scheduler.random = generator.random
        try:
            card, _log = scheduler.review_card(card, fsrs.Rating(rating), review_datetime=now)
        finally:
            fsrs_scheduler.random = original
    lapsed = memory.state == REVIEW and rating == 1
    lapses = memory.lapses + (1 if lapsed else 0)
    new_memory = Memory(
        state=_FROM_FSRS[card.state],
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
        reps=memory.reps + 1,
        lapses=lapses,
    )
    return Outcome(
        memory=new_memory, interval=card.due - now, leech=lapsed and lapses >= LEECH_LAPSES
    )


def preview(memory: Memory, *, now: datetime, seed: int, **options) -> dict[int, timedelta]:
    """The interval each rating would give, exactly as :func:`review` would apply it."""
    return {
        rating: review(memory, rating, now=now, seed=seed, **options).interval for rating in RATINGS
    }


def format_interval(interval: timedelta) -> str:
    """Short label for a rating button: ``<10 min``, ``3 h``, ``1 d``, ``4 meses``, ``1,5 anos``."""
    seconds = interval.total_seconds()
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return gettext("<%(n)d min") % {"n": minutes}
    hours = round(seconds / 3600)
    if hours < 24:
        return gettext("%(n)d h") % {"n": hours}
    days = round(seconds / 86400)
    if days < 100:
        return gettext("%(n)d d") % {"n": days}
    if days < 365:
        months = round(days / 30)
        return ngettext("%(n)d mês", "%(n)d meses", months) % {"n": months}
    years = round(days / 365, 1)
    # Localized decimal: "1,5 anos" in Portuguese, "1.5 years" in English.
    label = number_format(years, decimal_pos=0 if years.is_integer() else 1)
    return ngettext("%(n)s ano", "%(n)s anos", 2 if years != 1 else 1) % {"n": label}


def format_due_in(interval: timedelta) -> str:
    """A due time as a phrase: ``em 3 dias`` / ``in 3 days``, ``em 2 horas``, ``em 5 meses``."""
    seconds = max(0.0, interval.total_seconds())
    if seconds < 60:
        return gettext("em menos de um minuto")
    minutes = round(seconds / 60)
    if minutes < 60:
        return ngettext("em %(n)d minuto", "em %(n)d minutos", minutes) % {"n": minutes}
    hours = round(seconds / 3600)
    if hours < 24:
        return ngettext("em %(n)d hora", "em %(n)d horas", hours) % {"n": hours}
    days = round(seconds / 86400)
    if days < 60:
        return ngettext("em %(n)d dia", "em %(n)d dias", days) % {"n": days}
    if days < 365:
        months = round(days / 30)
        return ngettext("em %(n)d mês", "em %(n)d meses", months) % {"n": months}
    years = round(days / 365, 1)
    label = number_format(years, decimal_pos=0 if years.is_integer() else 1)
    return ngettext("em %(n)s ano", "em %(n)s anos", 2 if years != 1 else 1) % {"n": label}


def with_due(memory: Memory, due: datetime) -> Memory:
    return replace(memory, due=due)
