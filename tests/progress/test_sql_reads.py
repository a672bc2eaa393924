"""The dashboard rebuild's reads that srs writes as SQL (``answers_since``, ``rollup_rows``)
give what the ORM's reading of the same rows gives (kept here as the reference): the same
rows, in the same order, with the same converted values (aware datetimes, dates, booleans)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from studyapp.content.models import Deck, Item
from studyapp.srs import selectors
from studyapp.srs.models import DailyReviewStats, ReviewLog
from studyapp.srs.rollups import DayStats

from .conftest import NOW, make_card, make_log

pytestmark = pytest.mark.django_db


def answers_since_by_orm(*, user, log_id: int) -> list[tuple]:
    """answers_since's rows as the ORM read them (before they were written as SQL)."""
    card_columns = tuple(f"card__{name}" for name in selectors.MEMORY_ROW_COLUMNS[2:-1])
    return list(
        selectors._answer_logs(user=user)
        .filter(pk__gt=log_id)
        .values_list("pk", *selectors.ANSWER_LOG_COLUMNS, "card__item__deck_id", *card_columns)
    )


def rollup_rows_by_orm(*, user, after: date, until: date) -> list[DayStats]:
    rows = DailyReviewStats.objects.filter(user=user, day__gt=after, day__lte=until)
    return [DayStats(*values) for values in rows.order_by("day").values_list(*DayStats._fields)]


@pytest.fixture
def history(user, other_user, utc_settings, tiny_content):
    """Logs of every kind answers_since must keep or leave out: another learner's, a retired
    item's, a retired deck's, a translation's; logs out of id order in time; a suspended and
    buried card; a new card answered in a quiz (no memory: left out of ``memory``)."""
    a1 = make_card(user, tiny_content["alpha1"], stability=10, last_review=NOW)
    a2 = make_card(user, tiny_content["alpha2"], state="new")  # untouched: no memory row
    b1 = make_card(
        user,
        tiny_content["beta1"],
        stability=5,
        last_review=NOW - timedelta(days=2),
        suspended=True,
        buried_until=NOW + timedelta(hours=20),
    )
    b2 = make_card(user, tiny_content["beta2"], stability=2, last_review=NOW)
    theirs = make_card(other_user, tiny_content["alpha1"], stability=3, last_review=NOW)
    logs = [
        make_log(a1, rating=3, at=NOW - timedelta(days=3)),
        make_log(a1, rating=1, at=NOW - timedelta(hours=2), rescheduled=False),
        make_log(b1, rating=4, at=NOW - timedelta(days=9)),  # a later id, an earlier time
        make_log(a2, rating=3, at=NOW - timedelta(hours=1), source=ReviewLog.Source.QUIZ),
        make_log(b2, rating=2, at=NOW - timedelta(minutes=5)),
        make_log(theirs, rating=3, at=NOW - timedelta(minutes=1)),
    ]
    return {"logs": logs, "items": tiny_content}


def _memory(rows: list[tuple], width: int) -> list[tuple]:
    memory = {}
    for row in rows:
        card = (row[1], row[width], *row[width + 1 :], row[2])
        if not (card[2] == "new" and not card[6] and card[4] is None):
            memory[card[-1]] = card
    return list(memory.values())


def _assert_same(user, log_id: int) -> selectors.AnswersSince:
    since = selectors.answers_since(user=user, log_id=log_id)
    reference = answers_since_by_orm(user=user, log_id=log_id)
    width = 1 + len(selectors.ANSWER_LOG_COLUMNS)
    assert since.answers == [row[:width] for row in reference]
    assert since.memory == _memory(reference, width)
    assert since.items == frozenset(row[2] for row in reference)
    assert since.last_log == max((row[0] for row in reference), default=log_id)
    return since


def test_answers_since_reads_what_the_orm_reads(user, history):
    logs = history["logs"]
    since = _assert_same(user, 0)
    assert [row[0] for row in since.answers] == [
        logs[4].pk,
        logs[3].pk,
        logs[1].pk,
        logs[0].pk,
        logs[2].pk,
    ]  # newest first (the log's order), never another learner's
    answer = since.answers[-1]
    assert timezone.is_aware(answer[3]) and answer[3] == NOW - timedelta(days=9)
    assert isinstance(answer[-1], bool)  # rescheduled
    buried = next(row for row in since.memory if row[-1] == history["items"]["beta1"].pk)
    assert buried[6] is True and buried[7] == NOW + timedelta(hours=20)
    assert history["items"]["alpha2"].pk not in {row[-1] for row in since.memory}
    for log in logs:
        _assert_same(user, log.pk)


def test_answers_since_leaves_out_retired_and_translated_items(user, history):
    items = history["items"]
    Item.objects.filter(pk=items["alpha1"].pk).update(retired_at=NOW)
    Deck.objects.filter(pk=items["beta1"].deck_id).update(retired_at=NOW)
    since = _assert_same(user, 0)
    assert [row[2] for row in since.answers] == [items["alpha2"].pk]
    Item.objects.filter(pk=items["alpha2"].pk).update(translation_of=items["alpha1"])
    assert _assert_same(user, 0).answers == []


def test_rollup_rows_read_what_the_orm_reads(user, other_user, history):
    today = NOW.date()
    for after, until in [
        (today - timedelta(days=30), today),
        (today - timedelta(days=3), today),  # the first day is left out, the last kept
        (today - timedelta(days=9), today - timedelta(days=3)),
        (today, today),
    ]:
        rows = selectors.rollup_rows(user=user, after=after, until=until)
        assert rows == rollup_rows_by_orm(user=user, after=after, until=until)
        assert all(type(row.day) is date and after < row.day <= until for row in rows)
    assert len(selectors.rollup_rows(user=user, after=today - timedelta(days=30), until=today)) == 3
