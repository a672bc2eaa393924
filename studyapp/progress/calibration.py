"""Calibration harness for the readiness forecast (``manage.py readiness_calibration``).

Simulated students study the real bank with the app's scheduler (``srs.scheduler.review``:
FSRS-6 defaults, learning steps, fuzz) while their *true* memory follows hidden FSRS
parameters of their own (an ``fsrs.Scheduler`` with those parameters, fed the same
ratings). They know part of the bank beforehand, study on some days, take practice quizzes
(``quizzes.draw.draw_simple``, answers fed back by the app's quiz policy,
``srs.services.quiz_effect_for``), and take one mock exam on a random day, drawn
with ``quizzes.draw.draw_weighted`` and scored with ``quizzes.exam.scaled_score``. Just
before the mock, the forecast under test (``readiness.learner_estimate`` +
``readiness.score_forecast``, the code the dashboard runs) sees only what the app stores:
the cards' FSRS state, the logged answers and the quiz history.

Pure apart from the bank given to it: no database, seeded, deterministic.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import fsrs

from studyapp.quizzes import draw, exam
from studyapp.srs import scheduler, timing

from . import readiness
from .readiness import Answer, BankItem, CardState

START = datetime(2026, 1, 5, tzinfo=UTC)
QUIZ_SIZE = 10


@dataclass(frozen=True)
class SimItem:
    """A studiable item: every one is a study card; questions can be quizzed."""

    id: int
    deck_id: int
    question: bool
    options: int = 0  # authored options (0 for concept cards)
    correct: int = 0
    domains: frozenset[int] = frozenset()
    topics: frozenset[int] = frozenset()
    mock: bool = False  # mock eligible: authored distractors, deck in the mock
    in_mock: bool = True  # the deck counts for the exam

    @property
    def guess(self) -> float:
        return readiness.guess_floor(self.options, self.correct)

    def bank_item(self) -> BankItem:
        return BankItem(
            id=self.id,
            domains=self.domains,
            topics=self.topics,
            options=self.options,
            correct=self.correct,
        )


@dataclass(frozen=True)
class Scenario:
    name: str
    personal_memory: bool  # hidden FSRS parameters unlike the defaults
    prior_low: float | None  # share of the bank known beforehand, uniform in [low, high]
    prior_high: float | None  # (both None: drawn from the model's own prior, a Beta distribution)
    known_level: float  # chance of a right recall of a known item
    quizzers: float  # share of students who take practice quizzes
    quiz_low: float  # chance of a quiz on a study day, uniform in [low, high]
    quiz_high: float


SCENARIOS = (
    Scenario(
        "model assumptions true",
        personal_memory=False,
        prior_low=None,
        prior_high=None,
        known_level=1.0,
        quizzers=0.5,
        quiz_low=0.1,
        quiz_high=0.5,
    ),
    Scenario(
        "realistic",
        personal_memory=True,
        prior_low=0.0,
        prior_high=0.3,
        known_level=0.95,
        quizzers=0.5,
        quiz_low=0.05,
        quiz_high=0.5,
    ),
    Scenario(
        "realistic, every student quizzes",
        personal_memory=True,
        prior_low=0.0,
        prior_high=0.3,
        known_level=0.95,
        quizzers=1.0,
        quiz_low=0.2,
        quiz_high=0.8,
    ),
)


def hidden_parameters(rng: random.Random) -> tuple[float, ...]:
    """A student's own FSRS-6 parameters: initial stabilities, growth on recall, forgetting
    after a lapse and the decay all moved away from the defaults (within fsrs's bounds)."""
    w = list(fsrs.scheduler.DEFAULT_PARAMETERS)
    lower, upper = fsrs.scheduler.LOWER_BOUNDS_PARAMETERS, fsrs.scheduler.UPPER_BOUNDS_PARAMETERS
    initial = math.exp(rng.gauss(-0.2, 0.8))
    for i in range(4):
        w[i] *= initial
    w[8] += rng.gauss(0, 0.5)  # how much stability grows on a recall
    w[11] *= math.exp(rng.gauss(0, 0.4))  # stability after a lapse
    w[20] = rng.uniform(0.1, 0.6)  # the shape of the forgetting curve
    return tuple(min(hi, max(lo, v)) for v, lo, hi in zip(w, lower, upper, strict=True))


@dataclass
class Student:
    rng: random.Random
    truth: fsrs.Scheduler
    known: set[int]
    known_level: float
    new_per_day: int
    study_chance: float
    quiz_chance: float
    mock_day: int
    order: list[SimItem]
    app: dict[int, scheduler.Memory] = field(default_factory=dict)
    true_cards: dict[int, fsrs.Card] = field(default_factory=dict)
    answers: list[Answer] = field(default_factory=list)
    tiers: dict[int, int] = field(default_factory=dict)
    card_offset: int = 0  # card ids differ between students (the scheduler's fuzz seed)

    def knows(self, item: SimItem, now: datetime) -> float:
        card = self.true_cards.get(item.id)
        r = self.truth.get_card_retrievability(card, now) if card is not None else 0.0
        floor = self.known_level if item.id in self.known else 0.0
        return 1 - (1 - r) * (1 - floor)

    def rate(self, item: SimItem, now: datetime) -> int:
        rng = self.rng
        if item.id not in self.app:  # first sight of a new card
            if item.id in self.known and rng.random() < self.known_level:
                return 4 if rng.random() < 0.3 else 3
            u = rng.random()
            return 1 if u < 0.4 else 2 if u < 0.55 else 3
        if rng.random() < self.knows(item, now):
            u = rng.random()
            return 2 if u < 0.1 else 4 if u > 0.9 else 3
        return 1

    def apply(self, item: SimItem, rating: int, now: datetime, *, quiz: bool) -> None:
        memory = self.app.get(item.id, scheduler.Memory())
        self.answers.append(
            Answer(
                item_id=item.id,
                at=now,
                passed=rating > 1,
                stability=memory.stability,
                last_review=memory.last_review,
                quiz=quiz,
            )
        )
        self.app[item.id] = scheduler.review(
            memory, rating, now=now, seed=self.card_offset + item.id
        ).memory
        card = self.true_cards.get(item.id) or fsrs.Card(card_id=item.id, due=now)
        self.true_cards[item.id], _log = self.truth.review_card(
            card, fsrs.Rating(rating), review_datetime=now
        )


def _study_session(student: Student, now: datetime, new_queue: list[SimItem], by_id) -> None:
    due = sorted(
        (memory.due, item_id)
        for item_id, memory in student.app.items()
        if memory.state != scheduler.NEW and memory.due <= now
    )
    queue = [by_id[item_id] for _due, item_id in due][:200]
    for _ in range(min(student.new_per_day, len(new_queue))):
        queue.append(new_queue.pop(0))
    clock = now
    steps = 0
    while queue and steps < 2000:
        steps += 1
        item = queue.pop(0)
        clock += timedelta(seconds=20)
        memory = student.app.get(item.id)
        if memory is not None and memory.state in (scheduler.LEARNING, scheduler.RELEARNING):
            clock = max(clock, memory.due)
        student.apply(item, student.rate(item, clock), clock, quiz=False)
        memory = student.app[item.id]
        learning = memory.state in (scheduler.LEARNING, scheduler.RELEARNING)
        if learning and memory.due - clock <= timedelta(minutes=20):
            queue.append(item)  # learning steps come back within the session


def _quiz(
    student: Student, now: datetime, questions: list[SimItem], by_id, seed: int, new_queue
) -> None:
    """A practice quiz; answers fed back by the app's quiz policy
    (``srs.services.quiz_effect_for``): a due card is reviewed (right → Good, wrong →
    Again); a new card stays new (a wrong answer puts it first among the new cards); a card
    not due keeps its memory (a wrong answer brings it forward to now). Only the log is kept
    for the answers that do not reschedule."""
    candidates = [
        draw.Candidate(item_id=q.id, deck_id=q.deck_id, tier=student.tiers.get(q.id, draw.UNSEEN))
        for q in questions
    ]
    for drawn in draw.draw_simple(candidates, QUIZ_SIZE, seed):
        item = by_id[drawn.item_id]
        now += timedelta(seconds=40)
        g = item.guess
        right = student.rng.random() < g + (1 - g) * student.knows(item, now)
        student.tiers[item.id] = draw.RIGHT if right else draw.WRONG
        memory = student.app.get(item.id)
        if memory is not None and memory.state != scheduler.NEW:
            if memory.state == scheduler.REVIEW:
                due = memory.due < timing.next_day_start(now, timing.zone(None))
            else:
                due = memory.due <= now
            if due:
                student.apply(item, 3 if right else 1, now, quiz=True)
                continue
        student.answers.append(
            Answer(
                item_id=item.id,
                at=now,
                passed=right,
                stability=memory.stability if memory else None,
                last_review=memory.last_review if memory else None,
                quiz=True,
                rescheduled=False,
            )
        )
        if right:
            continue
        if memory is None or memory.state == scheduler.NEW:
            if item in new_queue:  # first among the new cards
                new_queue.remove(item)
                new_queue.insert(0, item)
        else:
            student.app[item.id] = replace(memory, due=now)  # brought forward


@dataclass
class Outcome:
    predicted: int
    low: int
    high: int
    pass_probability: float
    actual: int


def new_student(scenario: Scenario, items: list[SimItem], rng: random.Random) -> Student:
    parameters = (
        hidden_parameters(rng) if scenario.personal_memory else fsrs.scheduler.DEFAULT_PARAMETERS
    )
    truth = fsrs.Scheduler(
        parameters=parameters,
        learning_steps=scheduler.LEARNING_STEPS,
        relearning_steps=scheduler.RELEARNING_STEPS,
        enable_fuzzing=False,
    )
    if scenario.prior_low is None:
        strength = readiness.PRIOR_KNOWN_STRENGTH
        share = rng.betavariate(
            readiness.PRIOR_KNOWN * strength, (1 - readiness.PRIOR_KNOWN) * strength
        )
    else:
        share = rng.uniform(scenario.prior_low, scenario.prior_high)
    known = {item.id for item in items if rng.random() < share}
    quiz_chance = (
        rng.uniform(scenario.quiz_low, scenario.quiz_high)
        if rng.random() < scenario.quizzers
        else 0.0
    )
    decks = sorted({item.deck_id for item in items})
    rng.shuffle(decks)
    rank = {deck: i for i, deck in enumerate(decks)}
    order = sorted(items, key=lambda item: (rank[item.deck_id], item.id))
    return Student(
        rng=rng,
        truth=truth,
        known=known,
        known_level=scenario.known_level,
        new_per_day=rng.randint(3, 30),
        study_chance=rng.uniform(0.3, 1.0),
        quiz_chance=quiz_chance,
        mock_day=rng.randint(7, 90),
        order=order,
        card_offset=rng.randrange(1, 10**6) * 10**5,
    )


def simulate_student(
    scenario: Scenario, items: list[SimItem], seed: int, *, forecaster=None, profile=None
) -> Outcome:
    rng = random.Random(f"{scenario.name}:{seed}")
    student = new_student(scenario, items, rng)
    by_id = {item.id: item for item in items}
    questions = [item for item in items if item.question]
    new_queue = list(student.order)
    for day in range(student.mock_day):
        if rng.random() >= student.study_chance:
            continue
        now = START + timedelta(days=day, hours=rng.uniform(7, 22))
        _study_session(student, now, new_queue, by_id)
        if rng.random() < student.quiz_chance:
            _quiz(
                student,
                now + timedelta(hours=1),
                questions,
                by_id,
                rng.randrange(1, 2**31),
                new_queue,
            )
    exam_at = START + timedelta(days=student.mock_day, hours=rng.uniform(7, 22))
    weights = dict(profile.weights()) if profile else dict(exam.DOMAIN_WEIGHTS)
    count = profile.question_count if profile else exam.QUESTION_COUNT
    pass_mark = profile.pass_mark if profile else exam.PASS_MARK
    mock_items = [item for item in items if item.mock]
    forecast = (forecaster or item_model_forecast)(
        student=student,
        mock_items=mock_items,
        now=exam_at,
        weights=weights,
        count=count,
        pass_mark=pass_mark,
    )
    candidates = [
        draw.Candidate(
            item_id=item.id,
            deck_id=item.deck_id,
            topic_ids=item.topics,
            domains=item.domains,
            tier=student.tiers.get(item.id, draw.UNSEEN),
        )
        for item in mock_items
    ]
    drawn = draw.draw_weighted(candidates, count, rng.randrange(1, 2**31), weights)
    right = 0
    for chosen in drawn:
        item = by_id[chosen.item_id]
        g = item.guess
        right += rng.random() < g + (1 - g) * student.knows(item, exam_at)
    return Outcome(*forecast, actual=exam.scaled_score(right, len(drawn)))


def item_model_forecast(*, student, mock_items, now, weights, count, pass_mark):
    """The app's forecast from what the app would store about ``student``."""
    bank = [item.bank_item() for item in mock_items]
    by_id = {item.id: item for item in bank}
    answers = student.answers[-readiness.EVIDENCE_LIMIT :]
    learner = readiness.learner_estimate(answers, by_id, now=now)
    cards = {
        item_id: CardState(memory.stability, memory.last_review)
        for item_id, memory in student.app.items()
    }
    forecast = readiness.score_forecast(
        bank,
        cards,
        learner,
        when=now,
        tiers=student.tiers,
        weights=weights,
        count=count,
        pass_mark=pass_mark,
    )
    return forecast.median, forecast.low, forecast.high, forecast.pass_probability


def metrics(outcomes: list[Outcome], pass_mark: int = exam.PASS_MARK) -> dict:
    n = len(outcomes)
    if not n:
        return {"bias": 0.0, "rmse": 0.0, "coverage80": 0.0, "brier": 0.0, "ece": 0.0}
    errors = [o.actual - o.predicted for o in outcomes]
    passed = [1.0 if o.actual >= pass_mark else 0.0 for o in outcomes]
    probs = [o.pass_probability for o in outcomes]
    bins: dict[int, list[tuple[float, float]]] = {}
    for p, y in zip(probs, passed, strict=True):
        bins.setdefault(min(9, int(p * 10)), []).append((p, y))
    ece = sum(
        len(rows)
        / n
        * abs(sum(p for p, _ in rows) / len(rows) - sum(y for _, y in rows) / len(rows))
        for rows in bins.values()
    )
    return {
        "bias": round(sum(errors) / n, 2),
        "rmse": round(math.sqrt(sum(e * e for e in errors) / n), 2),
        "coverage80": round(sum(o.low <= o.actual <= o.high for o in outcomes) / n, 4),
        "brier": round(sum((p - y) ** 2 for p, y in zip(probs, passed, strict=True)) / n, 4),
        "ece": round(ece, 4),
    }


def run(
    items: list[SimItem],
    *,
    students: int,
    seed: int,
    scenarios=SCENARIOS,
    forecaster=None,
    profile=None,
) -> dict:
    """``{"scenarios": [{"name", "students", "bias", "rmse", "coverage80", "brier",
    "ece"}]}`` — bias is actual − predicted in scaled-score points."""
    result = []
    for scenario in scenarios:
        outcomes = [
            simulate_student(
                scenario, items, seed * 100_003 + i, forecaster=forecaster, profile=profile
            )
            for i in range(students)
        ]
        pass_mark = profile.pass_mark if profile else exam.PASS_MARK
        result.append({"name": scenario.name, "students": students, **metrics(outcomes, pass_mark)})
    return {"scenarios": result}


def legacy_forecast(*, student, mock_items, now, weights, count, pass_mark):
    """BEFORE: the per-domain model of readiness.estimate/exam_forecast (retrievability now,
    guess 0.25, all-time quiz accuracy), fed what the dashboard fed it."""
    items = student.order
    domains = []
    for number, weight in sorted(weights.items()):
        ev = readiness.GroupEvidence()
        for item in items:
            if item.in_mock and number in item.domains:
                ev.items += 1
                memory = student.app.get(item.id)
                if memory is not None and memory.last_review is not None:
                    ev.retrievability_sum += readiness.retrievability(
                        memory.stability, memory.last_review, now
                    )
                    ev.studied += 1
        ids = {item.id for item in items if item.in_mock and number in item.domains}
        for answer in student.answers:
            if answer.quiz and answer.item_id in ids:
                ev.answered += 1
                ev.correct += answer.passed
        group = readiness.estimate(number, str(number), ev)
        group.weight = weight
        domains.append(group)
    f = readiness.exam_forecast(domains, pass_mark=pass_mark, question_count=count)
    return f.score, f.low, f.high, f.pass_probability
