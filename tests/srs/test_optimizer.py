"""The pure optimizer core: study-day items, held-out evaluation, the synthetic learner."""

import re
from datetime import UTC, datetime

import pytest

from studyapp.srs import optimizer, scheduler
from studyapp.srs.optimizer import Answer


def test_items_use_study_day_gaps_and_score_only_later_days():
    answers = [
        Answer(card=1, day=10, rating=1, new=True),
        Answer(card=1, day=10, rating=3),  # same-day step: kept in history, not scored
        Answer(card=2, day=10, rating=3, new=True),
        Answer(card=1, day=11, rating=3),
        Answer(card=1, day=14, rating=2),
        Answer(card=3, day=14, rating=3),  # no start as a new card in the log: skipped
    ]
    scored = optimizer.samples(answers)
    assert [(s.card, s.position) for s in scored] == [(1, 3), (1, 4)]
    # The binding shows a review only in its repr: "FSRSReview { rating: 3, delta_t: 1 }".
    pairs = re.findall(r"rating: (\d), delta_t: (\d+)", repr(scored[-1].item))
    assert pairs == [("1", "0"), ("3", "0"), ("3", "1"), ("2", "3")]


def test_split_holds_out_the_latest_fifth_by_time():
    answers = [Answer(card=c, day=0, rating=3, new=True) for c in range(10)]
    answers += [Answer(card=c, day=1 + c, rating=3) for c in range(10)]
    training, held_out = optimizer.split(optimizer.samples(answers))
    assert [s.card for s in training] == list(range(8))
    assert [s.card for s in held_out] == [8, 9]


def test_below_the_minimum_nothing_is_trained():
    answers = optimizer.synthetic_log(optimizer.hidden_parameters(1), reviews=100, seed=1)
    result = optimizer.optimize(answers)
    assert result.enough is False
    assert result.reviews == 100
    assert result.accepted is False and result.parameters == []


def test_training_closes_most_of_the_gap_to_the_hidden_parameters():
    true = optimizer.hidden_parameters(1)
    assert true != list(optimizer.DEFAULT_PARAMETERS)
    answers = optimizer.synthetic_log(true, reviews=3000, seed=1)
    scored = optimizer.samples(answers)
    training, held_out = optimizer.split(scored)
    trained = optimizer.train(training)
    default_loss, _ = optimizer.score(optimizer.DEFAULT_PARAMETERS, held_out)
    trained_loss, _ = optimizer.score(trained, held_out)
    true_loss, _ = optimizer.score(true, held_out)
    assert true_loss < default_loss
    assert trained_loss < default_loss
    result = optimizer.optimize(answers)
    assert result.accepted and result.reviews == 3000
    assert result.logloss_after == pytest.approx(trained_loss)


def test_kept_only_when_held_out_loss_is_lower():
    true = optimizer.hidden_parameters(2)
    answers = optimizer.synthetic_log(true, reviews=600, seed=2)
    # Starting from the true parameters, whatever 480 reviews train cannot be kept
    # unless it predicts the latest 120 better than the truth does.
    result = optimizer.optimize(answers, current=true)
    assert result.accepted == (result.logloss_after < result.logloss_before)


def test_trained_parameters_fit_the_scheduler():
    answers = optimizer.synthetic_log(optimizer.hidden_parameters(3), reviews=800, seed=3)
    result = optimizer.optimize(answers)
    parameters = tuple(result.parameters)
    memory = scheduler.Memory()
    now = datetime(2025, 3, 12, 15, tzinfo=UTC)
    default = scheduler.review(memory, 3, now=now, seed=7).memory
    personal = scheduler.review(memory, 3, now=now, seed=7, parameters=parameters).memory
    assert personal.stability == pytest.approx(parameters[2], rel=1e-4)
    assert default.stability == pytest.approx(optimizer.DEFAULT_PARAMETERS[2], rel=1e-4)


def test_synthetic_learner_is_seeded():
    true = optimizer.hidden_parameters(4)
    first = optimizer.synthetic_log(true, reviews=300, seed=4)
    assert first == optimizer.synthetic_log(true, reviews=300, seed=4)
    assert first != optimizer.synthetic_log(true, reviews=300, seed=5)
    capped = optimizer.synthetic_log(true, reviews=300, seed=4, max_cards=20)
    assert {a.card for a in capped} == set(range(1, 21))


def test_memory_states_replay_the_history():
    parameters = optimizer.DEFAULT_PARAMETERS
    states = optimizer.memory_states(parameters, {5: [(1, 3)], 6: [(1, 4), (4, 3)]})
    assert states[5][0] == pytest.approx(parameters[2], rel=1e-4)
    assert states[6][0] > parameters[3]


def test_suggested_retention_is_a_valid_setting():
    value = optimizer.suggest_retention(
        optimizer.hidden_parameters(1), deck_size=300, new_per_day=20, reviews_per_day=200
    )
    assert 0.70 <= value <= 0.97


def test_a_training_failure_keeps_the_current_parameters(monkeypatch):
    answers = optimizer.synthetic_log(optimizer.hidden_parameters(1), reviews=500, seed=1)

    def refuse(scored, current=None):
        raise ValueError("invalid input")

    monkeypatch.setattr(optimizer, "train", refuse)
    result = optimizer.optimize(answers)
    assert result.enough and not result.accepted
    assert result.parameters == list(optimizer.DEFAULT_PARAMETERS)
    assert result.logloss_after == result.logloss_before
