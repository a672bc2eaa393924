"""The study day's rollover (04:00 local) and the time-zone fallback: srs/timing.py."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from studyapp.srs import timing


@pytest.mark.parametrize(
    ("tz", "local", "expected_start"),
    [
        ("America/Sao_Paulo", datetime(2025, 3, 12, 3, 59), datetime(2025, 3, 11, 4, 0)),
        ("America/Sao_Paulo", datetime(2025, 3, 12, 4, 0), datetime(2025, 3, 12, 4, 0)),
        ("Asia/Tokyo", datetime(2025, 3, 12, 3, 59), datetime(2025, 3, 11, 4, 0)),
        ("Asia/Tokyo", datetime(2025, 3, 12, 4, 0), datetime(2025, 3, 12, 4, 0)),
    ],
)
def test_study_day_starts_at_4am_local(tz, local, expected_start):
    zone = ZoneInfo(tz)
    now = local.replace(tzinfo=zone).astimezone(UTC)
    start = timing.day_start(now, zone)
    assert start == expected_start.replace(tzinfo=zone).astimezone(UTC)
    assert timing.next_day_start(now, zone) == (expected_start + timedelta(days=1)).replace(
        tzinfo=zone
    ).astimezone(UTC)
    assert timing.study_day(now, zone) == expected_start.date()


@pytest.mark.parametrize(
    ("local", "day"),
    [
        (datetime(2025, 3, 12, 0, 30), date(2025, 3, 11)),
        (datetime(2025, 3, 12, 3, 59, 59), date(2025, 3, 11)),
        (datetime(2025, 3, 12, 4, 0), date(2025, 3, 12)),
        (datetime(2025, 3, 12, 23, 59), date(2025, 3, 12)),
    ],
)
def test_a_moment_belongs_to_the_study_day_that_started_before_it(local, day):
    zone = ZoneInfo("America/Sao_Paulo")
    moment = local.replace(tzinfo=zone).astimezone(UTC)
    assert timing.study_day(moment, zone) == day
    assert timing.day_start(moment, zone) <= moment < timing.next_day_start(moment, zone)


@pytest.mark.parametrize("name", [None, "", "Mars/Olympus_Mons", "not a zone"])
def test_a_missing_or_unknown_time_zone_falls_back_to_sao_paulo(name):
    assert timing.zone(name) == ZoneInfo(timing.DEFAULT_TIMEZONE) == ZoneInfo("America/Sao_Paulo")


def test_a_known_time_zone_is_used():
    assert timing.zone("Asia/Tokyo") == ZoneInfo("Asia/Tokyo")
