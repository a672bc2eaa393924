"""A thin, pure wrapper around the ``fsrs`` package (FSRS-6; default or the learner's parameters).

No database here: functions take a :class:`Memory` (the scheduling fields of a study card)
and return a new one. ``fsrs`` computes stability and difficulty; the rest follows Anki:

* **Study days.** A review card is due for the whole study day that holds its due time
  (:mod:`.timing` owns the day, 04:00 local): its ``due`` is stored as the start of that day.
  The elapsed time FSRS gets counts study days, not 24-h periods. Learning and relearning
  steps keep exact times.
* **Interval rules** (Anki's ``review.rs``/``fuzz.rs``): Hard < Good < Easy, each at least one
  day more than the one before; fuzz is drawn in Anki's range and floored; fuzz never makes an
  interval shorter than the current one when the model's interval is not.
* **Leeches** (Anki's rule): at ``leech_threshold`` lapses, then every half threshold more.

Fuzz is deterministic per (card id, reps), so the interval shown on a rating button is exactly
the interval the card gets when that button is pressed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

import fsrs
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from . import timing

LEARNING_STEPS = (timedelta(minutes=1), timedelta(minutes=10))
RELEARNING_STEPS = (timedelta(minutes=10),)
LEECH_LAPSES = 8  # Anki's default leech threshold
RATINGS = (1, 2, 3, 4)
HARD, GOOD, EASY = 2, 3, 4

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

# Anki's fuzz ranges (rslib/src/scheduler/states/fuzz.rs): 1 day, plus 15% of the days in
# 2.5–7, 10% of those in 7–20 and 5% of those above 20.
FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.10), (20.0, math.inf, 0.05))


@dataclass(frozen=True)
class Memory:
    """The scheduling fields of a study card (datetimes aware, UTC).

    ``leech`` is the card's leech tag: set when a lapse meets the leech rule, kept after."""

    state: str = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    leech: bool = False
    # The retention the scheduler aimed at when it set ``due`` (retention keeping,
    # :mod:`.retention`): how the learner's measured retention is read against its target.
    scheduled_retention: float | None = None


@dataclass(frozen=True)
class Outcome:
    memory: Memory
    interval: timedelta
    leech: bool  # this answer made the card a leech (suspend it and tell the learner)


@lru_cache(maxsize=64)
def build_scheduler(
    desired_retention: float = 0.9,
    maximum_interval: int = 36500,
    parameters: tuple[float, ...] | None = None,
):
    """fsrs without its own fuzz (:func:`review` applies Anki's, floored and ordered).
    ``parameters``: the learner's trained FSRS parameters (optimizer.py); None: defaults."""
    return fsrs.Scheduler(
        **({"parameters": parameters} if parameters else {}),
        desired_retention=desired_retention,
        learning_steps=LEARNING_STEPS,
        relearning_steps=RELEARNING_STEPS,
        maximum_interval=maximum_interval,
        enable_fuzzing=False,
    )


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _round(value: float) -> int:
    """Round half away from zero, as Rust's ``f32::round`` (Python's round is half-even)."""
    return math.floor(value + 0.5)


def leech_threshold_met(lapses: int, threshold: int) -> bool:
    """Anki's rule: a leech at ``threshold`` lapses, then every half threshold (rounded up)
    more; 0 turns leeches off."""
    if threshold <= 0:
        return False
    half = max(1, math.ceil(threshold / 2))
    return lapses >= threshold and (lapses - threshold) % half == 0


def fuzz_delta(interval: float) -> float:
    if interval < 2.5:
        return 0.0
    return 1.0 + sum(
        factor * max(0.0, min(interval, end) - start) for start, end, factor in FUZZ_RANGES
    )


