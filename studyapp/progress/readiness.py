"""Exam-readiness model: pure functions, no database (documented in docs/progress.md).

**The exam forecast** is the item model (issue 13, below ``BankItem``): for each question a
mock exam can draw, ``P(right) = g + (1 - g) * k`` with the guess floor ``g`` of the item's
format and ``k`` the chance the learner knows it on the exam day (FSRS retrievability then,
with the learner's fitted memory factor; prior knowledge for items never studied; shifted by
recency-weighted quiz evidence, half-life ``HALF_LIFE_DAYS``). ``score_forecast`` sums them
the way ``quizzes.draw.draw_weighted`` draws a mock, mixed over the learner's uncertainty, and
``study_plan`` simulates the learner's queue up to an exam date.

**Group estimates** (``GroupEvidence``/``estimate``, older): per deck, topic and domain, the
mean retrievability now ("retenção prevista") joined with quiz accuracy like a beta prior
worth ``PRIOR_WEIGHT`` answers, with a 4-option guess ``GUESS``; they rank "what to study
next". ``exam_forecast`` is the former per-domain exam forecast, kept for
``readiness_calibration --model legacy`` (the BEFORE measurement).
"""

from __future__ import annotations

import math
import random
from array import array
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from operator import attrgetter, mul
from typing import NamedTuple

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS

from studyapp.quizzes import exam
from studyapp.quizzes.draw import quotas  # pure: the mock draw's own quota rule
from studyapp.quizzes.exam import fraction_for_score, scaled_score

DECAY = -DEFAULT_PARAMETERS[20]
FACTOR = 0.9 ** (1 / DECAY) - 1
GUESS = 0.25
PRIOR_WEIGHT = 10
Z80 = 1.2816  # two-sided 80 % interval


def retrievability(stability: float | None, last_review: datetime | None, now: datetime) -> float:
    """FSRS-6 retrievability with the default decay, as ``fsrs.Scheduler`` computes it
    (elapsed whole days). 0 when the card was never reviewed."""
    if last_review is None or not stability:
        return 0.0
    elapsed_days = max(0, (now - last_review).days)
    return (1 + FACTOR * elapsed_days / stability) ** DECAY


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


@dataclass
class GroupEvidence:
    """What is known about one group of decks (a topic, a domain or a deck)."""

    items: int = 0  # studiable items
    retrievability_sum: float = 0.0  # over the user's reviewed cards
    studied: int = 0  # items with at least one review
    answered: int = 0  # quiz answers
    correct: int = 0

    def add(self, other: GroupEvidence) -> None:
        self.items += other.items
        self.retrievability_sum += other.retrievability_sum
        self.studied += other.studied
        self.answered += other.answered
        self.correct += other.correct


@dataclass
class GroupEstimate:
    key: object
    label: str
    mastery: float  # mean retrievability over all items (never studied = 0)
    memory: float  # chance of a right answer from memory alone
    probability: float  # after quiz evidence
    sd: float
    items: int
    studied: int
    answered: int
    correct: int
    weight: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def quiz_accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None


def estimate(key, label: str, evidence: GroupEvidence, **extra) -> GroupEstimate:
    mastery = evidence.retrievability_sum / evidence.items if evidence.items else 0.0
    memory = GUESS + (1 - GUESS) * mastery
    weight = PRIOR_WEIGHT + evidence.answered
    probability = (PRIOR_WEIGHT * memory + evidence.correct) / weight
    sd = math.sqrt(probability * (1 - probability) / (weight + 1))
    return GroupEstimate(
        key=key,
        label=label,
        mastery=mastery,
        memory=memory,
        probability=probability,
        sd=sd,
        items=evidence.items,
        studied=evidence.studied,
        answered=evidence.answered,
        correct=evidence.correct,
        extra=extra,
    )


@dataclass
class ExamForecast:
    fraction: float
    sd: float
    score: int
    low: int
    high: int
    pass_mark: int
    pass_probability: float
    domains: list[GroupEstimate]

    def as_snapshot(self) -> dict:
        return {
            str(d.key): {"p": round(d.probability, 4), "weight": d.weight} for d in self.domains
        }


def exam_forecast(
    domains: list[GroupEstimate],
    *,
    pass_mark: int = exam.PASS_MARK,
    question_count: int = exam.QUESTION_COUNT,
) -> ExamForecast:
    """Combine per-domain estimates (``weight`` set on each) into a scaled-score forecast."""
    total_weight = sum(d.weight for d in domains) or 1.0
    fraction = 0.0
    variance = 0.0
    for domain in domains:
        w = domain.weight / total_weight
        p = domain.probability
        fraction += w * p
        variance += (w * domain.sd) ** 2 + w * p * (1 - p) / max(1, question_count)
    sd = math.sqrt(variance)
    pass_fraction = fraction_for_score(pass_mark)
    if sd > 0:
        pass_probability = normal_cdf((fraction - pass_fraction) / sd)
    else:
        pass_probability = 1.0 if fraction >= pass_fraction else 0.0
    return ExamForecast(
        fraction=fraction,
        sd=sd,
        score=scaled_score(fraction),
        low=scaled_score(fraction - Z80 * sd),
        high=scaled_score(fraction + Z80 * sd),
        pass_mark=pass_mark,
        pass_probability=pass_probability,
        domains=domains,
    )


# --- The item model (issue 13) ---------------------------------------------------------
#
# P(right at the exam) for each question a mock exam can draw:
#     p = g + (1 - g) · k
# g: the chance of a blind guess from the item's format (1/n single answer, 1/C(n, k) for
# "choose k of n", all-or-nothing); k: the chance the learner *knows* it on the exam day:
#   * studied items: FSRS retrievability projected to the exam day, with the learner's own
#     memory factor (how their reviews actually went against what FSRS predicted);
#   * never-studied items: the learner's prior knowledge (quiz answers on unstudied items);
#   then shifted by the quiz evidence on the item's topics (logit scale).
# Evidence fades with a half-life of ``HALF_LIFE_DAYS``. The score distribution follows the
# app's own mock draw (quotas per domain, unseen questions first) with the uncertainty of the
# learner's estimates mixed in.

