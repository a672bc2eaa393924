"""Replay realistic review answers through ``studyapp.srs.scheduler`` and measure Anki's rules
(issue 12, points 1–2). Pure: no database, seeded.

    .venv/bin/python bench/interval_rules.py [--learners 12] [--days 70] [--seed 12] [--json]
    .venv/bin/python bench/interval_rules.py --code-root DIR   # another checkout's scheduler

Simulated learners (time zones São Paulo, Lisbon, New York — DST —, Tokyo) study on most days
at a random local hour (a few after midnight, before the 04:00 rollover), answer every card
the scheduler has due (learning steps as they come due within the session, 20 min learn-ahead),
introduce 12 new cards a day and recall a review card with the model's retrievability at the
true elapsed time times a per-learner ability (0.96–1.03); a pass is Hard 15%, Good 72%,
Easy 13%. On every answer of a card in the review state it records:

- ``hard_eq_good`` / ``good_eq_easy``: Hard's interval equals Good's / Good's equals Easy's;
- ``good_not_longer``: Good's interval is no longer than the card's current interval (in
  study days); ``good_not_longer_model_longer``: the same where the model's own (unfuzzed)
  Good interval is longer than the current one (the rule says: never);
- ``fuzz_outside``: Good's interval lies outside Anki's fuzz range ``[round(r−δ), round(r+δ)]``
  around the model's unrounded interval r (only answers where r ≥ 2.5 and Anki's minimum —
  Hard + 1, or the current interval + 1 — does not bind);
- ``elapsed_24h_ne_study_days``: whole 24-h periods since the last review differ from study
  days (04:00 rollover in the learner's zone) — the replay's timing, the same for any code;
- ``elapsed_used_ne_study_days``: the stability the scheduler computed is not the one plain
  py-fsrs gives with study-day elapsed time (so the scheduler used another elapsed time).

Figures are % of those answers. ``--code-root`` puts another checkout first on ``sys.path``
(e.g. ``git archive main studyapp | tar -x -C /tmp/before``), to measure the code before a
change; a scheduler without the ``tz`` argument gets exact due times, as it stored them.
"""

from __future__ import annotations

import argparse
import heapq
import inspect
import json
import math
import random
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

ZONES = ("America/Sao_Paulo", "Europe/Lisbon", "America/New_York", "Asia/Tokyo")
START = datetime(2025, 1, 6, tzinfo=UTC)
PASS_WEIGHTS = ((2, 3, 4), (15, 72, 13))


def _fuzz_range(raw: float) -> tuple[int, int]:
    """Anki's unconstrained fuzz range around ``raw`` (fuzz.rs ``fuzz_bounds``)."""
    if raw < 2.5:
        delta = 0.0
    else:
        delta = 1.0 + sum(
            factor * max(0.0, min(raw, end) - start)
            for start, end, factor in ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))
        )
    return math.floor(raw - delta + 0.5), math.floor(raw + delta + 0.5)


