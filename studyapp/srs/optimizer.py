"""Per-learner FSRS parameters: training, held-out evaluation, memory recompute, the
desired-retention suggestion, and a seeded synthetic learner (for the harness and tests).

Pure: no database. Uses ``fsrs_rs_python`` (fsrs-rs, the Rust optimizer Anki uses). The
services in ``services.py`` read the review log, call :func:`optimize` and write the result.

Answers are given as :class:`Answer` tuples in time order, with the STUDY DAY of each answer
(``timing.study_day``) as an ordinal: the optimizer's ``delta_t`` is the number of study days
since the card's previous answer, as Anki counts it. Same-day answers (learning steps) have
``delta_t == 0``; they stay in each card's history (short-term memory) but only answers on a
later study day are predictions to score ("reviews" below), as in Anki.

Held-out check: the reviews are sorted by time; the parameters are trained on the first 80%
and both the current and the new parameters are scored (log loss, RMSE over bins) on the
latest 20%. An item of the held-out part carries the card's earlier answers as its history,
which is information the scheduler had at that time, so nothing of the future leaks into
training. The new parameters are kept only if their held-out log loss is lower.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import fsrs_rs_python as fsrs_rs
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

DEFAULT_PARAMETERS: tuple[float, ...] = tuple(round(w, 4) for w in fsrs_rs.DEFAULT_PARAMETERS)
# Reviews (answers on a later study day than the card's previous answer) needed to train.
# Anki long asked for about 400 before optimizing; with 20% held out that leaves 80 scored
# predictions, about the fewest for which a log-loss difference is more than noise
# (the held-out check still guards every run above the minimum).
MIN_REVIEWS = 400
HOLDOUT_FRACTION = 0.2
RELEARNING_STEP_COUNT = 1  # scheduler.RELEARNING_STEPS has one step
TRAINING_SEED = 2023
# (low, high) of each parameter: py-fsrs's bounds, the same as fsrs-rs's clipper.
BOUNDS = tuple(zip(LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True))


@dataclass(frozen=True)
class Answer:
    """One logged answer: card, study day (ordinal), rating 1–4, and whether the card was
    new before it (the start of its history)."""

    card: int
    day: int
    rating: int
    new: bool = False


@dataclass(frozen=True)
class Sample:
    """A scored prediction: the card's history up to and including one review."""

    card: int
    position: int  # index of the review's answer in the time-ordered log
    item: fsrs_rs.FSRSItem


@dataclass
class Evaluation:
    reviews: int
    logloss_before: float | None = None
    logloss_after: float | None = None
    rmse_before: float | None = None
    rmse_after: float | None = None
    accepted: bool = False
    parameters: list[float] = field(default_factory=list)
    enough: bool = True


def samples(answers: Iterable[Answer]) -> list[Sample]:
    """One :class:`Sample` per review, in time order. A card's history starts at its first
    answer as a new card; answers of a card whose start is not in the log are skipped."""
    histories: dict[int, list[fsrs_rs.FSRSReview]] = {}
    last_day: dict[int, int] = {}
    out: list[Sample] = []
    for position, answer in enumerate(answers):
        if answer.new:
            histories[answer.card] = [fsrs_rs.FSRSReview(answer.rating, 0)]
            last_day[answer.card] = answer.day
            continue
        history = histories.get(answer.card)
        if history is None:
            continue
        delta = max(0, answer.day - last_day[answer.card])
        history.append(fsrs_rs.FSRSReview(answer.rating, delta))
        last_day[answer.card] = answer.day
        if delta > 0:
            out.append(Sample(answer.card, position, fsrs_rs.FSRSItem(list(history))))
    return out


def split(scored: Sequence[Sample], holdout: float = HOLDOUT_FRACTION):
    """(train, test): the earliest ``1 - holdout`` of the reviews by time, and the rest."""
    cut = len(scored) - max(1, round(len(scored) * holdout))
    return list(scored[:cut]), list(scored[cut:])


def epochs(count: int) -> int:
    """Passes over the data: fsrs-rs's 5 for large logs, up to 10 for small ones (a few
    thousand reviews need more steps to converge; measured in bench/optimizer_eval.py)."""
    return max(5, min(10, round(100_000 / max(1, count))))