HALF_LIFE_DAYS = 30.0
PRIOR_KNOWN = 0.15  # prior chance that a never-studied item is already known (0–30 % typical)
PRIOR_KNOWN_STRENGTH = 8.0  # worth this many (fresh) quiz answers on unstudied items
MEMORY_FACTOR_SD = 0.5  # prior sd of log(memory factor)
TOPIC_SHIFT_SD = 0.5  # prior sd of a topic's logit shift
MODEL_SD = 0.25  # structural error of a learner's knowledge, logit scale (calibrated)
EVIDENCE_LIMIT = 500  # most recent logged answers read per learner
_GRID_LOG_FACTOR = [i / 10 for i in range(-30, 31)]  # log memory factor −3 … 3
_GRID_KNOWN = [(i + 0.5) / 50 for i in range(50)]
# Gauss–Hermite (probabilists'), 3 points: exact for polynomials up to degree 5.
_NODES = ((-math.sqrt(3), 1 / 6), (0.0, 2 / 3), (math.sqrt(3), 1 / 6))


def guess_floor(options: int, correct: int) -> float:
    """Chance of a right blind guess: 1/n for one answer of n, 1/C(n, k) for k of n
    (scored all-or-nothing). 0 when the item has no wrong options (self-graded)."""
    if correct < 1 or options <= correct:
        return 0.0
    return 1 / math.comb(options, correct)


def recall(
    stability: float | None, elapsed_days: float, factor: float = 1.0, w20: float | None = None
) -> float:
    """FSRS-6 retrievability after ``elapsed_days`` whole days with stability × ``factor``;
    ``w20``: the learner's own decay (their trained parameters), else the default."""
    if not stability:
        return 0.0
    scale, power = _curve(w20)
    return (1 + scale * max(0.0, elapsed_days) / (stability * factor)) ** power


def _curve(w20: float | None) -> tuple[float, float]:
    """(scale, power) of the forgetting curve ``(1 + scale · days / stability) ** power``
    for the decay ``w20`` (None: FSRS-6's default)."""
    if w20 is None or w20 == -DECAY:
        return FACTOR, DECAY
    return 0.9 ** (-1 / w20) - 1, -w20


def evidence_weight(at: datetime, now: datetime) -> float:
    """Recency weight of an answer: 1 now, ½ after ``HALF_LIFE_DAYS``."""
    age = max(0.0, (now - at).total_seconds() / 86400)
    return 0.5 ** (age / HALF_LIFE_DAYS)


def _logit(p: float) -> float:
    p = min(1 - 1e-6, max(1e-6, p))
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    z = math.exp(x)
    return z / (1 + z)


@dataclass(frozen=True)
class BankItem:
    """A question a mock exam can draw (authored distractors, deck in the mock)."""

    id: int
    domains: frozenset[int]
    topics: frozenset[int] = frozenset()
    options: int = 4
    correct: int = 1
    weight: float = 1.0  # the mock profile's topic weight (0: never drawn)

    @property
    def guess(self) -> float:
        return guess_floor(self.options, self.correct)


class CardState(NamedTuple):
    """A study card's memory now (``stability`` None or ``last_review`` None: unstudied).
    Immutable; a named tuple: a dashboard rebuild makes one per card studied."""

    stability: float | None
    last_review: datetime | None


class Answer(NamedTuple):
    """One logged answer (a study review or a quiz answer) with the card's memory *before*
    it, as the review log keeps it. Immutable; a named tuple rather than a frozen dataclass
    because a dashboard rebuild makes 500 of them (a third of the cost)."""

    item_id: int
    at: datetime
    passed: bool
    stability: float | None  # before the answer; None: the card was new
    last_review: datetime | None
    quiz: bool = False
    rescheduled: bool = True  # False: a right quiz answer on a card not due (memory unchanged)


@dataclass
class Learner:
    """What the evidence says about the learner beyond the cards' FSRS state."""

    memory_factor: float = 1.0  # their stabilities are this many times FSRS's
    w20: float = -DECAY  # the forgetting curve's decay: their trained one, else the default
    memory_sd: float = MEMORY_FACTOR_SD  # of log(memory_factor)
    known: float = PRIOR_KNOWN  # chance a never-studied item is known
    known_sd: float = 0.0
    topic_shift: dict = field(default_factory=dict)  # topic id → logit shift
    reviews: float = 0.0  # weighted answers behind memory_factor
    quiz_unstudied: float = 0.0  # weighted quiz answers behind ``known``
    # Quiz answers logged without rescheduling (the card was new or not due): the memory
    # model did not take them in. item id → (answered at, weight, right).
    item_quiz: dict = field(default_factory=dict)


def _grid_posterior(grid, log_prior, loglik):
    logs = [lp + ll for lp, ll in zip(log_prior, loglik, strict=True)]
    top = max(logs)
    weights = [math.exp(v - top) for v in logs]
    total = sum(weights)
    mean = sum(w * x for w, x in zip(weights, grid, strict=True)) / total
    var = sum(w * (x - mean) ** 2 for w, x in zip(weights, grid, strict=True)) / total
    return mean, math.sqrt(var)


_GRID_FACTORS = [math.exp(log_factor) for log_factor in _GRID_LOG_FACTOR]
_LOGLIK_LIMIT = 8192  # answers' columns kept per process (~5 MB)
_loglik_memo: dict[tuple, array] = {}


def _answer_loglik(stability: float, days: int, passed: bool, guess: float, curve) -> array:
    """log P(the answer) at each memory factor of the grid: what ``recall`` gives (the same
    operations, in the same order), clamped. A pure function of its arguments, so it is
    kept per process (never stale: no data in the key that can change, only values): after
    an answer only the new answer's column is computed, not 61 × up to EVIDENCE_LIMIT."""
    key = (stability, days, passed, guess, curve)
    column = _loglik_memo.get(key)
    if column is None:
        scale, power = curve
        scaled = scale * max(0.0, days)
        unguessed = 1 - guess
        low, high, log = 1e-4, 1 - 1e-4, math.log
        recalled = [
            guess + unguessed * (1 + scaled / (stability * f)) ** power for f in _GRID_FACTORS
        ]
        clamped = [high if p > high else low if p < low else p for p in recalled]
        column = array("d", [log(p) for p in clamped] if passed else [log(1 - p) for p in clamped])
        if len(_loglik_memo) >= _LOGLIK_LIMIT:
            _loglik_memo.clear()
        _loglik_memo[key] = column
    return column


