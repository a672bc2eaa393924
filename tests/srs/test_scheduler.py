"""The pure FSRS wrapper: states, intervals, deterministic fuzz."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from studyapp.srs.scheduler import Memory, format_due_in, format_interval, preview, review

NOW = datetime(2025, 3, 12, 15, 0, tzinfo=UTC)


def test_new_card_rated_good_enters_learning_then_review():
    first = review(Memory(), 3, now=NOW, seed=1)
    assert first.memory.state == "learning"
    assert first.memory.step == 1
    assert first.interval == timedelta(minutes=10)

    second = review(first.memory, 3, now=NOW + timedelta(minutes=10), seed=1)
    assert second.memory.state == "review"
    assert second.memory.step is None
    assert second.interval >= timedelta(days=1)
    assert second.memory.reps == 2


def test_new_card_again_stays_at_first_learning_step():
    outcome = review(Memory(), 1, now=NOW, seed=1)
    assert outcome.memory.state == "learning"
    assert outcome.interval == timedelta(minutes=1)


def test_review_again_puts_card_in_relearning_and_counts_a_lapse():
    card = Memory(
        state="review",
        stability=20.0,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(days=20),
        reps=5,
    )
    outcome = review(card, 1, now=NOW, seed=7)
    assert outcome.memory.state == "relearning"
    assert outcome.memory.step == 0
    assert outcome.interval == timedelta(minutes=10)
    assert outcome.memory.lapses == 1
    assert outcome.memory.stability < 20.0


def test_eighth_lapse_is_a_leech():
    card = Memory(
        state="review",
        stability=5.0,
        difficulty=9.0,
        due=NOW,
        last_review=NOW - timedelta(days=5),
        reps=30,
        lapses=7,
    )
    assert review(card, 1, now=NOW, seed=3).leech
    assert not review(card, 3, now=NOW, seed=3).leech


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(min_value=1, max_value=10**9),
    reps=st.integers(min_value=0, max_value=200),
    stability=st.floats(min_value=0.5, max_value=3000),
    elapsed=st.integers(min_value=1, max_value=400),
)
def test_labels_equal_outcomes(seed, reps, stability, elapsed):
    card = Memory(
        state="review",
        stability=stability,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(days=elapsed),
        reps=reps,
    )
    labels = preview(card, now=NOW, seed=seed)
    for rating, interval in labels.items():
        assert review(card, rating, now=NOW, seed=seed).interval == interval


@settings(max_examples=80, deadline=None)
@given(
    state=st.sampled_from(["new", "learning", "relearning", "review"]),
    step=st.integers(min_value=0, max_value=2),
    seed=st.integers(min_value=1, max_value=10**9),
    stability=st.floats(min_value=0.5, max_value=3000),
    elapsed=st.integers(min_value=0, max_value=400),
    retention=st.sampled_from([0.8, 0.9, 0.95]),
    maximum=st.sampled_from([30, 36500]),
)
def test_the_preview_of_every_state_equals_each_answer(
    state, step, seed, stability, elapsed, retention, maximum
):
    """preview() computes the four ratings in one context: each equals review()'s."""
    new = state == "new"
    card = Memory(
        state=state,
        step=0 if new else step,
        stability=None if new else stability,
        difficulty=None if new else 5.0,
        due=NOW,
        last_review=None if new else NOW - timedelta(days=elapsed),
        reps=0 if new else 3,
    )
    options = {"desired_retention": retention, "maximum_interval": maximum}
    labels = preview(card, now=NOW, seed=seed, **options)
    for rating, interval in labels.items():
        assert review(card, rating, now=NOW, seed=seed, **options).interval == interval


def test_fuzz_depends_on_card_and_review_count():
    base = dict(
        state="review",
        stability=60.0,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(days=60),
    )
    intervals = {
        review(Memory(**base, reps=reps), 3, now=NOW, seed=seed).interval
        for seed in range(1, 15)
        for reps in range(3)
    }
    assert len(intervals) > 1  # fuzz is applied …
    again = review(Memory(**base, reps=2), 3, now=NOW, seed=9).interval
    assert again == review(Memory(**base, reps=2), 3, now=NOW, seed=9).interval  # … reproducibly


def test_higher_retention_gives_shorter_intervals():
    card = Memory(
        state="review",
        stability=30.0,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(days=30),
    )
    low = review(card, 3, now=NOW, seed=1, desired_retention=0.70).interval
    high = review(card, 3, now=NOW, seed=1, desired_retention=0.97).interval
    assert high < low


def test_maximum_interval_caps_intervals():
    card = Memory(
        state="review",
        stability=3000.0,
        difficulty=2.0,
        due=NOW,
        last_review=NOW - timedelta(days=3000),
    )
    assert review(card, 4, now=NOW, seed=1, maximum_interval=30).interval <= timedelta(days=30)


def test_rating_outside_1_to_4_is_rejected():
    with pytest.raises(ValueError):
        review(Memory(), 5, now=NOW, seed=1)


@pytest.mark.parametrize(
    ("interval", "label"),
    [
        (timedelta(minutes=1), "<1 min"),
        (timedelta(minutes=10), "<10 min"),
        (timedelta(hours=5), "5 h"),
        (timedelta(days=1), "1 d"),
        (timedelta(days=3), "3 d"),
        (timedelta(days=150), "5 meses"),
        (timedelta(days=550), "1,5 anos"),
        (timedelta(days=730), "2 anos"),
    ],
)
def test_interval_labels(interval, label):
    # Explicit: an earlier test's request may have left another language active.
    with translation.override("pt-br"):
        assert format_interval(interval) == label


@pytest.mark.parametrize(
    ("interval", "label"),
    [
        (timedelta(minutes=10), "<10 min"),
        (timedelta(days=3), "3 d"),
        (timedelta(days=150), "5 mo"),
        (timedelta(days=365), "1 year"),
        (timedelta(days=550), "1.5 years"),
    ],
)
def test_interval_labels_in_english(interval, label):
    with translation.override("en"):
        assert format_interval(interval) == label


@pytest.mark.parametrize(
    ("language", "interval", "phrase"),
    [
        ("pt-br", timedelta(seconds=20), "em menos de um minuto"),
        ("pt-br", timedelta(minutes=1), "em 1 minuto"),
        ("pt-br", timedelta(hours=5), "em 5 horas"),
        ("pt-br", timedelta(days=3), "em 3 dias"),
        ("pt-br", timedelta(days=550), "em 1,5 anos"),
        ("en", timedelta(days=1), "in 1 day"),
        ("en", timedelta(days=3), "in 3 days"),
        ("en", timedelta(days=150), "in 5 months"),
        ("en", timedelta(days=550), "in 1.5 years"),
    ],
)
def test_due_in_phrases_are_localized(language, interval, phrase):
    with translation.override(language):
        assert format_due_in(interval) == phrase