def clip(parameters: Sequence[float]) -> list[float]:
    """Within the bounds py-fsrs accepts (the same as fsrs-rs's clipper)."""
    return [
        round(min(high, max(low, w)), 6) for w, (low, high) in zip(parameters, BOUNDS, strict=True)
    ]


def train(scored: Sequence[Sample], current: Sequence[float] | None = None) -> list[float]:
    model = fsrs_rs.FSRS(list(current or DEFAULT_PARAMETERS))
    trained = model.compute_parameters(
        [sample.item for sample in scored],
        enable_short_term=True,
        num_relearning_steps=RELEARNING_STEP_COUNT,
        training_config=fsrs_rs.TrainingConfig(num_epochs=epochs(len(scored)), seed=TRAINING_SEED),
    )
    return clip(trained)


def score(parameters: Sequence[float], scored: Sequence[Sample]) -> tuple[float, float]:
    """(log loss, RMSE over bins) of ``parameters`` predicting ``scored``."""
    result = fsrs_rs.FSRS(list(parameters)).evaluate([sample.item for sample in scored])
    return float(result.log_loss), float(result.rmse_bins)


def optimize(
    answers: Sequence[Answer],
    current: Sequence[float] | None = None,
    *,
    minimum: int | None = None,
) -> Evaluation:
    """Train on the older 80% of the reviews; keep the result only if it predicts the latest
    20% with a lower log loss than ``current`` (None: the defaults)."""
    current = list(current or DEFAULT_PARAMETERS)
    scored = samples(answers)
    if len(scored) < (MIN_REVIEWS if minimum is None else minimum):
        return Evaluation(reviews=len(scored), enough=False)
    training, held_out = split(scored)
    try:
        trained = train(training, current)
    except (ValueError, RuntimeError, OverflowError):
        # fsrs-rs refuses degenerate data (e.g. parameters diverging to infinity): keep the
        # current parameters, recorded as a rejected run.
        trained = list(current)
    logloss_before, rmse_before = score(current, held_out)
    logloss_after, rmse_after = score(trained, held_out)
    return Evaluation(
        reviews=len(scored),
        logloss_before=logloss_before,
        logloss_after=logloss_after,
        rmse_before=rmse_before,
        rmse_after=rmse_after,
        accepted=logloss_after < logloss_before,
        parameters=trained,
    )


def memory_states(
    parameters: Sequence[float], histories: dict[int, list[tuple[int, int]]]
) -> dict[int, tuple[float, float]]:
    """Stability and difficulty after each card's whole history under ``parameters``.

    ``histories`` maps card → [(study day, rating), …] from its first answer as new."""
    cards = [card for card, history in histories.items() if history]
    items = []
    for card in cards:
        reviews = []
        previous = None
        for day, rating in histories[card]:
            reviews.append(fsrs_rs.FSRSReview(rating, 0 if previous is None else day - previous))
            previous = day
        items.append(fsrs_rs.FSRSItem(reviews))
    if not items:
        return {}
    states = fsrs_rs.FSRS(list(parameters)).memory_state_batch(items)
    pairs = zip(cards, states, strict=True)
    return {card: (state.stability, state.difficulty) for card, state in pairs}


def next_interval_days(
    parameters: Sequence[float],
    stability: float,
    desired_retention: float,
    maximum_interval: int,
) -> int:
    days = fsrs_rs.FSRS(list(parameters)).next_interval(stability, desired_retention, 3)
    return max(1, min(int(maximum_interval), round(days)))


SIMULATED_CARDS_MAX = 1000
SIMULATED_NEW_MAX = 100
SIMULATED_REVIEWS_MAX = 1000


def suggest_retention(
    parameters: Sequence[float] | None,
    *,
    deck_size: int,
    new_per_day: int,
    reviews_per_day: int,
) -> float:
    """fsrs-rs's optimal retention: the desired retention with the least study time per card
    remembered, simulated over a year of this learner's deck and daily limits."""
    config = fsrs_rs.default_simulator_config()
    # Bounded work in a request: the simulator's cost grows with cards × days (5,000 cards
    # took 8 s of CPU here, 1,000 about 0.6 s); the optimum moves little past these sizes.
    config.deck_size = min(SIMULATED_CARDS_MAX, max(1, deck_size))
    config.learn_span = 365
    config.learn_limit = min(SIMULATED_NEW_MAX, max(1, new_per_day))
    config.review_limit = min(SIMULATED_REVIEWS_MAX, max(1, reviews_per_day))
    value = fsrs_rs.optimal_retention(config, list(parameters or DEFAULT_PARAMETERS))
    return round(min(0.97, max(0.70, value)), 2)


