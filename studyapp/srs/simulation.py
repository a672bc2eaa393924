"""The learner simulator behind ``manage.py simulate_study``: simulated learners study through
the real study services (``cards_ensure``, ``selectors.day_counts`` / ``next_card``,
``review_record``) with a controlled clock (every call gets ``now=``), while their true
memory follows their own hidden FSRS-6 parameters (:mod:`studyapp.srs.learner_model`).

Each learner is a new user with unique name whose whole life (user, settings, cards, logs,
roll-ups) happens inside one transaction that is rolled back at the end: nothing is left in
the database and no other user's rows are read or written. The content studied is the
database's studiable items (import some first: ``manage.py import_content content/``).

A learner studies once a study day, starting at a random local time between 07:00 and
23:00 (a new time every day), skipping days at the learner's own rate, and answers until the
queue is empty (daily limits as the app's defaults: 20 new cards, 200 reviews), the
learning steps included as they come back within the session (20-minute learn-ahead).

Achieved (true) retention: of the answers to cards in the review state, first answer of
the card that study day, the share the learner actually recalled (their own recall drawn
from their true recall probability). Learning and relearning steps and same-day repeats are
not counted; the first showing of a new card never is.

``optimize``: the learner presses the settings page's "train parameters" button
(``tuning.parameters_optimize`` with the simulated clock) at the end of the first session
after which they have the optimizer's minimum number of reviews, then every
``OPTIMIZE_EVERY`` study days; accepted parameters reschedule their cards and drive the
scheduler from then on (``predicted`` then uses them too).
"""

from __future__ import annotations

import dataclasses
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from studyapp.content.models import Item

from . import learner_model as model
from . import optimizer, selectors, services, timing, tuning
from .models import State

DESIRED = (0.85, 0.90, 0.95)
# The first simulated study day (local date): fixed, so a run never depends on today.
START = date(2026, 1, 5)
FIRST_HOUR, LAST_HOUR = 7, 23
# A guard against a queue that never empties (it always does: every answer moves a card on).
MAX_ANSWERS_PER_SESSION = 5000
# With ``optimize``: retrain every this many study days after the first training.
OPTIMIZE_EVERY = 7


class NoContent(Exception):
    """The database has no studiable items to simulate on."""


