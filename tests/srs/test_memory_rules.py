"""Anki's rules in the pure scheduler: study-day dues and elapsed days, interval order and
fuzz, leeches (issue 12, points 1–3)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studyapp.srs import timing
from studyapp.srs.scheduler import (
    Memory,
    build_scheduler,
    current_interval,
    fuzz_bounds,
    fuzzed,
    leech_threshold_met,
    preview,
    review,
    study_days_between,
)

SAO_PAULO = ZoneInfo("America/Sao_Paulo")  # UTC-3, no DST since 2019
TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")  # DST from 2025-03-09 02:00


def local(tz, *args):
    return datetime(*args, tzinfo=tz).astimezone(UTC)


def review_card(now, *, elapsed_days=10, stability=10.0, difficulty=5.0, **fields):
    last = now - timedelta(days=elapsed_days)
    return Memory(
        state="review",
        stability=stability,
        difficulty=difficulty,
        due=now,
        last_review=last,
        reps=fields.pop("reps", 5),
        **fields,
    )


# --- 1. study-day dues -----------------------------------------------------------------------


def test_review_card_is_due_from_the_start_of_its_study_day():
    now = local(SAO_PAULO, 2025, 3, 12, 21, 0)  # 21:00 local
    outcome = review(review_card(now), 3, now=now, seed=5, tz=SAO_PAULO)
    days = outcome.interval.days
    assert outcome.interval == timedelta(days=days) and days >= 1
    due_local = outcome.memory.due.astimezone(SAO_PAULO)
    assert (due_local.date() - now.astimezone(SAO_PAULO).date()).days == days
    assert (due_local.hour, due_local.minute) == (4, 0)
    # A learner studying at 08:00 that day finds it due; at 03:59 (the day before) not yet.
    morning = datetime.combine(due_local.date(), datetime.min.time(), SAO_PAULO)
    assert outcome.memory.due <= (morning + timedelta(hours=8)).astimezone(UTC)
    assert outcome.memory.due > (morning + timedelta(hours=3, minutes=59)).astimezone(UTC)


@pytest.mark.parametrize(
    ("hour", "minute", "study_date"),
    [(3, 59, 11), (4, 0, 12), (23, 59, 12)],
)
def test_rollover_boundary_decides_the_day_an_interval_counts_from(hour, minute, study_date):
    now = local(SAO_PAULO, 2025, 3, 12, hour, minute)
    outcome = review(review_card(now), 3, now=now, seed=5, tz=SAO_PAULO)
    due_day = timing.study_day(outcome.memory.due, SAO_PAULO)
    assert (due_day - datetime(2025, 3, study_date).date()).days == outcome.interval.days


def test_each_learner_gets_04_00_in_their_own_time_zone():
    now = datetime(2025, 3, 12, 15, 0, tzinfo=UTC)  # 12:00 São Paulo, 00:00 (13th) Tokyo
    card = review_card(now)
    sp = review(card, 3, now=now, seed=5, tz=SAO_PAULO)
    tokyo = review(card, 3, now=now, seed=5, tz=TOKYO)
    assert sp.interval == tokyo.interval
    assert sp.memory.due.astimezone(SAO_PAULO).hour == 4
    assert tokyo.memory.due.astimezone(TOKYO).hour == 4
    # In Tokyo 00:00 still belongs to the 12th's study day: the same local due date.
    assert sp.memory.due.astimezone(SAO_PAULO).date() == tokyo.memory.due.astimezone(TOKYO).date()


def test_due_stays_at_04_00_local_across_a_dst_change():
    now = local(NEW_YORK, 2025, 3, 7, 20, 0)  # EST; DST starts on the 9th
    outcome = review(
        review_card(now, stability=3.0, elapsed_days=3), 3, now=now, seed=2, tz=NEW_YORK
    )
    due_local = outcome.memory.due.astimezone(NEW_YORK)
    assert due_local.date() > datetime(2025, 3, 9).date()
    assert (due_local.hour, due_local.minute) == (4, 0)
    assert (due_local.date() - datetime(2025, 3, 7).date()).days == outcome.interval.days
    # 23 hours of wall clock across the change still count as one study day.
    before = local(NEW_YORK, 2025, 3, 8, 5, 0)
    after = local(NEW_YORK, 2025, 3, 9, 5, 0)
    assert after - before == timedelta(hours=23)
    assert study_days_between(before, after, NEW_YORK) == 1


def test_learning_steps_keep_exact_times():
    now = local(SAO_PAULO, 2025, 3, 12, 21, 7)
    first = review(Memory(), 3, now=now, seed=1, tz=SAO_PAULO)
    assert first.memory.due == now + timedelta(minutes=10)
    lapse = review(review_card(now), 1, now=now, seed=1, tz=SAO_PAULO)
    assert lapse.memory.state == "relearning" and lapse.memory.due == now + timedelta(minutes=10)


def _plain_fsrs_stability(memory, rating, now, elapsed_days):
    card = fsrs.Card(
        card_id=1,
        state=fsrs.State.Review,
        step=None,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=now,
        last_review=now - timedelta(days=elapsed_days),
    )
    card, _ = build_scheduler().review_card(card, fsrs.Rating(rating), review_datetime=now)
    return card.stability


@pytest.mark.parametrize(
    ("last", "now", "study_days"),
    [
        # 6 h but across the 04:00 rollover: one study day (24-h periods: 0, short-term).
        ((2025, 3, 11, 23, 0), (2025, 3, 12, 5, 0), 1),
        # 26 h from before one rollover to after the next: 2 study days (24-h periods: 1).
        ((2025, 3, 11, 3, 0), (2025, 3, 12, 5, 0), 2),
        # 3 days 20 h: 4 study days (24-h periods: 3).
        ((2025, 3, 8, 8, 0), (2025, 3, 12, 4, 0), 4),
    ],
)
def test_fsrs_gets_elapsed_study_days(last, now, study_days):
    last, now = local(SAO_PAULO, *last), local(SAO_PAULO, *now)
    assert study_days_between(last, now, SAO_PAULO) == study_days
    assert (now - last).days != study_days
    memory = Memory(
        state="review", stability=4.0, difficulty=5.0, due=now, last_review=last, reps=4
    )
    outcome = review(memory, 3, now=now, seed=1, tz=SAO_PAULO)
    assert outcome.memory.stability == pytest.approx(
        _plain_fsrs_stability(memory, 3, now, study_days)
    )
    assert outcome.memory.last_review == now


def test_current_interval_counts_study_days():
    now = local(SAO_PAULO, 2025, 3, 12, 21, 0)
    outcome = review(review_card(now), 3, now=now, seed=5, tz=SAO_PAULO)
    assert current_interval(outcome.memory, SAO_PAULO) == outcome.interval.days


# --- 2. interval rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "minimum", "maximum", "lower", "middle", "upper"),
    [
        # Anki's own cases (rslib/src/scheduler/states/fuzz.rs, test with_review_fuzz).
        (1.0, 1, 1000, 1, 1, 1),
        (2.49, 1, 1000, 2, 2, 2),
        (2.5, 1, 1000, 2, 3, 4),
        (7.0, 1, 1000, 5, 7, 9),
        (17.0, 1, 1000, 14, 17, 20),
        (37.0, 1, 1000, 33, 37, 41),
        (2.0, 2, 1000, 2, 2, 2),
        (2.0, 3, 1000, 3, 4, 4),
        (2.0, 3, 3, 3, 3, 3),
        (6.9, 3, 1000, 5, 7, 9),
        (19.9, 3, 1000, 17, 20, 23),
        (20.1, 3, 1000, 17, 20, 23),
        (100.0, 101, 1000, 101, 105, 108),
        (100.0, 1, 99, 92, 96, 99),
        (100.0, 97, 103, 97, 100, 103),
    ],
)
def test_fuzz_matches_anki(interval, minimum, maximum, lower, middle, upper):
    assert fuzzed(interval, 0.0, minimum=minimum, maximum=maximum) == lower
    assert fuzzed(interval, 0.5, minimum=minimum, maximum=maximum) == middle
    assert fuzzed(interval, 0.99, minimum=minimum, maximum=maximum) == upper


@settings(max_examples=200, deadline=None)
@given(
    interval=st.floats(min_value=0.1, max_value=5000),
    fuzz=st.floats(min_value=0.0, max_value=0.999999),
)
def test_fuzz_floors_within_the_range(interval, fuzz):
    lower, upper = fuzz_bounds(interval, 1, 36500)
    assert lower <= fuzzed(interval, fuzz, minimum=1, maximum=36500) <= upper


NOW = datetime(2025, 3, 12, 15, 0, tzinfo=UTC)


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(min_value=1, max_value=10**9),
    reps=st.integers(min_value=1, max_value=100),
    stability=st.floats(min_value=0.2, max_value=2000),
    difficulty=st.floats(min_value=1, max_value=10),
    scheduled=st.integers(min_value=1, max_value=500),
    late=st.integers(min_value=-5, max_value=60),
)
def test_hard_good_easy_are_ordered_and_not_shorter(
    seed, reps, stability, difficulty, scheduled, late
):
    elapsed = max(0, scheduled + late)
    last = NOW - timedelta(days=elapsed)
    due = timing.day_start(last, SAO_PAULO) + timedelta(days=scheduled)
    card = Memory(
        state="review",
        stability=stability,
        difficulty=difficulty,
        due=due,
        last_review=last,
        reps=reps,
    )
    labels = preview(card, now=NOW, seed=seed, tz=SAO_PAULO)
    hard, good, easy = (labels[r].days for r in (2, 3, 4))
    assert hard >= 1 and good >= hard + 1 and easy >= good + 1
    current = current_interval(card, SAO_PAULO)
    for rating in (2, 3, 4):
        outcome = review(card, rating, now=NOW, seed=seed, tz=SAO_PAULO)
        assert outcome.interval == labels[rating]  # labels stay what the card gets
        # Whenever the model's own interval is longer than the current one, fuzz keeps it
        # longer; when it rounds to the current one, fuzz does not make it shorter.
        days = outcome.interval.days
        raw = outcome.memory.stability * _factor()
        if raw > current:
            assert days >= current + 1
        elif round(raw) >= current:
            assert days >= current


def _factor():
    scheduler = build_scheduler()
    return (scheduler.desired_retention ** (1 / scheduler._DECAY) - 1) / scheduler._FACTOR


def test_maximum_interval_still_caps_every_button():
    card = review_card(NOW, stability=3000.0, elapsed_days=300, difficulty=2.0)
    labels = preview(card, now=NOW, seed=1, maximum_interval=30, tz=SAO_PAULO)
    assert all(labels[r] <= timedelta(days=30) for r in (2, 3, 4))


def test_easy_graduation_is_longer_than_good():
    now = NOW
    learning = Memory(
        state="learning", step=1, stability=2.3, difficulty=5.0, due=now, last_review=now, reps=1
    )
    for seed in range(1, 40):
        labels = preview(learning, now=now + timedelta(minutes=10), seed=seed, tz=SAO_PAULO)
        assert labels[4].days >= labels[3].days + 1


# --- 3. leeches ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lapses", "threshold", "leech"),
    [
        (0, 3, False),
        (2, 3, False),
        (3, 3, True),
        (4, 3, False),
        (5, 3, True),
        (7, 3, True),
        (7, 8, False),
        (8, 8, True),
        (9, 8, False),
        (11, 8, False),
        (12, 8, True),
        (16, 8, True),
        (0, 0, False),
        (1, 1, True),
        (2, 1, True),
    ],
)
def test_leech_rule_is_ankis(lapses, threshold, leech):
    assert leech_threshold_met(lapses, threshold) is leech


def test_leech_at_threshold_then_every_half_threshold():
    leeches = []
    card = review_card(NOW, stability=3.0)
    for lapse in range(1, 17):
        outcome = review(card, 1, now=NOW, seed=3, tz=SAO_PAULO)
        assert outcome.memory.lapses == lapse
        if outcome.leech:
            leeches.append(lapse)
        card = review_card(NOW, stability=3.0, lapses=lapse, leech=outcome.memory.leech)
    assert leeches == [8, 12, 16]
    assert card.leech  # the tag stays


def test_leech_threshold_is_a_parameter_and_passing_is_never_a_leech():
    card = review_card(NOW, lapses=3)
    assert review(card, 1, now=NOW, seed=3, leech_threshold=4).leech
    assert not review(card, 1, now=NOW, seed=3).leech
    assert not review(card, 3, now=NOW, seed=3, leech_threshold=4).leech
    learning = Memory(state="relearning", step=0, stability=1.0, difficulty=8.0, lapses=3)
    assert not review(learning, 1, now=NOW, seed=3, leech_threshold=4).leech
