"""Simulated learners for ``manage.py simulate_study``: who they are and what they remember.

Pure (no database, no clock): every function takes its random generator and its times.
A learner's TRUE memory follows FSRS-6's equations with the learner's own hidden 21
parameters, drawn around the defaults (:func:`sample_profile`); the app schedules them with
the defaults. So the simulator measures what a learner would get, not what the scheduler
believes: a scheduler that shows reviews late, or that misreads elapsed time, reaches a true
retention below the desired one, and the harness can say so.

Hidden parameters: each weight is the default times ``exp(sigma * z)``, z standard normal,
then clamped to :data:`WEIGHT_RANGES`. Weights 0–12 are clamped to the per-user ranges the
FSRS benchmark (open-spaced-repetition/srs-benchmark, FSRS-6 pretraining, 2025) found over
its ~10k users' trained parameters; 13–20 to ranges chosen here, inside py-fsrs's bounds.
``sigma`` is 0.3 (a factor 0.55–1.8 at two sigmas) except the initial difficulty (w4, 0.05,
as narrow as the benchmark's range) and the forgetting curve's decay (w20, 0.4). The median
learner is the default learner, so a scheduler that gets time right should land near the
desired retention on average while single learners scatter around it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

# FSRS-6 defaults (py-fsrs 6.x ``DEFAULT_PARAMETERS``), copied so the truth does not move
# if the library changes its defaults.
DEFAULT_WEIGHTS = (
    0.212,
    1.2931,
    2.3065,
    8.2956,
    6.4133,
    0.8334,
    3.0194,
    0.001,
    1.8722,
    0.1666,
    0.796,
    1.4835,
    0.0614,
    0.2629,
    1.6483,
    0.6014,
    1.8729,
    0.5425,
    0.0912,
    0.0658,
    0.1542,
)
WEIGHT_RANGES = (
    (0.0344, 3.6306),
    (0.1187, 14.1450),
    (0.3165, 41.5755),
    (1.3976, 97.0),
    (6.4127, 7.4136),
    (0.1952, 0.9114),
    (1.8900, 3.1973),
    (0.0010, 0.1553),
    (1.0653, 2.0993),
    (0.0005, 0.4467),
    (0.6144, 1.4927),
    (1.4826, 1.9419),
    (0.0614, 0.1953),
    (0.13, 0.6),
    (1.0, 2.5),
    (0.3, 1.0),
    (1.2, 3.0),
    (0.2, 1.0),
    (0.02, 0.3),
    (0.01, 0.2),
    (0.1, 0.5),
)
SIGMA = 0.3
SIGMAS = {4: 0.05, 20: 0.4}
MIN_DIFFICULTY, MAX_DIFFICULTY = 1.0, 10.0
MIN_STABILITY = 0.001
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4


@dataclass(frozen=True)
class Profile:
    """One simulated learner: hidden memory parameters and habits."""

    weights: tuple[float, ...]
    # Chance of pressing Hard / Easy when the card was recalled (0 for learners who only
    # ever press Again or Good).
    hard: float
    easy: float
    # Chance of Again on a card's very first showing (it was never seen before).
    first_again: float
    # Chance of not studying on a given day (day 0 is always studied).
    skip: float
    # Mean seconds per answer.
    seconds: float


@dataclass(frozen=True)
class Trace:
    """What the learner truly remembers of one card: FSRS-6 stability (days) and difficulty."""

    stability: float
    difficulty: float


def sample_weights(rng: random.Random) -> tuple[float, ...]:
    weights = []
    for index, (default, (low, high)) in enumerate(
        zip(DEFAULT_WEIGHTS, WEIGHT_RANGES, strict=True)
    ):
        value = default * math.exp(SIGMAS.get(index, SIGMA) * rng.gauss(0.0, 1.0))
        weights.append(min(max(value, low), high))
    return tuple(weights)


def sample_profile(rng: random.Random) -> Profile:
    """A learner: hidden weights and habits. About a third never press Hard or Easy (as many
    Anki users are advised to); the others press Hard on 3–15% and Easy on 2–12% of the
    cards they recall. 15–40% Again on a first showing; 0–30% of days skipped; 6–20 s an
    answer."""
    weights = sample_weights(rng)
    binary = rng.random() < 1 / 3
    return Profile(
        weights=weights,
        hard=0.0 if binary else rng.uniform(0.03, 0.15),
        easy=0.0 if binary else rng.uniform(0.02, 0.12),
        first_again=rng.uniform(0.15, 0.40),
        skip=rng.uniform(0.0, 0.30),
        seconds=rng.uniform(6.0, 20.0),
    )


def retrievability(weights, stability: float, elapsed_days: float) -> float:
    """FSRS-6's forgetting curve: the chance of recall ``elapsed_days`` after a review."""
    decay = -weights[20]
    factor = 0.9 ** (1 / decay) - 1
    return (1 + factor * max(elapsed_days, 0.0) / stability) ** decay