def learner_estimate(
    answers: list[Answer], bank: dict[int, BankItem], *, now: datetime, w20: float | None = None
) -> Learner:
    """Fit the learner's memory factor, prior knowledge and topic shifts (pure, fast).
    ``w20``: the decay of the learner's trained FSRS parameters (None: the default)."""
    learner = Learner(w20=w20 if w20 else -DECAY)
    # 1. Memory factor: answers on studied cards at least a day after the last review.
    memory = []
    unstudied = []
    for answer in answers:
        weight = evidence_weight(answer.at, now)
        guess = bank[answer.item_id].guess if answer.quiz and answer.item_id in bank else 0.0
        if answer.stability and answer.last_review is not None:
            days = (answer.at - answer.last_review).days
            if days >= 1:
                memory.append((answer.stability, days, answer.passed, guess, weight))
        elif answer.quiz and answer.item_id in bank:
            unstudied.append((answer.passed, guess, weight))
    if memory:
        curve = _curve(learner.w20)
        weights = [weight for *_answer, weight in memory]
        columns = [
            _answer_loglik(stability, days, passed, guess, curve)
            for stability, days, passed, guess, _weight in memory
        ]
        # Each grid node's sum over the answers, in the answers' order (the same additions
        # as a loop; zip/map run them in C): one row of the transposed columns per node.
        loglik = [sum(map(mul, weights, row), 0.0) for row in zip(*columns, strict=True)]
        prior = [-(x**2) / (2 * MEMORY_FACTOR_SD**2) for x in _GRID_LOG_FACTOR]
        mean, sd = _grid_posterior(_GRID_LOG_FACTOR, prior, loglik)
        learner.memory_factor, learner.memory_sd = math.exp(mean), sd
        learner.reviews = sum(row[-1] for row in memory)
    # 2. Prior knowledge: quiz answers on items never studied before the answer.
    a = PRIOR_KNOWN * PRIOR_KNOWN_STRENGTH
    b = (1 - PRIOR_KNOWN) * PRIOR_KNOWN_STRENGTH
    prior = [(a - 1) * math.log(x) + (b - 1) * math.log(1 - x) for x in _GRID_KNOWN]
    loglik = [
        sum(w * math.log(g + (1 - g) * x if ok else (1 - g) * (1 - x)) for ok, g, w in unstudied)
        for x in _GRID_KNOWN
    ]
    learner.known, learner.known_sd = _grid_posterior(_GRID_KNOWN, prior, loglik)
    learner.quiz_unstudied = sum(row[-1] for row in unstudied)
    # 3. Topic shifts: one Newton step on the quiz residuals of each topic's questions;
    #    the latest quiz answer on each item that its card's memory did not take in.
    score: dict[int, float] = defaultdict(float)
    info: dict[int, float] = defaultdict(float)
    for answer in answers:
        item = bank.get(answer.item_id)
        if not answer.quiz or item is None:
            continue
        weight = evidence_weight(answer.at, now)
        if not answer.rescheduled:
            latest = learner.item_quiz.get(answer.item_id)
            if latest is None or answer.at > latest[0]:
                learner.item_quiz[answer.item_id] = (answer.at, weight, answer.passed)
        if answer.stability and answer.last_review is not None:
            days = (answer.at - answer.last_review).days
            k = recall(answer.stability, days, learner.memory_factor, learner.w20)
        else:
            k = learner.known
        k = min(1 - 1e-4, max(1e-4, k))
        g = item.guess
        p = g + (1 - g) * k
        slope = (1 - g) * k * (1 - k)  # dp / d logit(k)
        for topic in item.topics:
            score[topic] += weight * (float(answer.passed) - p) * slope / (p * (1 - p))
            info[topic] += weight * slope**2 / (p * (1 - p))
    learner.topic_shift = {
        topic: score[topic] / (info[topic] + 1 / TOPIC_SHIFT_SD**2) for topic in score
    }
    return learner


def knowledge(
    item: BankItem,
    card: CardState | None,
    learner: Learner,
    *,
    when: datetime,
    factor: float | None = None,
    known: float | None = None,
    shift: float = 0.0,
) -> float:
    """Chance the learner knows ``item`` at ``when`` (before the guess floor)."""
    factor = learner.memory_factor if factor is None else factor
    known = learner.known if known is None else known
    if card is not None and card.stability and card.last_review is not None:
        base = recall(card.stability, (when - card.last_review).days, factor, learner.w20)
    else:
        base = known
    logit = _logit(base) + shift + _topic_shift(item, learner)
    return _after_quiz(_sigmoid(logit), _quiz_answer(item, card, learner), item.guess)


def _topic_shift(item: BankItem, learner: Learner) -> float:
    topics = [learner.topic_shift[t] for t in item.topics if t in learner.topic_shift]
    return sum(topics) / len(topics) if topics else 0.0


def _quiz_answer(item: BankItem, card: CardState | None, learner: Learner):
    """The latest quiz answer on the item that its card's memory did not take in (given
    after the last review), or None."""
    quiz = learner.item_quiz.get(item.id)
    last = card.last_review if card is not None else None
    return quiz if quiz is not None and (last is None or quiz[0] > last) else None


def _after_quiz(k: float, quiz, g: float) -> float:
    """``k`` after the quiz answer its memory missed: right → P(known | right) =
    k / (k + (1 − k)·g); wrong → 0; mixed with k by the answer's recency weight."""
    if quiz is None:
        return k
    _at, weight, right = quiz
    posterior = k / (k + (1 - k) * g) if right and k + (1 - k) * g > 0 else 0.0
    return (1 - weight) * k + weight * posterior