# --- A synthetic learner (seeded), for the harness and the tests. ---------------------------


def hidden_parameters(seed: int, spread: float = 0.5) -> list[float]:
    """Non-default parameters: each default scaled by a seeded log-normal factor, clipped."""
    rng = random.Random(f"hidden:{seed}")
    out = []
    for w, (low, high) in zip(DEFAULT_PARAMETERS, BOUNDS, strict=True):
        out.append(round(min(high, max(low, w * math.exp(rng.gauss(0, spread)))), 4))
    return out


def retrievability(parameters: Sequence[float], stability: float, days: float) -> float:
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return (1 + factor * days / stability) ** decay


FIRST_RATING = (0.24, 0.094, 0.495, 0.171)
RECALL_RATING = (0.224, 0.631, 0.145)  # Hard, Good, Easy when recalled


def synthetic_log(
    true_parameters: Sequence[float],
    *,
    reviews: int,
    seed: int,
    new_per_day: int = 20,
    skip_probability: float = 0.2,
    desired_retention: float = 0.9,
    scheduling_parameters: Sequence[float] | None = None,
    max_cards: int | None = None,
) -> list[Answer]:
    """A learner's answers, in time order, until ``reviews`` reviews (answers on a later
    study day) are logged. Recall follows ``true_parameters``; the app schedules with
    ``scheduling_parameters`` (the defaults): the learner studies on ~80% of days, answers
    every card due that day (overdue ones on the next study day), then ``new_per_day`` new
    cards (at most ``max_cards`` in all); an Again or Hard on a new card, and an Again in
    review, is followed by same-day step answers until Good."""
    rng = random.Random(f"learner:{seed}")
    nature = fsrs_rs.FSRS(list(true_parameters))
    app = fsrs_rs.FSRS(list(scheduling_parameters or DEFAULT_PARAMETERS))
    true_state: dict[int, object] = {}
    app_state: dict[int, object] = {}
    due: dict[int, int] = {}
    last: dict[int, int] = {}
    answers: list[Answer] = []
    count = 0
    next_card = 1
    day = 0
    ratings = (1, 2, 3, 4)

    def apply(card: int, rating: int, delta: int) -> None:
        for model, states in ((nature, true_state), (app, app_state)):
            nxt = model.next_states(states.get(card), desired_retention, delta)
            states[card] = (nxt.again, nxt.hard, nxt.good, nxt.easy)[rating - 1].memory

    def same_day_steps(card: int) -> None:
        for _ in range(3):
            rating = 1 if rng.random() < 0.25 else 3
            answers.append(Answer(card, day, rating))
            apply(card, rating, 0)
            if rating == 3:
                return

    while count < reviews:
        day += 1
        if rng.random() < skip_probability:
            continue
        todays = [card for card, when in due.items() if when <= day]
        rng.shuffle(todays)
        for card in todays:
            delta = day - last[card]
            recall = retrievability(true_parameters, true_state[card].stability, delta)
            if rng.random() < recall:
                rating = rng.choices(ratings[1:], weights=RECALL_RATING)[0]
            else:
                rating = 1
            answers.append(Answer(card, day, rating))
            apply(card, rating, delta)
            count += 1
            if rating == 1:
                same_day_steps(card)
            last[card] = day
            days = app.next_interval(app_state[card].stability, desired_retention, 3)
            fuzz = 1 + rng.uniform(-0.05, 0.05) if days > 2.5 else 1
            due[card] = day + max(1, min(36500, round(days * fuzz)))
            if count >= reviews:
                break
        for _ in range(new_per_day):
            if max_cards is not None and next_card > max_cards:
                break
            card, next_card = next_card, next_card + 1
            rating = rng.choices(ratings, weights=FIRST_RATING)[0]
            answers.append(Answer(card, day, rating, new=True))
            apply(card, rating, 0)
            if rating <= 2:
                same_day_steps(card)
            last[card] = day
            days = app.next_interval(app_state[card].stability, desired_retention, 3)
            due[card] = day + max(1, round(days))
    return answers
