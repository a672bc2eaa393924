"""Exam-readiness model: pure functions, no database (documented in docs/progress.md).

Per item, the chance of answering an exam question on it right is
``p = R + (1 - R) * GUESS`` where R is the FSRS retrievability now (0 for never-studied
items) and GUESS the chance of guessing a 4-option question. Averaged over a group of decks
(a topic or an exam domain) this is the *memory estimate* ``m = GUESS + (1 - GUESS) * mastery``.
Quiz answers in the group then update it like a beta prior worth ``PRIOR_WEIGHT`` answers:
``p = (PRIOR_WEIGHT * m + correct) / (PRIOR_WEIGHT + answered)``.

The exam fraction is the domain-weighted mean of the domain estimates; its variance adds
the estimates' uncertainty to the binomial spread of an exam of ``question_count`` questions.
A normal approximation gives the score range (80 %) and the pass probability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from fsrs.scheduler import DEFAULT_PARAMETERS

from studyapp.quizzes import exam
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