def _chance_grid(item, card, guess, learner, *, when, bases, shifts) -> list[list[float]]:
    """``item_probability(item, knowledge(...))`` at every (base node, shift node): the
    same operations as :func:`knowledge`, each intermediate computed once. ``bases``: the
    memory factors for a studied card, else the prior knowledge values."""
    if card is not None and card.stability and card.last_review is not None:
        # _logit(recall(card.stability, days, f, learner.w20)) for each f, inlined (the same
        # operations in the same order): a rebuild makes one grid per studied card.
        stability, log = card.stability, math.log
        scale, power = _curve(learner.w20)
        scaled = scale * max(0.0, (when - card.last_review).days)
        logits = []
        for f in bases:
            p = (1 + scaled / (stability * f)) ** power
            p = min(1 - 1e-6, max(1e-6, p))
            logits.append(log(p / (1 - p)))
    else:
        logits = [_logit(known) for known in bases]
    mean = _topic_shift(item, learner)
    quiz = _quiz_answer(item, card, learner)
    if quiz is not None:
        return [
            [
                guess + (1 - guess) * _after_quiz(_sigmoid(lb + shift + mean), quiz, guess)
                for shift in shifts
            ]
            for lb in logits
        ]
    # No quiz answer: _after_quiz(k, None, g) is k; _sigmoid inlined (the same operations).
    exp, unguessed, rows = math.exp, 1 - guess, []
    for lb in logits:
        row = []
        for shift in shifts:
            x = lb + shift + mean
            if x >= 0:
                k = 1 / (1 + exp(-x))
            else:
                z = exp(x)
                k = z / (1 + z)
            row.append(guess + unguessed * k)
        rows.append(row)
    return rows


def item_probability(item: BankItem, k: float) -> float:
    g = item.guess
    return g + (1 - g) * k


@dataclass(frozen=True)
class DrawGroup:
    """Questions of one domain and tier: ``take`` of them are drawn (all when equal)."""

    domain: int | None
    items: tuple[BankItem, ...]
    take: int


def draw_plan(
    bank: list[BankItem], *, tiers: dict[int, int], weights: dict[int, float], count: int
) -> list[DrawGroup]:
    """What ``quizzes.draw.draw_weighted`` draws, as groups: per domain its quota from the
    questions never answered in a quiz, then those last answered wrong, then right; the
    group where the quota runs out is sampled (by topic weight)."""
    pool = sorted((item for item in bank if item.weight > 0), key=lambda item: item.id)
    available = {d: [item for item in pool if d in item.domains] for d in weights}
    positive = {d: w for d, w in weights.items() if w > 0 and available[d]}
    target = quotas(positive, min(count, len(pool)))
    order = sorted(target, key=lambda d: (len(available[d]) / max(target[d], 1), d))
    taken: set[int] = set()
    plan: list[DrawGroup] = []
    drawn = 0

    def take_from(candidates, need, domain):
        nonlocal drawn
        for tier in sorted({tiers.get(item.id, 0) for item in candidates}):
            if need <= 0:
                break
            group = tuple(item for item in candidates if tiers.get(item.id, 0) == tier)
            amount = min(need, len(group))
            plan.append(DrawGroup(domain, group, amount))
            taken.update(item.id for item in group)
            need -= amount
            drawn += amount
        return need

    for domain in order:
        take_from([i for i in available[domain] if i.id not in taken], target[domain], domain)
    if drawn < count:
        take_from([i for i in pool if i.id not in taken], count - drawn, None)
    return plan


def _group_moments(group: DrawGroup, probability: dict[int, float]) -> tuple[float, float]:
    ps = [probability[item.id] for item in group.items]
    n, m = len(ps), group.take
    if m >= n:
        return sum(ps), sum(p * (1 - p) for p in ps)
    if m <= 0:
        return 0.0, 0.0
    total_weight = sum(item.weight for item in group.items)
    shares = [item.weight / total_weight for item in group.items]
    mean_p = sum(s * p for s, p in zip(shares, ps, strict=True))
    spread = sum(s * (p - mean_p) ** 2 for s, p in zip(shares, ps, strict=True))
    # m drawn without replacement from n: the luck of the draw and of the answers.
    var = m * mean_p * (1 - mean_p) - m * (m - 1) / max(1, n - 1) * spread
    return m * mean_p, max(var, 0.0)


def _tally_moments(tally: tuple, probability: dict) -> tuple[float, float]:
    """:func:`_group_moments` of a group counted by kinds (the same figures)."""
    m, n, total_weight, rows = tally
    if m >= n:
        return (
            sum(count * probability[kind] for kind, count, _w in rows),
            sum(count * probability[kind] * (1 - probability[kind]) for kind, count, _w in rows),
        )
    if m <= 0:
        return 0.0, 0.0
    kinds = [kind for kind, _n, _weight in rows]
    shares = [weight / total_weight for _kind, _n, weight in rows]
    return _sampled_moments(m, n, kinds, shares, probability)


def _sampled_moments(m, n, kinds, shares, probability: dict) -> tuple[float, float]:
    """:func:`_tally_moments` of a group drawn in part (0 < m < n), with each row's kind and
    share of the group's weight (weight / total weight) given: the same operations."""
    ps = [probability[kind] for kind in kinds]
    mean_p = sum([share * p for share, p in zip(shares, ps, strict=True)])
    spread = sum([share * (p - mean_p) ** 2 for share, p in zip(shares, ps, strict=True)])
    var = m * mean_p * (1 - mean_p) - m * (m - 1) / max(1, n - 1) * spread
    return m * mean_p, max(var, 0.0)


@dataclass(frozen=True)
class DrawFrame:
    """What :func:`score_forecast` reads of the mock draw for one bank, tiers, domain weights
    and question count, counted by the kind of item the model tells apart when nothing is
    known of it (its topics and guess floor): each draw group (its domain, tier, how many are
    drawn, its size and weight, and its items by kind) and each exam domain's questions by
    kind. Small (groups × kinds), so it is kept with the learner's quiz figures; the items a
    learner studied or answered in a quiz are taken out of their kind per forecast, so a
    forecast costs O(kinds + those items), not O(bank)."""

    weights: tuple  # the domain weights it was built for, sorted
    count: int
    groups: tuple  # (domain or None, tier, take, size, total weight, ((kind, n, weight), …))
    domains: tuple  # (domain, questions, ((kind, n), …)) for each weighted domain with some
    by_id: bool  # the bank is sorted by id (its items are found by bisection)


def content_kind(item: BankItem) -> tuple:
    """The kind of an item nothing is known of (no memory, no quiz answer of its own)."""
    return (item.topics, item.options, item.correct)