class Replay:
    def __init__(self, scheduler, timing, fsrs):
        self.scheduler = scheduler
        self.timing = timing
        self.fsrs = fsrs
        self.has_tz = "tz" in inspect.signature(scheduler.review).parameters
        plain = fsrs.Scheduler(
            learning_steps=scheduler.LEARNING_STEPS,
            relearning_steps=scheduler.RELEARNING_STEPS,
            enable_fuzzing=False,
        )
        self.plain = plain
        self.factor = (plain.desired_retention ** (1 / plain._DECAY) - 1) / plain._FACTOR
        self.counts = dict.fromkeys(
            (
                "hard_eq_good",
                "good_eq_easy",
                "good_not_longer",
                "good_not_longer_model_longer",
                "elapsed_24h_ne_study_days",
                "elapsed_used_ne_study_days",
            ),
            0,
        )
        self.reviews = 0
        self.fuzz_checked = 0
        self.fuzz_outside = 0
        self.answers = 0
        self.passed = 0

    def review(self, memory, rating, now, seed, tz):
        kwargs = {"tz": tz} if self.has_tz else {}
        return self.scheduler.review(memory, rating, now=now, seed=seed, **kwargs)

    def preview(self, memory, now, seed, tz):
        kwargs = {"tz": tz} if self.has_tz else {}
        return self.scheduler.preview(memory, now=now, seed=seed, **kwargs)

    def _plain_stability(self, memory, rating, now, elapsed):
        card = self.fsrs.Card(
            card_id=1,
            state=self.fsrs.State.Review,
            step=None,
            stability=memory.stability,
            difficulty=memory.difficulty,
            due=now,
            last_review=now - timedelta(days=elapsed),
        )
        card, _ = self.plain.review_card(card, self.fsrs.Rating(rating), review_datetime=now)
        return card.stability

    def measure(self, memory, now, seed, tz):
        """Record the rules on an answer of a review card (before answering it)."""
        timing = self.timing
        self.reviews += 1
        labels = {r: i.days for r, i in self.preview(memory, now, seed, tz).items()}
        hard, good, easy = labels[2], labels[3], labels[4]
        current = (timing.study_day(memory.due, tz) - timing.study_day(memory.last_review, tz)).days
        self.counts["hard_eq_good"] += hard == good
        self.counts["good_eq_easy"] += good == easy
        self.counts["good_not_longer"] += good <= current
        good_raw = self.review(memory, 3, now, seed, tz).memory.stability * self.factor
        self.counts["good_not_longer_model_longer"] += good <= current < good_raw
        study_days = max(
            0, (timing.study_day(now, tz) - timing.study_day(memory.last_review, tz)).days
        )
        self.counts["elapsed_24h_ne_study_days"] += (now - memory.last_review).days != study_days
        good_memory = self.review(memory, 3, now, seed, tz).memory
        expected = self._plain_stability(memory, 3, now, study_days)
        self.counts["elapsed_used_ne_study_days"] += not math.isclose(
            good_memory.stability, expected, rel_tol=1e-9
        )
        raw = good_memory.stability * self.factor
        if raw >= 2.5:
            lower, upper = _fuzz_range(raw)
            minimum = hard + 1
            if current and raw > current:
                minimum = max(minimum, current + 1)
            elif current and math.floor(raw + 0.5) >= current:
                minimum = max(minimum, current)
            if minimum <= lower:
                self.fuzz_checked += 1
                self.fuzz_outside += not lower <= good <= upper

    def learner(self, rng, index, days):
        tz = ZoneInfo(ZONES[index % len(ZONES)])
        ability = rng.uniform(0.96, 1.03)
        study_prob = rng.uniform(0.7, 0.95)
        memory: dict[int, object] = {}
        heap: list[tuple[datetime, int]] = []
        next_card = index * 100_000
        for offset in range(days):
            if rng.random() > study_prob:
                continue
            day = (START + timedelta(days=offset)).date()
            hour = rng.choice([*range(6, 24), *range(6, 24), 0, 1, 2, 3])
            local = datetime.combine(day, datetime.min.time(), tz) + timedelta(
                hours=hour, minutes=rng.randint(0, 59)
            )
            if hour < 4:
                local += timedelta(days=1)  # after midnight: still this study day
            moment = local.astimezone(UTC)
            new_today = 0
            while True:
                while heap and memory[heap[0][1]].due != heap[0][0]:
                    heapq.heappop(heap)
                if heap and heap[0][0] <= moment:
                    _due, card = heapq.heappop(heap)
                elif new_today < 12:
                    card = next_card
                    next_card += 1
                    new_today += 1
                    memory[card] = self.scheduler.Memory(due=moment)
                elif heap and heap[0][0] <= moment + timedelta(minutes=20):
                    moment = max(moment, heap[0][0])
                    continue
                else:
                    break
                before = memory[card]
                if before.state == "review":
                    self.measure(before, moment, card, tz)
                    elapsed = (moment - before.last_review).total_seconds() / 86400
                    plain = self.plain
                    chance = ability * (1 + plain._FACTOR * elapsed / before.stability) ** (
                        plain._DECAY
                    )
                elif before.state == "new":
                    chance = 0.7 * ability
                else:
                    chance = 0.85 * ability
                passed = rng.random() < min(0.99, chance)
                rating = rng.choices(*PASS_WEIGHTS)[0] if passed else 1
                if before.state == "review":
                    self.answers += 1
                    self.passed += passed
                after = self.review(before, rating, moment, card, tz).memory
                memory[card] = after
                heapq.heappush(heap, (after.due, card))
                moment += timedelta(seconds=rng.randint(6, 20))

    def report(self) -> dict:
        def pct(n, d):
            return round(100 * n / d, 2) if d else None

        result = {"review_answers": self.reviews}
        result.update({name: pct(n, self.reviews) for name, n in self.counts.items()})
        result["fuzz_checked"] = self.fuzz_checked
        result["fuzz_outside"] = pct(self.fuzz_outside, self.fuzz_checked)
        result["pass_rate"] = pct(self.passed, self.answers)
        return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=12)
    parser.add_argument("--days", type=int, default=70)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--code-root", default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.code_root:
        sys.path.insert(0, args.code_root)
    import fsrs

    from studyapp.srs import scheduler, timing

    replay = Replay(scheduler, timing, fsrs)
    rng = random.Random(args.seed)
    for index in range(args.learners):
        replay.learner(random.Random(rng.random()), index, args.days)
    result = replay.report()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        width = max(map(len, result))
        for name, value in result.items():
            print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
