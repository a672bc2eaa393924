"""The learner simulator (manage.py simulate_study): its pure memory model and its runs
through the real study services (small sizes: a few learners, a few days)."""

import dataclasses
import json
import random
from datetime import UTC, datetime, timedelta
from io import StringIO

import fsrs
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from studyapp.srs import learner_model as model
from studyapp.srs import services, simulation
from studyapp.srs.models import DailyReviewStats, ReviewLog, StudyCard, StudySettings

# --- the pure model -----------------------------------------------------------------------


def test_default_weights_are_the_apps_fsrs_defaults():
    assert tuple(fsrs.scheduler.DEFAULT_PARAMETERS) == model.DEFAULT_WEIGHTS
    for default, (low, high) in zip(model.DEFAULT_WEIGHTS, model.WEIGHT_RANGES, strict=True):
        assert low <= default <= high


def test_hidden_parameters_differ_from_the_defaults_and_between_learners():
    profiles = [simulation.learner_profile(seed=0, index=index) for index in range(20)]
    for profile in profiles:
        assert len(profile.weights) == 21
        assert profile.weights != model.DEFAULT_WEIGHTS
        # Most weights move (w7 and a few others may sit on a range's edge).
        moved = sum(w != d for w, d in zip(profile.weights, model.DEFAULT_WEIGHTS, strict=True))
        assert moved >= 15
        for weight, (low, high) in zip(profile.weights, model.WEIGHT_RANGES, strict=True):
            assert low <= weight <= high
    assert len({profile.weights for profile in profiles}) == 20
    # The decay (w20) really varies: the forgetting curve itself differs between learners.
    decays = [profile.weights[20] for profile in profiles]
    assert max(decays) - min(decays) > 0.1
    # Same seed, same learner; another seed, another one.
    assert simulation.learner_profile(seed=0, index=3) == profiles[3]
    assert simulation.learner_profile(seed=1, index=3) != profiles[3]


def test_habits_some_learners_never_press_hard_or_easy():
    profiles = [simulation.learner_profile(seed=0, index=index) for index in range(60)]
    binary = [p for p in profiles if p.hard == 0 and p.easy == 0]
    assert 5 <= len(binary) <= 40
    rng = random.Random(1)
    ratings = {model.rating_for(binary[0], rng, recalled=True) for _ in range(500)}
    assert ratings == {model.GOOD}
    assert model.rating_for(binary[0], rng, recalled=False) == model.AGAIN
    other = next(p for p in profiles if p.hard > 0.05 and p.easy > 0.05)
    ratings = {model.rating_for(other, rng, recalled=True) for _ in range(500)}
    assert ratings == {model.HARD, model.GOOD, model.EASY}


def test_forgetting_curve_is_fsrs6():
    weights = model.DEFAULT_WEIGHTS
    assert model.retrievability(weights, 10.0, 0.0) == 1.0
    assert model.retrievability(weights, 10.0, 10.0) == pytest.approx(0.9)
    assert model.retrievability(weights, 10.0, 30.0) < 0.9
    # A steeper decay forgets faster beyond the stability.
    steep = (*weights[:20], 0.5)
    assert model.retrievability(steep, 10.0, 30.0) < model.retrievability(weights, 10.0, 30.0)


@pytest.mark.parametrize("rating", [1, 2, 3, 4])
def test_memory_model_matches_py_fsrs_with_the_same_weights(rating):
    """With the default weights the hidden model is FSRS-6 as py-fsrs computes it: first
    showing, a long-term review 5 days later, a same-day review."""
    scheduler = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    start = datetime(2026, 1, 5, 12, tzinfo=UTC)
    card, _log = scheduler.review_card(fsrs.Card(), fsrs.Rating(rating), review_datetime=start)
    trace = model.first_trace(model.DEFAULT_WEIGHTS, rating)
    assert trace.stability == pytest.approx(card.stability)
    assert trace.difficulty == pytest.approx(card.difficulty)
    later = start + timedelta(days=5)
    card, _log = scheduler.review_card(card, fsrs.Rating(3), review_datetime=later)
    trace = model.next_trace(model.DEFAULT_WEIGHTS, trace, 3, elapsed_days=5.0, same_day=False)
    assert trace.stability == pytest.approx(card.stability)
    assert trace.difficulty == pytest.approx(card.difficulty)
    soon = later + timedelta(minutes=10)
    card, _log = scheduler.review_card(card, fsrs.Rating(rating), review_datetime=soon)
    trace = model.next_trace(
        model.DEFAULT_WEIGHTS, trace, rating, elapsed_days=10 / 1440, same_day=True
    )
    assert trace.stability == pytest.approx(card.stability)
    assert trace.difficulty == pytest.approx(card.difficulty)