def draw_frame(
    bank: list[BankItem], *, tiers: dict[int, int], weights: dict[int, float], count: int
) -> DrawFrame:
    """The :class:`DrawFrame` of ``bank`` (O(bank))."""
    groups = []
    for group in draw_plan(bank, tiers=tiers, weights=weights, count=count):
        rows: dict = {}
        total = 0.0
        for item in group.items:
            row = rows.setdefault(content_kind(item), [0, 0.0])
            row[0] += 1
            row[1] += item.weight
            total += item.weight
        tier = tiers.get(group.items[0].id, 0) if group.items else 0
        kinds = tuple((kind, n, w) for kind, (n, w) in rows.items())
        groups.append((group.domain, tier, group.take, len(group.items), total, kinds))
    domains: dict[int, dict] = {}
    for item in bank:
        for d in item.domains:
            if d in weights:
                kinds = domains.setdefault(d, {})
                kind = content_kind(item)
                kinds[kind] = kinds.get(kind, 0) + 1
    return DrawFrame(
        weights=tuple(sorted(weights.items())),
        count=count,
        groups=tuple(groups),
        domains=tuple(
            (d, sum(domains[d].values()), tuple(domains[d].items()))
            for d in weights
            if d in domains
        ),
        by_id=all(a.id < b.id for a, b in zip(bank, bank[1:], strict=False)),
    )


def _group_of(frame: DrawFrame, item: BankItem, tier: int) -> int | None:
    """The index of the draw group ``item`` falls in (``draw_plan``'s rule: the first group,
    in the plan's order, of one of its domains or the final fill, at its tier), or None."""
    if item.weight <= 0:
        return None
    for index, (domain, group_tier, *_rest) in enumerate(frame.groups):
        if group_tier == tier and (domain is None or domain in item.domains):
            return index
    return None


@dataclass
class ScoreForecast:
    """The score of a mock exam drawn as the app draws it."""

    count: int
    expected: float  # expected number right
    median: int  # scaled
    low: int  # 80 % range (10th and 90th percentiles)
    high: int
    pass_mark: int
    pass_probability: float
    cdf: list[float]  # P(number right ≤ t), t = 0 … count
    learner: Learner | None = None
    domain_chances: dict = field(default_factory=dict)  # domain → mean P(right) of its questions
    domains: list = field(default_factory=list)  # GroupEstimate rows, set by the selectors
    # What ``probabilities`` is computed from (not kept when pickled: the bank is large).
    _bank: list = field(default_factory=list, repr=False, compare=False)
    _chance: object = field(default=None, repr=False, compare=False)

    @property
    def probabilities(self) -> dict:
        """{item id: P(right)} for every question of the bank (computed when read)."""
        return {item.id: self._chance(item) for item in self._bank} if self._chance else {}

    def __getstate__(self):
        return {**self.__dict__, "_bank": [], "_chance": None}

    def as_snapshot(self) -> dict:
        return {
            str(d.key): {"p": round(d.probability, 4), "weight": d.weight} for d in self.domains
        }

    @property
    def score(self) -> int:
        return self.median

    @property
    def fraction(self) -> float:
        return self.expected / self.count if self.count else 0.0


def _quantile(cdf: list[float], q: float) -> int:
    """The median (q = ½): the smallest t with P(T ≤ t) ≥ ½. The ends of the 80 % range:
    the t whose one-sided probability is nearest to ``q`` — P(T < t) for the low end,
    P(T ≤ t) for the high end — so that [low, high] holds about 80 % of the outcomes even
    though the number right is discrete."""
    if q == 0.5:
        return next(t for t, c in enumerate(cdf) if c >= 0.5 - 1e-12)
    if q < 0.5:
        below = [0.0, *cdf[:-1]]
        return min(range(len(cdf)), key=lambda t: (abs(below[t] - q), t))
    return min(range(len(cdf)), key=lambda t: (abs(cdf[t] - q), -t))


