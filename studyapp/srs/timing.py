"""When a study day starts, and in which time zone: the one owner of that rule.

Like Anki's ``scheduler/timing.rs``: a study day runs from 04:00 to 04:00 in the learner's
time zone, so a session past midnight still counts for the evening it started. Daily limits
reset, buried cards come back and the daily roll-ups change rows at :func:`day_start`.
Everything that needs "today" or "the day of this review" calls this module.

Pure: no database. A learner's zone name comes from ``StudySettings.timezone``; a missing or
unknown name falls back to :data:`DEFAULT_TIMEZONE` (:func:`zone`).
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

DEFAULT_TIMEZONE = "America/Sao_Paulo"
DAY_STARTS_AT = time(4, 0)


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The time zone called ``name``; :data:`DEFAULT_TIMEZONE` when it is empty or unknown."""
    try:
        return zoneinfo.ZoneInfo(name or DEFAULT_TIMEZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(DEFAULT_TIMEZONE)


def study_day(moment: datetime, tz) -> date:
    """The study day ``moment`` belongs to: its local date, or the day before until 04:00."""
    local = moment.astimezone(tz)
    if local.time() < DAY_STARTS_AT:
        return local.date() - timedelta(days=1)
    return local.date()


def day_start(now: datetime, tz) -> datetime:
    """Start of the study day containing ``now``: 04:00 in the learner's time zone (UTC)."""
    local = now.astimezone(tz)
    start = datetime.combine(local.date(), DAY_STARTS_AT, tzinfo=tz)
    if local < start:
        start = datetime.combine(local.date() - timedelta(days=1), DAY_STARTS_AT, tzinfo=tz)
    return start.astimezone(UTC)


def next_day_start(now: datetime, tz) -> datetime:
    """When the next study day begins (daily limits reset, buried cards return)."""
    start = day_start(now, tz).astimezone(tz)
    return datetime.combine(start.date() + timedelta(days=1), DAY_STARTS_AT, tzinfo=tz).astimezone(
        UTC
    )