# --- runs through the services --------------------------------------------------------------


def _row_counts():
    return {
        model_class.__name__: model_class.objects.count()
        for model_class in (get_user_model(), StudySettings, StudyCard, ReviewLog, DailyReviewStats)
    }


def test_run_leaves_no_rows_behind(seed_deck, user):
    StudySettings.objects.create(user=user, desired_retention=0.8)
    before = _row_counts()
    runs = simulation.simulate(learners=2, days=8, seed=5, desired=(0.9,))
    assert _row_counts() == before
    assert StudySettings.objects.get(user=user).desired_retention == 0.8
    [run] = runs
    assert run.learners == 2
    # 20 cards over 8 days: learning steps and reviews were answered, some reviews counted.
    assert run.stats.answers > 40
    assert 0 < run.stats.reviews < run.stats.answers
    assert 0.0 <= run.achieved <= 1.0
    assert run.stats.sessions <= 16


def test_run_is_deterministic_with_its_seed(seed_deck):
    first = simulation.simulate(learners=2, days=6, seed=7, desired=(0.9,))
    second = simulation.simulate(learners=2, days=6, seed=7, desired=(0.9,))
    # The interval fuzz is seeded by card id: SQLite reuses the ids a rolled-back
    # transaction took, PostgreSQL's sequences do not (then only the learners are equal).
    if connection.vendor == "sqlite":
        assert first[0].stats == second[0].stats
    other = simulation.simulate(learners=2, days=6, seed=8, desired=(0.9,))
    assert other[0].stats != first[0].stats


