"""The readiness model on known data sets, checked against hand-computed values."""

import math
from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from studyapp.progress import readiness
from studyapp.progress.readiness import GroupEvidence, estimate, exam_forecast


def test_retrievability_matches_the_fsrs_package():
    now = datetime(2025, 6, 15, tzinfo=UTC)
    scheduler = fsrs.Scheduler()
    for stability, days in [(1.0, 0), (3.5, 2), (10.0, 10), (40.0, 100)]:
        card = fsrs.Card(
            state=fsrs.State.Review,
            stability=stability,
            difficulty=5.0,
            last_review=now - timedelta(days=days),
        )
        expected = scheduler.get_card_retrievability(card, now)
        assert readiness.retrievability(stability, now - timedelta(days=days), now) == (
            pytest.approx(expected)
        )


def test_retrievability_is_90_percent_after_one_stability_and_zero_when_never_reviewed():
    now = datetime(2025, 6, 15, tzinfo=UTC)
    assert readiness.retrievability(10.0, now - timedelta(days=10), now) == pytest.approx(0.9)
    assert readiness.retrievability(None, None, now) == 0.0


def test_group_estimate_mixes_memory_with_quiz_answers():
    # 2 items: one at R=0.9, one never studied → mastery 0.45, memory 0.25 + 0.75·0.45.
    evidence = GroupEvidence(items=2, retrievability_sum=0.9, studied=1, answered=10, correct=5)
    group = estimate("t", "T", evidence)
    assert group.mastery == pytest.approx(0.45)
    assert group.memory == pytest.approx(0.5875)
    assert group.probability == pytest.approx((10 * 0.5875 + 5) / 20)  # 0.54375
    assert group.sd == pytest.approx(math.sqrt(0.54375 * 0.45625 / 21))


def test_exam_forecast_weights_domains_and_gives_a_pass_probability():
    domains = []
    for key, p, weight in [(1, 0.8, 32), (2, 0.7, 26), (3, 0.6, 24), (4, 0.5, 18)]:
        group = estimate(key, str(key), GroupEvidence())
        group.probability, group.sd, group.weight = p, 0.05, weight
        domains.append(group)
    forecast = exam_forecast(domains, pass_mark=720, question_count=65)
    fraction = 0.32 * 0.8 + 0.26 * 0.7 + 0.24 * 0.6 + 0.18 * 0.5  # 0.672
    variance = sum(
        (w * 0.05) ** 2 + w * p * (1 - p) / 65
        for p, w in [(0.8, 0.32), (0.7, 0.26), (0.6, 0.24), (0.5, 0.18)]
    )
    sd = math.sqrt(variance)
    assert forecast.fraction == pytest.approx(fraction)
    assert forecast.score == round(100 + 900 * fraction) == 705
    assert forecast.low == round(100 + 900 * (fraction - 1.2816 * sd))
    assert forecast.high == round(100 + 900 * (fraction + 1.2816 * sd))
    pass_fraction = (720 - 100) / 900
    expected = 0.5 * (1 + math.erf((fraction - pass_fraction) / sd / math.sqrt(2)))
    assert forecast.pass_probability == pytest.approx(expected)
    assert 0.2 < forecast.pass_probability < 0.5


def test_a_kept_draw_frame_gives_the_same_forecast_and_chances_are_means_of_items():
    """readiness.draw_frame counts the draw by kind of item once per bank and tiers; a
    forecast with a kept (pickled) frame equals one that builds it, and each domain's chance
    is the mean of its questions' probabilities (studied and quiz-answered items apart)."""
    import pickle
    import random
    from datetime import UTC, datetime, timedelta

    from studyapp.progress import readiness as r

    rnd = random.Random(5)
    now = datetime(2026, 1, 10, tzinfo=UTC)
    bank = [
        r.BankItem(
            id=i,
            domains=frozenset(rnd.sample([1, 2, 3], rnd.choice([1, 2]))),
            topics=frozenset({rnd.randint(1, 4)}),
            options=rnd.choice([4, 5]),
            correct=rnd.choice([1, 2]),
        )
        for i in range(1, 301)
    ]
    cards = {
        i: r.CardState(rnd.uniform(1, 30), now - timedelta(days=rnd.randint(1, 20)))
        for i in rnd.sample(range(1, 301), 80)
    }
    learner = r.Learner(
        memory_factor=1.3, memory_sd=0.2, known=0.2, known_sd=0.05, item_quiz={7: (now, 0.5, True)}
    )
    tiers = {i: rnd.choice([1, 2]) for i in rnd.sample(range(1, 301), 40)}
    weights = {1: 0.3, 2: 0.3, 3: 0.4}
    frame = r.draw_frame(bank, tiers=tiers, weights=weights, count=65)
    kept = pickle.loads(pickle.dumps(frame))  # noqa: S301 (our own bytes)
    args = {"when": now, "tiers": tiers, "weights": weights, "count": 65}
    built = r.score_forecast(bank, cards, learner, **args)
    again = r.score_forecast(bank, cards, learner, frame=kept, **args)
    assert (again.cdf, again.domain_chances, again.probabilities) == (
        built.cdf,
        built.domain_chances,
        built.probabilities,
    )
    assert built.count == 65
    for d, chance in built.domain_chances.items():
        ps = [built.probabilities[item.id] for item in bank if d in item.domains]
        assert chance == pytest.approx(sum(ps) / len(ps), abs=1e-12)
