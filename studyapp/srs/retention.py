"""Retention keeping: the retention the scheduler aims at so that the learner *keeps* the
retention they asked for. Pure: no database, no clock.

Scheduling every card at the desired retention does not give the learner that retention:

* a learner who studies once a day cannot see a card sooner than the next study day, so a
  card whose stability is below a day (a new or just-forgotten card) is reviewed at a recall
  well below the target (about 0.80 at any target, measured by ``manage.py simulate_study``);
  at 0.95 short intervals all floor to one day;
* the learner's memory is not the model's (default parameters, or parameters trained on a
  short history), and learners skip days.

So once a study day the learner's own review answers of the last :data:`WINDOW_DAYS` study
days are read back (:func:`keep`): the share passed (not Again), what the model predicted
for them, and the target each was scheduled at. The new target is the mean scheduled target
moved by half the shortfall (:data:`GAIN`): a learner who asked for 0.90 and kept 0.87 under a
0.90 target is scheduled at 0.915; next day the same reading starts from there. The observed
shortfall counts as much as the answers allow: the model's prediction stands in for the first
:data:`PRIOR_REVIEWS` answers (a few dozen answers say little), so the target moves from day
one on what is certain (the one-day floor) and on the learner's own results as they come.

Bounds: the target stays within ``desired − 0.05 … desired + 0.10`` and 0.70–0.99 (Anki's
range). Measured (``manage.py simulate_study --learners 10``, hidden non-default learners):
see docs/study.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

WINDOW_DAYS = 30
PRIOR_REVIEWS = 200
GAIN = 0.5
MAX_ABOVE, MAX_BELOW = 0.10, 0.05
FLOOR, CEILING = 0.70, 0.99


@dataclass(frozen=True)
class Answer:
    """One review answer of the window (a card in review, first answer that study day)."""

    passed: bool  # Hard, Good or Easy
    predicted: float  # the model's recall probability when it was answered
    scheduled: float | None  # the target its due was scheduled at (None: before keeping)


@dataclass(frozen=True)
class Keeping:
    target: float  # what the scheduler aims at from now on
    reviews: int  # answers read
    observed: float | None  # share passed (None without answers)


def bounds(desired: float) -> tuple[float, float]:
    return max(FLOOR, desired - MAX_BELOW), min(CEILING, desired + MAX_ABOVE)


def keep(desired: float, answers: Iterable[Answer]) -> Keeping:
    """The target for a learner who wants ``desired``, from the window's ``answers``."""
    count = passed = predicted = scheduled = 0.0
    for answer in answers:
        count += 1
        passed += answer.passed
        predicted += answer.predicted
        scheduled += desired if answer.scheduled is None else answer.scheduled
    if not count:
        return Keeping(desired, 0, None)
    observed, predicted, scheduled = passed / count, predicted / count, scheduled / count
    # The learner's own results weigh in as their number grows (PRIOR_REVIEWS: half weight).
    estimate = predicted + (observed - predicted) * count / (count + PRIOR_REVIEWS)
    low, high = bounds(desired)
    target = min(high, max(low, scheduled + GAIN * (desired - estimate)))
    return Keeping(round(target, 3), int(count), observed)