def test_command_json_shape_is_exact(seed_deck):
    out = StringIO()
    call_command("simulate_study", "--learners", "1", "--days", "4", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert list(data) == ["runs"]
    assert [run["desired"] for run in data["runs"]] == [0.85, 0.90, 0.95]
    for run in data["runs"]:
        assert list(run) == ["desired", "achieved", "learners", "reviews"]
        assert run["learners"] == 1
        assert isinstance(run["reviews"], int)
        assert isinstance(run["achieved"], float)
        assert 0.0 <= run["achieved"] <= 1.0


def test_command_text_table(seed_deck):
    out = StringIO()
    call_command("simulate_study", "--learners", "1", "--days", "3", "--desired", "0.9", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("desired  achieved")
    assert lines[2].startswith("0.90")
    assert lines[3].startswith("desired  Hard=Good")
    assert lines[4].startswith("0.90")
    assert len(lines) == 5


def test_command_rejects_bad_arguments(seed_deck):
    with pytest.raises(CommandError):
        call_command("simulate_study", "--learners", "0")
    with pytest.raises(CommandError):
        call_command("simulate_study", "--desired", "0.99")


def test_command_without_content_says_so(db):
    with pytest.raises(CommandError, match="import_content"):
        call_command("simulate_study", "--learners", "1", "--days", "1")


def test_run_measures_the_learners_true_memory_not_the_schedulers_belief(seed_deck, monkeypatch):
    """The same schedule, a forgetful and a retentive hidden learner: the measure must tell
    them apart (a harness that only echoed the scheduler's prediction could never fail)."""
    base = simulation.learner_profile(seed=0, index=0)

    def scaled(factor):
        weights = list(model.DEFAULT_WEIGHTS)
        for index in range(4):  # initial stabilities
            weights[index] *= factor
        weights[8] = max(weights[8] + (factor - 1) * 0.5, 1.07)  # stability growth
        return dataclasses.replace(base, weights=tuple(weights), skip=0.0)

    results = {}
    for name, factor in (("forgetful", 0.3), ("retentive", 2.0)):
        profile = scaled(factor)
        monkeypatch.setattr(
            simulation, "learner_profile", lambda profile=profile, **kwargs: profile
        )
        [run] = simulation.simulate(learners=1, days=12, seed=0, desired=(0.9,))
        assert run.stats.reviews > 10
        results[name] = run
    assert results["forgetful"].expected < 0.85 < results["retentive"].expected
    assert results["forgetful"].achieved < results["retentive"].achieved


def test_calibration_learners_have_the_default_weights_and_never_skip():
    for index in range(5):
        sampled = simulation.learner_profile(seed=0, index=index)
        profile = simulation.learner_profile(seed=0, index=index, calibrate=True)
        assert profile.weights == model.DEFAULT_WEIGHTS
        assert profile.skip == 0.0
        assert (profile.hard, profile.easy, profile.seconds) == (
            sampled.hard,
            sampled.easy,
            sampled.seconds,
        )


def test_calibration_run_studies_every_day(seed_deck):
    [run] = simulation.simulate(learners=1, days=5, seed=3, desired=(0.9,), calibrate=True)
    assert run.stats.sessions == 5
    out = StringIO()
    call_command("simulate_study", "--learners", "1", "--days", "2", "--calibrate", stdout=out)
    assert out.getvalue().startswith("1 calibration learners × 2 days")


def test_optimize_trains_each_learner_on_the_simulated_clock(seed_deck, monkeypatch):
    from studyapp.srs import optimizer, tuning
    from studyapp.srs.models import ParameterEvaluation

    monkeypatch.setattr(optimizer, "MIN_REVIEWS", 15)
    monkeypatch.setattr(simulation, "OPTIMIZE_EVERY", 2)
    calls = []
    real = tuning.parameters_optimize

    def spy(*, user, now):
        calls.append(now)
        return real(user=user, now=now)

    monkeypatch.setattr(tuning, "parameters_optimize", spy)
    before = {**_row_counts(), "evaluations": ParameterEvaluation.objects.count()}
    first = simulation.simulate(learners=2, days=10, seed=3, desired=(0.9,), optimize=True)
    assert {**_row_counts(), "evaluations": ParameterEvaluation.objects.count()} == before
    stats = first[0].stats
    assert calls and stats.trainings >= 2
    assert 0 <= stats.accepted <= stats.trainings
    # The learner pressed the button on the simulated clock, not today's.
    start = datetime(2026, 1, 5, tzinfo=UTC)
    assert all(start <= now < start + timedelta(days=12) for now in calls)
    second = simulation.simulate(learners=2, days=10, seed=3, desired=(0.9,), optimize=True)
    if connection.vendor == "sqlite":
        assert second[0].stats == stats
    out = StringIO()
    call_command(
        "simulate_study", "--learners", "1", "--days", "4", "--optimize", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert [list(run) for run in data["runs"]] == [
        ["desired", "achieved", "learners", "reviews"]
    ] * 3


def test_keeping_learners_aim_higher_after_a_shortfall_and_no_keeping_ones_do_not(seed_deck):
    """Over 20 days the simulated learners fall short at first (young cards): with retention
    keeping their cards are scheduled above the desired retention, without it never."""
    seen = {}

    def record(keeping):
        original = services.retention_target

        def spy(*, settings, now):
            target = original(settings=settings, now=now)
            seen.setdefault(keeping, set()).add(target)
            return target

        return spy

    for keeping in (True, False):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(services, "retention_target", record(keeping))
            simulation.simulate(learners=1, days=20, seed=3, desired=(0.9,), keeping=keeping)
    assert max(seen[True]) > 0.9
    assert seen[False] == {0.9}


def test_command_no_keeping_flag(seed_deck):
    out = StringIO()
    call_command(
        "simulate_study",
        "--learners",
        "1",
        "--days",
        "3",
        "--desired",
        "0.9",
        "--no-keeping",
        stdout=out,
    )
    assert "(retention keeping off)" in out.getvalue().splitlines()[0]