def fuzz_bounds(interval: float, minimum: int, maximum: int) -> tuple[int, int]:
    """Anki's ``constrained_fuzz_bounds``: the range fuzz draws from, within the limits."""
    minimum = max(1, min(minimum, maximum))
    interval = min(max(interval, minimum), maximum)
    delta = fuzz_delta(interval)
    lower = min(max(_round(interval - delta), minimum), maximum)
    upper = min(max(_round(interval + delta), minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


def fuzzed(interval: float, fuzz: float, *, minimum: int, maximum: int) -> int:
    """Anki's ``with_review_fuzz``: ``floor(lower + fuzz × (1 + upper − lower))``."""
    lower, upper = fuzz_bounds(interval, minimum, maximum)
    return min(upper, math.floor(lower + fuzz * (1 + upper - lower)))


def study_days_between(earlier: datetime, later: datetime, tz) -> int:
    """Whole study days from ``earlier`` to ``later`` (0 within one study day)."""
    return max(0, (timing.study_day(later, tz) - timing.study_day(earlier, tz)).days)


def review_due(day: date, tz) -> datetime:
    """When a review card due on study ``day`` becomes due: the start of that day (UTC)."""
    return datetime.combine(day, timing.DAY_STARTS_AT, tzinfo=tz).astimezone(UTC)


def current_interval(memory: Memory, tz) -> int:
    """The card's scheduled interval in study days (0 for a card not in review)."""
    if memory.state != REVIEW or memory.due is None or memory.last_review is None:
        return 0
    return study_days_between(memory.last_review, memory.due, tz)


class _Context:
    """One answer's inputs, shared by the ratings it compares (Hard/Good/Easy)."""

    def __init__(self, memory, *, now, tz, scheduler, desired_retention, maximum_interval):
        self.memory = memory
        self.now = now
        self.tz = tz
        self.scheduler = scheduler
        self.desired_retention = desired_retention
        self.maximum_interval = maximum_interval
        # fsrs counts elapsed days as whole 24-h periods since ``last_review``; giving it a
        # last review exactly ``elapsed`` days back makes it count study days, as Anki does.
        self.last_review = None
        if memory.last_review is not None:
            elapsed = study_days_between(memory.last_review, now, tz)
            self.last_review = now - timedelta(days=elapsed)
        self._cards = {}
        self._days = {}
        self._fuzz = {}
        self._last = None

    def fuzz(self, seed: int) -> float:
        """The fuzz factor for the card ``seed`` at its ``reps`` (the same for each rating)."""
        if seed not in self._fuzz:
            reps = self.memory.reps
            self._fuzz[seed] = random.Random(f"{seed}:{reps}").random()  # noqa: S311 - not security
        return self._fuzz[seed]

    def last_interval(self) -> int:
        """:func:`current_interval` of the card (computed once for the ratings compared)."""
        if self._last is None:
            self._last = current_interval(self.memory, self.tz)
        return self._last

    def card(self, rating: int) -> fsrs.Card:
        if rating not in self._cards:
            memory = self.memory
            card = fsrs.Card(
                card_id=1,
                state=_TO_FSRS[memory.state],
                step=0 if memory.state == NEW else memory.step,
                stability=memory.stability,
                difficulty=memory.difficulty,
                due=_utc(memory.due) if memory.due else self.now,
                last_review=self.last_review,
            )
            self._cards[rating], _log = self.scheduler.review_card(
                card, fsrs.Rating(rating), review_datetime=self.now
            )
        return self._cards[rating]

    def raw_interval(self, rating: int) -> float:
        """The model's interval in days for ``rating``, unrounded (as fsrs-rs gives Anki)."""
        scheduler = self.scheduler
        stability = self.card(rating).stability
        factor = scheduler.desired_retention ** (1 / scheduler._DECAY) - 1
        return stability / scheduler._FACTOR * factor


def _not_shorter(raw: float, last: int) -> int:
    """The least interval fuzz may give against the current interval ``last``: a day more
    when the model's interval is longer than it (Anki's "greater than last"), ``last`` when
    the model's interval rounds to it, no bound when the model's interval is shorter."""
    if not last:
        return 1
    if raw > last:
        return last + 1
    return last if _round(raw) >= last else 1


def _review_days(ctx: _Context, rating: int, *, fuzz: float, maximum: int, last: int) -> int:
    """Days until the next review after a passing answer that leaves the card in review."""

    def constrain(rating: int, minimum: int) -> int:
        # The same arguments give the same days: computed once for the ratings compared.
        key = (rating, minimum, fuzz, maximum, last)
        if key not in ctx._days:
            raw = ctx.raw_interval(rating)
            bound = max(minimum, _not_shorter(raw, last))
            ctx._days[key] = fuzzed(raw, fuzz, minimum=bound, maximum=maximum)
        return ctx._days[key]

    if ctx.memory.state == REVIEW:
        hard = constrain(HARD, 1)
        if rating == HARD:
            return hard
        good = constrain(GOOD, hard + 1)
        if rating == GOOD:
            return good
        return constrain(EASY, good + 1)
    # Graduating from (re)learning: Good's interval, Easy at least a day more.
    good = constrain(GOOD, 1)
    if rating == EASY:
        return constrain(EASY, good + 1)
    if rating == HARD:
        return constrain(HARD, 1)
    return good


def review(
    memory: Memory,
    rating: int,
    *,
    now: datetime,
    seed: int,
    desired_retention: float = 0.9,
    maximum_interval: int = 36500,
    parameters: tuple[float, ...] | None = None,
    tz=None,
    leech_threshold: int = LEECH_LAPSES,
) -> Outcome:
    """The card's memory after answering ``rating`` (1 Again … 4 Easy) at ``now``.

    ``seed`` identifies the card (its id); together with ``memory.reps`` it fixes the fuzz.
    ``tz`` is the learner's time zone (study days); None means ``timing.zone(None)``.
    ``desired_retention`` is the retention to aim at: the learner's target after retention
    keeping (:mod:`.retention`), stored on the result as ``scheduled_retention``.
    """
    if rating not in RATINGS:
        raise ValueError(f"rating must be 1–4, got {rating!r}")
    ctx = _context(memory, now, tz, desired_retention, maximum_interval, parameters)
    return _review(ctx, rating, seed=seed, leech_threshold=leech_threshold)


def _context(memory, now, tz, desired_retention, maximum_interval, parameters) -> _Context:
    now = _utc(now)
    tz = tz or timing.zone(None)
    scheduler = build_scheduler(desired_retention, maximum_interval, parameters)
    return _Context(
        memory,
        now=now,
        tz=tz,
        scheduler=scheduler,
        desired_retention=desired_retention,
        maximum_interval=maximum_interval,
    )


def _review(ctx: _Context, rating: int, *, seed: int, leech_threshold: int) -> Outcome:
    memory, now, tz = ctx.memory, ctx.now, ctx.tz
    card = ctx.card(rating)
    state = _FROM_FSRS[card.state]
    if state == REVIEW:
        days = _review_days(
            ctx,
            rating,
            fuzz=ctx.fuzz(seed),
            maximum=ctx.maximum_interval,
            last=ctx.last_interval(),
        )
        due = review_due(timing.study_day(now, tz) + timedelta(days=days), tz)
        interval = timedelta(days=days)
    else:
        due = card.due
        interval = card.due - now
    lapsed = memory.state == REVIEW and rating == 1
    lapses = memory.lapses + (1 if lapsed else 0)
    leech = lapsed and leech_threshold_met(lapses, leech_threshold)
    new_memory = Memory(
        state=state,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=due,
        last_review=now,
        reps=memory.reps + 1,
        lapses=lapses,
        leech=memory.leech or leech,
        scheduled_retention=ctx.desired_retention,
    )
    return Outcome(memory=new_memory, interval=interval, leech=leech)


def preview(
    memory: Memory,
    *,
    now: datetime,
    seed: int,
    desired_retention: float = 0.9,
    maximum_interval: int = 36500,
    parameters: tuple[float, ...] | None = None,
    tz=None,
    leech_threshold: int = LEECH_LAPSES,
) -> dict[int, timedelta]:
    """The interval each rating would give, exactly as :func:`review` would apply it (the
    four share one context: the model's memory per rating is computed once, not once per
    rating that compares with it)."""
    ctx = _context(memory, now, tz, desired_retention, maximum_interval, parameters)
    return {
        rating: _review(ctx, rating, seed=seed, leech_threshold=leech_threshold).interval
        for rating in RATINGS
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
