"""Daily roll-ups: true retention, streak and answer buttons on a known history."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command

from studyapp.progress.selectors import HEATMAP_DAYS, activity_from_rows
from studyapp.srs.models import DailyReviewStats
from studyapp.srs.rollups import rollup_unrecord, rollups_rebuild
from studyapp.srs.selectors import rollup_rows

from .conftest import make_card, make_log


def activity_get(*, user, today):
    """The learner's activity from their daily roll-ups, read whole (as a rebuild from an
    empty cache reads them: progress.selectors.learner_study)."""
    rows = rollup_rows(user=user, after=today - timedelta(days=HEATMAP_DAYS), until=today)
    return activity_from_rows(rows, today=today)


pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 15)


def at(day, hour, minute=0):
    return datetime(2025, *day, hour, minute, tzinfo=UTC)


@pytest.fixture
def history(user, utc_settings, tiny_content):
    a1 = make_card(user, tiny_content["alpha1"], stability=10)
    b1 = make_card(user, tiny_content["beta1"], stability=5)
    b2 = make_card(user, tiny_content["beta2"], state="learning", stability=1)
    logs = {
        # 15 June: A1 mature pass, then Again on A1 again (not the first of the day: ignored
        # for retention), B1 young fail.
        "a1_first": make_log(a1, rating=3, at=at((6, 15), 10), interval_days=30),
        "a1_again": make_log(a1, rating=1, at=at((6, 15), 10, 5), interval_days=30),
        "b1_fail": make_log(b1, rating=1, at=at((6, 15), 11), interval_days=5),
        # 03:30 on 15 June is still the study day of 14 June (days start at 04:00).
        "b1_night": make_log(b1, rating=3, at=at((6, 15), 3, 30), interval_days=5),
        "a1_easy": make_log(a1, rating=4, at=at((6, 13), 9), interval_days=3),
        # 12 June: no study (the streak stops). 11 June: a learning step (no retention).
        "b2_learning": make_log(b2, rating=3, at=at((6, 11), 9), state_before="learning"),
        # Older than 30 days: in the heatmap, not in retention or buttons.
        "old_fail": make_log(a1, rating=1, at=at((4, 1), 9), interval_days=40),
    }
    return logs


def test_true_retention_counts_first_review_of_the_day_for_young_and_mature(user, history):
    activity = activity_get(user=user, today=TODAY)
    assert (activity.young.passed, activity.young.failed) == (2, 1)
    assert (activity.mature.passed, activity.mature.failed) == (1, 0)
    assert activity.retention.rate == pytest.approx(3 / 4)


def test_streak_counts_consecutive_days_ending_today(user, history):
    activity = activity_get(user=user, today=TODAY)
    assert activity.streak == 3  # 15, 14, 13 June
    # Before studying on the 16th the streak still stands; after a missed day it is gone.
    assert activity_get(user=user, today=date(2025, 6, 16)).streak == 3
    assert activity_get(user=user, today=date(2025, 6, 17)).streak == 0


def test_answer_buttons_and_heatmap(user, history):
    activity = activity_get(user=user, today=TODAY)
    assert activity.buttons == {1: 2, 2: 0, 3: 3, 4: 1}
    days = dict(activity.days)
    assert days[TODAY] == 3
    assert days[date(2025, 6, 14)] == 1
    assert days[date(2025, 4, 1)] == 1
    assert activity.total_reviews == 7
    assert len(activity.days) == 365


def test_undo_takes_the_review_out_of_the_roll_up(user, history):
    rollup_unrecord(log=history["b1_fail"])
    history["b1_fail"].delete()
    activity = activity_get(user=user, today=TODAY)
    assert (activity.young.passed, activity.young.failed) == (2, 0)
    assert activity.buttons[1] == 1
    assert dict(activity.days)[TODAY] == 2


def test_rebuild_gives_the_same_roll_ups_as_recording_each_review(user, history):
    def snapshot():
        return list(
            DailyReviewStats.objects.order_by("day").values(
                "day",
                "reviews",
                "again",
                "hard",
                "good",
                "easy",
                "young_pass",
                "young_fail",
                "mature_pass",
                "mature_fail",
                "duration_ms",
            )
        )

    recorded = snapshot()
    assert rollups_rebuild() == len(recorded)
    assert snapshot() == recorded
    DailyReviewStats.objects.all().delete()
    call_command("rebuild_rollups", verbosity=0)
    assert snapshot() == recorded