def _clamp_difficulty(value: float) -> float:
    return min(max(value, MIN_DIFFICULTY), MAX_DIFFICULTY)


def _initial_difficulty(weights, rating: int) -> float:
    return weights[4] - math.exp(weights[5] * (rating - 1)) + 1


def first_trace(weights, rating: int) -> Trace:
    """The memory left by a card's first showing, answered ``rating``."""
    return Trace(
        stability=max(weights[rating - 1], MIN_STABILITY),
        difficulty=_clamp_difficulty(_initial_difficulty(weights, rating)),
    )


def _next_difficulty(weights, difficulty: float, rating: int) -> float:
    delta = -weights[6] * (rating - 3)
    damped = difficulty + (10.0 - difficulty) * delta / 9.0
    reverted = weights[7] * _initial_difficulty(weights, EASY) + (1 - weights[7]) * damped
    return _clamp_difficulty(reverted)


def next_trace(weights, trace: Trace, rating: int, *, elapsed_days: float, same_day: bool) -> Trace:
    """The memory after answering ``rating`` ``elapsed_days`` after the previous answer.

    ``same_day``: both answers in one study day, where FSRS-6 uses its short-term stability
    (as the model was trained: Anki logs a same-day review with a day gap of 0). Otherwise the
    long-term update, with the recall probability at the real elapsed time.
    """
    stability, difficulty = trace.stability, trace.difficulty
    if same_day:
        increase = math.exp(weights[17] * (rating - 3 + weights[18])) * stability ** -weights[19]
        if rating >= HARD:
            increase = max(increase, 1.0)
        new_stability = stability * increase
    else:
        recall = retrievability(weights, stability, elapsed_days)
        if rating == AGAIN:
            new_stability = min(
                weights[11]
                * difficulty ** -weights[12]
                * ((stability + 1) ** weights[13] - 1)
                * math.exp((1 - recall) * weights[14]),
                stability / math.exp(weights[17] * weights[18]),
            )
        else:
            bonus = weights[15] if rating == HARD else weights[16] if rating == EASY else 1.0
            new_stability = stability * (
                1
                + math.exp(weights[8])
                * (11 - difficulty)
                * stability ** -weights[9]
                * (math.exp((1 - recall) * weights[10]) - 1)
                * bonus
            )
    return Trace(
        stability=max(new_stability, MIN_STABILITY),
        difficulty=_next_difficulty(weights, difficulty, rating),
    )


def rating_for(profile: Profile, rng: random.Random, *, recalled: bool) -> int:
    """The button pressed: Again when not recalled, else Hard / Good / Easy by habit."""
    if not recalled:
        return AGAIN
    draw = rng.random()
    if draw < profile.hard:
        return HARD
    if draw < profile.hard + profile.easy:
        return EASY
    return GOOD


def first_rating(profile: Profile, rng: random.Random) -> int:
    """The button pressed on a card's very first showing."""
    return rating_for(profile, rng, recalled=rng.random() >= profile.first_again)