def score_forecast(
    bank: list[BankItem],
    cards: dict[int, CardState],
    learner: Learner,
    *,
    when: datetime,
    tiers: dict[int, int] | None = None,
    weights: dict[int, float] | None = None,
    count: int = exam.QUESTION_COUNT,
    pass_mark: int = exam.PASS_MARK,
    frame: DrawFrame | None = None,
) -> ScoreForecast:
    """Distribution of the number right in a mock exam taken at ``when``: a mixture over the
    learner's uncertain memory factor, prior knowledge and the model's own error, each
    component the sum of the drawn questions' Bernoulli answers (normal, continuity
    corrected). ``frame``: the :func:`draw_frame` of this bank and ``tiers`` when kept
    (built here otherwise, O(bank))."""
    tiers = tiers or {}
    weights = weights if weights is not None else dict(exam.DOMAIN_WEIGHTS)
    if frame is None or frame.weights != tuple(sorted(weights.items())) or frame.count != count:
        frame = draw_frame(bank, tiers=tiers, weights=weights, count=count)
    count = sum(take for _domain, _tier, take, *_rest in frame.groups)
    # Items the model cannot tell apart share one computation: O(kinds), not O(items). An
    # item studied, or answered in a quiz its memory missed, is a kind of its own.
    own_ids = {
        item_id
        for item_id, card in cards.items()
        if card is not None and card.stability and card.last_review is not None
    }
    own_ids.update(learner.item_quiz)
    own = _bank_items(bank, own_ids, frame.by_id)
    kinds: dict = {}  # kind → (item, card) as knowledge() reads it
    taken: dict = defaultdict(lambda: defaultdict(lambda: [0, 0.0]))  # group → kind → out
    own_rows: dict = defaultdict(list)
    out_of_domain: dict = defaultdict(lambda: defaultdict(int))
    group_of: dict = {}  # _group_of reads the weight's sign, the tier and the domains only
    for item in own:
        kind = content_kind(item)
        tier = tiers.get(item.id, 0)
        key = (item.weight > 0, tier, item.domains)
        if key not in group_of:
            group_of[key] = _group_of(frame, item, tier)
        index = group_of[key]
        if index is not None:
            row = taken[index][kind]
            row[0] += 1
            row[1] += item.weight
            own_rows[index].append((item.id, 1, item.weight))
        for d in item.domains:
            out_of_domain[d][kind] += 1
        kinds[item.id] = (item, cards.get(item.id))
    tallies = []
    for index, (_domain, _tier, take, size, total, rows) in enumerate(frame.groups):
        out = taken.get(index, {})
        kept = []
        for kind, n, w in rows:
            if kind in out:
                n, w = n - out[kind][0], w - out[kind][1]
            if n > 0:
                kept.append((kind, n, w))
                if kind not in kinds:
                    kinds[kind] = (_unknown_item(kind), None)
        tallies.append((take, size, total, kept + own_rows.get(index, [])))
    drawn_kinds = {kind: kinds[kind] for _take, _n, _total, rows in tallies for kind, *_ in rows}
    # A studied item's knowledge reads the memory factor, never the prior knowledge; any
    # other item's reads the prior knowledge, never the memory factor: each kind is
    # computed once per pair of nodes it reads (9, not 27; the same values).
    studied = {
        kind: (item, card, item.guess)
        for kind, (item, card) in drawn_kinds.items()
        if card is not None and card.stability and card.last_review is not None
    }
    others = {
        kind: (item, card, item.guess)
        for kind, (item, card) in drawn_kinds.items()
        if kind not in studied
    }
    factors = [learner.memory_factor * math.exp(z * learner.memory_sd) for z, _w in _NODES]
    knowns = [min(0.999, max(0.001, learner.known + z * learner.known_sd)) for z, _w in _NODES]
    shifts = [z * MODEL_SD for z, _w in _NODES]

    def chances(group: dict, bases: list[float]) -> dict:
        """{kind: its grid}: P(right) at each (base node, shift node)."""
        return {
            kind: _chance_grid(item, card, guess, learner, when=when, bases=bases, shifts=shifts)
            for kind, (item, card, guess) in group.items()
        }

    by_memory = chances(studied, factors)
    by_known = chances(others, knowns)
    components = _components(tallies, by_memory, by_known)
    # The center node (z = 0 on each axis) is the learner's point estimate: there the grids
    # hold what knowledge() and item_probability() give each drawn kind (the same
    # operations on the same values, checked here), so those are read, not computed again.
    center = len(_NODES) // 2
    by_kind: dict = {}
    if shifts[center] == 0.0:
        if factors[center] == learner.memory_factor:
            by_kind.update((kind, grid[center][center]) for kind, grid in by_memory.items())
        if knowns[center] == learner.known:
            by_kind.update((kind, grid[center][center]) for kind, grid in by_known.items())

    def kind_chance(kind) -> float:
        """P(right) at ``when`` with the learner's estimates, once per kind."""
        if kind not in by_kind:
            if kind not in kinds:
                kinds[kind] = (_unknown_item(kind), None)
            known_item, card = kinds[kind]
            by_kind[kind] = item_probability(
                known_item, knowledge(known_item, card, learner, when=when)
            )
        return by_kind[kind]

    def chance(item: BankItem) -> float:
        return kind_chance(item.id if item.id in own_ids else content_kind(item))

    chances = {}
    for d, questions, rows in frame.domains:
        out = out_of_domain.get(d, {})
        total = 0.0
        for kind, n in rows:
            n -= out.get(kind, 0)
            if n > 0:
                total += n * kind_chance(kind)
        for item in own:
            if d in item.domains:
                total += kind_chance(item.id)
        chances[d] = total / questions
    # normal_cdf inlined (the same operations): count + 1 points × 27 components.
    erf, root2 = math.erf, math.sqrt(2)
    cdf = [
        sum([w * (0.5 * (1 + erf((t + 0.5 - mean) / sd / root2))) for w, mean, sd in components])
        for t in range(count + 1)
    ]
    cdf = [min(1.0, c) for c in cdf]
    cdf[-1] = 1.0
    expected = sum(w * mean for w, mean, _sd in components)
    pass_count = _pass_count(count, pass_mark)
    pass_probability = 1.0 - (cdf[pass_count - 1] if pass_count >= 1 else 0.0)
    if pass_count > count:
        pass_probability = 0.0
    return ScoreForecast(
        count=count,
        expected=expected,
        median=scaled_score(_quantile(cdf, 0.5), count or 1),
        low=scaled_score(_quantile(cdf, 0.1), count or 1),
        high=scaled_score(_quantile(cdf, 0.9), count or 1),
        pass_mark=pass_mark,
        pass_probability=max(0.0, min(1.0, pass_probability)),
        cdf=cdf,
        learner=learner,
        domain_chances=chances,
        _bank=bank,
        _chance=chance,
    )