@dataclass
class LearnerStats:
    reviews: int = 0  # counted review answers (the retention's denominator)
    recalled: int = 0
    expected: float = 0.0  # sum of the true recall probabilities of those answers
    # sum of the recall probabilities the app's model gives them (default weights, the card's
    # stability, the real elapsed time): where the scheduler believes it shows the card
    predicted: float = 0.0
    late: int = 0  # counted review answers given on a later study day than the due time's
    answers: int = 0  # every answer, learning steps included
    # Interval rules, over the same counted answers (the buttons' intervals, by due study day):
    hard_is_good: int = 0  # Hard and Good fall due on the same study day
    good_is_easy: int = 0  # Good and Easy fall due on the same study day
    good_not_longer: int = 0  # Good's interval no longer than the card's previous interval
    sessions: int = 0
    trainings: int = 0  # parameters_optimize runs with enough reviews (``optimize``)
    accepted: int = 0  # of which kept (held-out log loss improved)

    def add(self, other: LearnerStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class RunResult:
    desired: float
    learners: int
    stats: LearnerStats
    seconds: float

    @property
    def achieved(self) -> float:
        return self.stats.recalled / self.stats.reviews if self.stats.reviews else 0.0

    @property
    def points(self) -> float:
        """Achieved minus desired, in percentage points."""
        return 100 * (self.achieved - self.desired)

    @property
    def expected(self) -> float:
        return self.stats.expected / self.stats.reviews if self.stats.reviews else 0.0

    @property
    def predicted(self) -> float:
        return self.stats.predicted / self.stats.reviews if self.stats.reviews else 0.0

    @property
    def late_share(self) -> float:
        return self.stats.late / self.stats.reviews if self.stats.reviews else 0.0

    def share(self, name: str) -> float:
        return getattr(self.stats, name) / self.stats.reviews if self.stats.reviews else 0.0

    def as_json(self) -> dict:
        return {
            "desired": self.desired,
            "achieved": round(self.achieved, 4),
            "learners": self.learners,
            "reviews": self.stats.reviews,
        }


class _Rollback(Exception):
    """Raised at the end of a learner's transaction to undo everything it wrote."""


def learner_profile(*, seed: int, index: int, calibrate: bool = False) -> model.Profile:
    """Learner ``index`` of the population for ``seed`` (the same learner at every desired
    retention, so the runs differ only by the setting). ``calibrate``: the same learner with
    the default weights who never skips a day, so the app's model is exactly right about them
    and any shortfall is the scheduler's."""
    profile = model.sample_profile(random.Random(f"{seed}:{index}:profile"))
    if calibrate:
        profile = dataclasses.replace(profile, weights=model.DEFAULT_WEIGHTS, skip=0.0)
    return profile


def _session_start(rng: random.Random, day: date, tz) -> datetime:
    minutes = rng.randrange((LAST_HOUR - FIRST_HOUR) * 60)
    local = datetime(day.year, day.month, day.day, FIRST_HOUR, tzinfo=tz)
    return (local + timedelta(minutes=minutes)).astimezone(UTC)


def _count_interval_rules(stats: LearnerStats, *, card, settings, now: datetime, tz) -> None:
    """What the rating buttons offer this review card (``services.card_preview``, as the
    study page shows them), in study days from today."""
    today = timing.study_day(now, tz)
    intervals = services.card_preview(card=card, settings=settings, now=now)
    days = {
        rating: (timing.study_day(now + delta, tz) - today).days
        for rating, delta in intervals.items()
    }
    previous = (timing.study_day(card.due, tz) - timing.study_day(card.last_review, tz)).days
    stats.hard_is_good += days[2] == days[3]
    stats.good_is_easy += days[3] == days[4]
    stats.good_not_longer += days[3] <= previous


def _simulate_learner(
    *,
    profile: model.Profile,
    rng: random.Random,
    calendar: random.Random,
    desired: float,
    days: int,
    optimize: bool = False,
    keeping: bool = True,
) -> LearnerStats:
    stats = LearnerStats()
    weights = profile.weights
    user = get_user_model().objects.create_user(username=f"simulated-{uuid.uuid4().hex}")
    settings = services.study_settings_get(user=user)
    services.study_settings_update(
        settings=settings, desired_retention=desired, keep_retention=keeping
    )
    tz = settings.tzinfo
    scope = selectors.scope_for(settings=settings, slug=None)
    traces: dict[int, model.Trace] = {}
    last_seen: dict[int, datetime] = {}
    next_training = None  # study session (count) of the next training once trained once
    for offset in range(days):
        # Days and hours come from their own generator: the same whatever happened in the
        # sessions, so runs (retentions, --optimize, code versions) compare the same calendar.
        skipped = calendar.random() < profile.skip
        now = _session_start(calendar, START + timedelta(days=offset), tz)
        if offset and skipped:
            continue
        today = timing.study_day(now, tz)
        stats.sessions += 1
        services.cards_ensure(user=user, now=now)
        answered_today: set[int] = set()
        for _ in range(MAX_ANSWERS_PER_SESSION):
            day = selectors.day_counts(user=user, settings=settings, now=now)
            card = selectors.next_card(user=user, scope=scope, now=now, day=day)
            if card is None:
                break
            trace = traces.get(card.pk)
            if trace is None:
                rating = model.first_rating(profile, rng)
                traces[card.pk] = model.first_trace(weights, rating)
            else:
                previous = last_seen[card.pk]
                elapsed = (now - previous).total_seconds() / 86400
                recall = model.retrievability(weights, trace.stability, elapsed)
                recalled = rng.random() < recall
                rating = model.rating_for(profile, rng, recalled=recalled)
                if card.state == State.REVIEW and card.pk not in answered_today:
                    stats.reviews += 1
                    stats.recalled += recalled
                    stats.expected += recall
                    stats.predicted += model.retrievability(
                        settings.parameters or model.DEFAULT_WEIGHTS,
                        card.stability,
                        (now - card.last_review).total_seconds() / 86400,
                    )
                    stats.late += timing.study_day(card.due, tz) < today
                    _count_interval_rules(stats, card=card, settings=settings, now=now, tz=tz)
                traces[card.pk] = model.next_trace(
                    weights,
                    trace,
                    rating,
                    elapsed_days=elapsed,
                    same_day=timing.study_day(previous, tz) == today,
                )
            seconds = profile.seconds * rng.uniform(0.5, 1.5)
            services.review_record(
                user=user,
                card_id=card.pk,
                token=card.token,
                rating=rating,
                duration_ms=int(seconds * 1000),
                settings=settings,
                now=now,
            )
            stats.answers += 1
            answered_today.add(card.pk)
            last_seen[card.pk] = now
            now += timedelta(seconds=seconds)
        due = next_training is None or stats.sessions >= next_training
        # The answer count is a cheap lower bound of the optimizer's review count.
        if optimize and due and stats.answers >= optimizer.MIN_REVIEWS:
            outcome = tuning.parameters_optimize(user=user, now=now)
            if outcome.enough:
                stats.trainings += 1
                stats.accepted += outcome.evaluation.accepted
                next_training = stats.sessions + OPTIMIZE_EVERY
                settings = services.study_settings_get(user=user)
    return stats


def simulate_learner(
    *,
    seed: int,
    index: int,
    desired: float,
    days: int,
    calibrate: bool = False,
    optimize: bool = False,
    keeping: bool = True,
) -> tuple[model.Profile, LearnerStats]:
    """Simulate one learner in a transaction that is rolled back: nothing stays behind."""
    profile = learner_profile(seed=seed, index=index, calibrate=calibrate)
    rng = random.Random(f"{seed}:{index}:behaviour")
    calendar = random.Random(f"{seed}:{index}:calendar")
    stats = None
    try:
        with transaction.atomic():
            stats = _simulate_learner(
                profile=profile,
                rng=rng,
                calendar=calendar,
                desired=desired,
                days=days,
                optimize=optimize,
                keeping=keeping,
            )
            raise _Rollback
    except _Rollback:
        pass
    return profile, stats


def simulate(
    *,
    learners: int = 5,
    days: int = 60,
    seed: int = 0,
    desired: tuple[float, ...] = DESIRED,
    calibrate: bool = False,
    optimize: bool = False,
    keeping: bool = True,
    progress=None,
) -> list[RunResult]:
    """One run per desired retention, each over the same ``learners`` simulated learners."""
    if not Item.objects.studiable().exists():
        raise NoContent
    results = []
    for retention in desired:
        started = time.perf_counter()
        total = LearnerStats()
        for index in range(learners):
            _profile, stats = simulate_learner(
                seed=seed,
                index=index,
                desired=retention,
                days=days,
                calibrate=calibrate,
                optimize=optimize,
                keeping=keeping,
            )
            total.add(stats)
            if progress is not None:
                progress(retention, index, stats)
        results.append(
            RunResult(
                desired=retention,
                learners=learners,
                stats=total,
                seconds=time.perf_counter() - started,
            )
        )
    return results