def _components(tallies: list, by_memory: dict, by_known: dict) -> list[tuple]:
    """The mixture's components, (weight, mean, sd) of the number right, one per node of
    (memory factor, prior knowledge, model error), in that order; ``by_memory`` and
    ``by_known``: {kind: grid} of the studied kinds and the others.

    A studied kind's chance reads the memory and model nodes only, any other kind's the
    prior-knowledge and model nodes: so each tally's rows are cut into runs of one source
    and each run's terms (count·p, count·p·(1 − p), share·p) are computed once per pair of
    nodes it reads (9), not per component (27). A component's list of terms is its runs'
    lists joined, in the rows' order: every sum adds the same terms in the same order as
    :func:`_tally_moments` and :func:`_sampled_moments` (the same figures, bit for bit)."""
    pairs = [(i, j) for i in range(len(_NODES)) for j in range(len(_NODES))]
    plans = []  # per tally: (kind of tally, m, n, shares, runs)
    for m, n, total_weight, rows in tallies:
        if not 0 < m < n and m < n:  # m <= 0: _tally_moments' nothing drawn
            plans.append(("none", m, n, None, ()))
            continue
        sampled = 0 < m < n
        runs: list = []  # (studied, [(kind, count or share)])
        for kind, count, weight in rows:
            studied = kind in by_memory
            value = weight / total_weight if sampled else count
            if not runs or runs[-1][0] != studied:
                runs.append((studied, []))
            runs[-1][1].append((kind, value))
        built = []
        for studied, members in runs:
            grids = [(by_memory if studied else by_known)[kind] for kind, _value in members]
            values = [value for _kind, value in members]
            terms = {}
            for i, j in pairs:
                ps = [grid[i][j] for grid in grids]
                if sampled:
                    terms[i, j] = (ps, [share * p for share, p in zip(values, ps, strict=True)])
                else:
                    firsts = [count * p for count, p in zip(values, ps, strict=True)]
                    terms[i, j] = (
                        firsts,
                        [c * p * (1 - p) for c, p in zip(values, ps, strict=True)],
                    )
            built.append((studied, terms))
        shares = [weight / total_weight for _kind, _n, weight in rows] if sampled else None
        plans.append(("sampled" if sampled else "full", m, n, shares, built))

    def joined(runs, index: int, memory_key, known_key) -> list:
        if len(runs) == 1:
            studied, terms = runs[0]
            return terms[memory_key if studied else known_key][index]
        out: list = []
        for studied, terms in runs:
            out += terms[memory_key if studied else known_key][index]
        return out

    components = []
    for i_memory, (_z_memory, w_memory) in enumerate(_NODES):
        for i_known, (_z_known, w_known) in enumerate(_NODES):
            for i_model, (_z_model, w_model) in enumerate(_NODES):
                memory_key, known_key = (i_memory, i_model), (i_known, i_model)
                mean = var = 0.0
                for kind, m, n, shares, runs in plans:
                    if kind == "none":
                        a, v = 0.0, 0.0
                    elif kind == "full":
                        a = sum(joined(runs, 0, memory_key, known_key))
                        v = sum(joined(runs, 1, memory_key, known_key))
                    else:
                        ps = joined(runs, 0, memory_key, known_key)
                        mean_p = sum(joined(runs, 1, memory_key, known_key))
                        spread = sum(
                            [share * (p - mean_p) ** 2 for share, p in zip(shares, ps, strict=True)]
                        )
                        v = m * mean_p * (1 - mean_p) - m * (m - 1) / max(1, n - 1) * spread
                        a, v = m * mean_p, max(v, 0.0)
                    mean += a
                    var += v
                components.append((w_memory * w_known * w_model, mean, math.sqrt(var + 1e-9)))
    return components


@lru_cache(maxsize=64)
def _pass_count(count: int, pass_mark: int) -> int:
    """The fewest right answers of ``count`` that score ``pass_mark`` (count + 1: none).
    A pure function of its arguments (kept per process: a handful of profiles)."""
    return next(
        (t for t in range(count + 1) if scaled_score(t, count or 1) >= pass_mark), count + 1
    )


def _bank_items(bank: list[BankItem], ids: set[int], by_id: bool) -> list[BankItem]:
    """The items of ``bank`` whose ids are in ``ids``, in bank order (by bisection when the
    bank is sorted by id: O(len(ids) · log(bank)))."""
    if not by_id:
        return [item for item in bank if item.id in ids]
    found = []
    key = attrgetter("id")
    for item_id in sorted(ids):
        at = bisect_left(bank, item_id, key=key)
        if at < len(bank) and bank[at].id == item_id:
            found.append(bank[at])
    return found


def _unknown_item(kind: tuple) -> BankItem:
    """An item of ``kind`` with no answer of its own: what knowledge() reads of any of them."""
    topics, options, correct = kind
    return BankItem(id=-1, domains=frozenset(), topics=topics, options=options, correct=correct)


# --- Exam date and daily plan ---------------------------------------------------------------

PLAN_TARGET = 0.9  # the pass probability a plan aims for
PLAN_DIFFICULTY = 5.0  # FSRS difficulty assumed for cards in the simulation


# The work bound: a simulation takes at most PLAN_STEPS steps whatever the horizon (an exam
# can be 3 years away): day by day for the first and the last PLAN_EDGE_DAYS days (the load
# now, the memory at the exam), in equal coarser steps between. Each step looks at every
# card once, so one run is at most PLAN_STEPS × cards card-steps, and a plan at most
# PLAN_MAX_RUNS runs (the current pace, ≤ 6 paces, ≤ 6 extra horizons, each run once).
PLAN_EDGE_DAYS = 21
PLAN_STEPS = 100
PLAN_MAX_RUNS = 13


@dataclass
class QueueRun:
    """A simulated study period: each card's memory at its end and the reviews it took."""

    memory: dict[int, CardState]
    reviews_per_day: float
    new_per_day: float
    card_steps: int = 0  # cards looked at, summed over the steps (the work done)


def plan_steps(days: int) -> list[tuple[int, int]]:
    """The simulated steps of a ``days``-long period: (first day, days it stands for); at
    most ``PLAN_STEPS``, daily at both ends."""
    if days <= PLAN_STEPS:
        return [(day, 1) for day in range(days)]
    middle_start, middle_end = PLAN_EDGE_DAYS, days - PLAN_EDGE_DAYS
    span = math.ceil((middle_end - middle_start) / (PLAN_STEPS - 2 * PLAN_EDGE_DAYS))
    steps = [(day, 1) for day in range(middle_start)]
    steps += [(day, min(span, middle_end - day)) for day in range(middle_start, middle_end, span)]
    return steps + [(day, 1) for day in range(middle_end, days)]


def simulate_queue(
    memory: dict[int, CardState],
    due: dict[int, datetime],
    unstudied: list[int],
    learner: Learner,
    *,
    start: datetime,
    days: int,
    new_per_day: float,
    seed: int = 1,
    desired_retention: float = 0.9,
    parameters: tuple[float, ...] | None = None,
) -> QueueRun:
    """FSRS simulation of the learner's own queue: every study day (all ``days``) the cards
    due are reviewed (recalled with the learner's projected retrievability: Good, else Again
    and relearned) and ``new_per_day`` new cards are learned (in ``unstudied`` order), with
    the app's scheduler settings (FSRS-6 defaults, no fuzz)."""
    scheduler = fsrs.Scheduler(
        **({"parameters": parameters} if parameters else {}),
        desired_retention=desired_retention,
        enable_fuzzing=False,
        learning_steps=(),
    )
    rng = random.Random(seed)
    cards: dict[int, fsrs.Card] = {}
    for item_id, state in memory.items():
        if state.stability and state.last_review is not None:
            cards[item_id] = fsrs.Card(
                card_id=item_id,
                state=fsrs.State.Review,
                step=None,
                stability=state.stability,
                difficulty=PLAN_DIFFICULTY,
                due=due.get(item_id) or state.last_review + timedelta(days=state.stability),
                last_review=state.last_review,
            )
    queue = list(unstudied)
    reviews = 0
    credit = 0.0
    card_steps = 0
    for day, span in plan_steps(days):
        moment = start + timedelta(days=day)
        card_steps += len(cards)
        for item_id, card in list(cards.items()):
            if card.due > moment:
                continue
            elapsed = (moment - card.last_review).days
            chance = recall(card.stability, elapsed, learner.memory_factor, learner.w20)
            remembered = rng.random() < chance
            rating = fsrs.Rating.Good if remembered else fsrs.Rating.Again
            card, _log = scheduler.review_card(card, rating, review_datetime=moment)
            if not remembered:  # relearned the same day
                card, _log = scheduler.review_card(
                    card, fsrs.Rating.Good, review_datetime=moment + timedelta(minutes=10)
                )
            # A coarse step reviews a card once; its interval adds the reviews it would bring.
            interval = max(1, (card.due - moment).days)
            reviews += (1 if remembered else 2) + max(0.0, span / interval - 1)
            cards[item_id] = card
        credit += new_per_day * span
        while credit >= 1 and queue:
            credit -= 1
            item_id = queue.pop(0)
            knew = rng.random() < learner.known
            card = fsrs.Card(card_id=item_id, due=moment)
            card, _log = scheduler.review_card(
                card, fsrs.Rating.Easy if knew else fsrs.Rating.Good, review_datetime=moment
            )
            cards[item_id] = card
    final = {
        item_id: CardState(card.stability, card.last_review) for item_id, card in cards.items()
    }
    for item_id, state in memory.items():
        final.setdefault(item_id, state)
    return QueueRun(final, reviews / max(1, days), new_per_day, card_steps)


@dataclass
class Plan:
    exam_at: datetime
    days_left: int
    unstudied: int
    current_pace: float  # new cards per day lately
    at_current_pace: ScoreForecast
    current_reviews: float
    needed_new: int | None = None  # new cards per day to cover the bank and pass ≥ 0.9
    needed_reviews: float | None = None
    at_needed_pace: ScoreForecast | None = None
    reachable: bool = False
    best: ScoreForecast | None = None  # everything learned tomorrow: the most within reach
    days_needed: int | None = None  # days of study that would reach the target (if not)

    @property
    def target(self) -> float:
        return PLAN_TARGET


def study_plan(
    bank: list[BankItem],
    memory: dict[int, CardState],
    due: dict[int, datetime],
    learner: Learner,
    *,
    unstudied: list[int],
    now: datetime,
    exam_at: datetime,
    current_pace: float,
    tiers: dict[int, int] | None = None,
    weights: dict[int, float] | None = None,
    count: int = exam.QUESTION_COUNT,
    pass_mark: int = exam.PASS_MARK,
    desired_retention: float = 0.9,
    parameters: tuple[float, ...] | None = None,
    frame: DrawFrame | None = None,
) -> Plan:
    """The forecast at the exam date at the current pace, and the pace needed (new cards a
    day, and the reviews a day it brings) to learn every card by then and pass with
    probability ≥ ``PLAN_TARGET`` — or, when no pace gets there, what would. ``frame``:
    the bank's :func:`draw_frame` for these tiers (built once here otherwise)."""
    days = max(0, (exam_at.date() - now.date()).days)
    weights = weights if weights is not None else dict(exam.DOMAIN_WEIGHTS)
    if frame is None:
        frame = draw_frame(bank, tiers=tiers or {}, weights=weights, count=count)

    runs: dict[tuple[float, int], tuple[QueueRun, ScoreForecast]] = {}

    def run(pace: float, horizon: int = days) -> tuple[QueueRun, ScoreForecast]:
        if (pace, horizon) in runs:  # seeded: the same run gives the same result
            return runs[pace, horizon]
        queue = simulate_queue(
            memory,
            due,
            unstudied,
            learner,
            start=now,
            days=horizon,
            new_per_day=pace,
            desired_retention=desired_retention,
            parameters=parameters,
        )
        forecast = score_forecast(
            bank,
            queue.memory,
            learner,
            when=now + timedelta(days=horizon),
            tiers=tiers,
            weights=weights,
            count=count,
            pass_mark=pass_mark,
            frame=frame,
        )
        runs[pace, horizon] = queue, forecast
        return queue, forecast

    current_queue, current = run(current_pace)
    plan = Plan(
        exam_at=exam_at,
        days_left=days,
        unstudied=len(unstudied),
        current_pace=current_pace,
        at_current_pace=current,
        current_reviews=current_queue.reviews_per_day,
    )
    if current.pass_probability >= PLAN_TARGET and not unstudied:
        plan.reachable = True  # nothing new left and already there: keep reviewing
        return plan
    # At least enough to see every card by the day before the exam.
    cover = math.ceil(len(unstudied) / max(1, days - 1)) if unstudied else 0
    paces = sorted({cover, *(cover * f for f in (1.5, 2, 3, 5)), len(unstudied) or cover})
    # The fastest pace first: when even it falls short, no slower one is tried.
    if days >= 1 and run(paces[-1])[1].pass_probability < PLAN_TARGET:
        plan.best = run(paces[-1])[1]
        paces = []
    for pace in paces if days >= 1 else ():
        queue, forecast = run(pace)
        if forecast.pass_probability >= PLAN_TARGET:
            plan.needed_new = math.ceil(pace)
            plan.needed_reviews = queue.reviews_per_day
            plan.at_needed_pace = forecast
            plan.reachable = True
            return plan
        plan.best = forecast
    # Out of reach: how many days of study (at the covering pace of now) would do it.
    # The longest first: when even it falls short, no shorter one is tried.
    extras = (7, 14, 30, 60, 90, 180)

    def reaches(extra: int) -> bool:
        horizon = days + extra
        pace = math.ceil(len(unstudied) / max(1, horizon - 1)) if unstudied else 0
        return run(pace, horizon)[1].pass_probability >= PLAN_TARGET

    if reaches(extras[-1]):
        plan.days_needed = days + next(extra for extra in extras if reaches(extra))
    return plan
