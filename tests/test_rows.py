"""studyapp.rows: model instances from SQL rows equal the ORM's (aware datetimes, booleans,
JSON, dates), whatever the table alias."""

import pytest
from django.db import connection

from studyapp import rows
from studyapp.srs.models import StudyCard, StudySettings
from studyapp.srs.services import cards_ensure, study_settings_get, study_settings_update

pytestmark = pytest.mark.django_db


def fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def read(model, alias: str | None, pk: int):
    where = f"{alias}.id" if alias else "id"
    sql = f"SELECT {rows.columns(model, alias)} FROM {rows.table(model)} {alias or ''}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} WHERE {where} = %s", [pk])  # noqa: S608
        return rows.instance(model, cursor.fetchone())


@pytest.mark.parametrize("alias", [None, "c"])
def test_a_card_read_with_sql_equals_the_orms(user, seed_deck, alias):
    cards_ensure(user=user)
    card = StudyCard.objects.filter(user=user).order_by("id").first()
    StudyCard.objects.filter(pk=card.pk).update(suspended=True)
    mine = read(StudyCard, alias, card.pk)
    orm = StudyCard.objects.get(pk=card.pk)
    assert fields(mine) == fields(orm)
    assert mine.due.tzinfo is not None and mine.suspended is True
    assert not mine._state.adding


def test_settings_read_with_sql_equal_the_orms(user):
    settings = study_settings_get(user=user)
    study_settings_update(settings=settings, fsrs_parameters=[0.5] * 21)
    mine = read(StudySettings, "s", settings.pk)
    assert fields(mine) == fields(StudySettings.objects.get(pk=settings.pk))
    assert mine.fsrs_parameters == [0.5] * 21
    assert rows.width(StudySettings) == len(rows.columns(StudySettings).split(", "))


def test_insert_and_update_write_what_save_writes_and_send_its_signals(user, seed_deck):
    from datetime import timedelta

    from django.db.models.signals import post_save
    from django.utils import timezone

    from studyapp.srs.models import ReviewLog

    cards_ensure(user=user)
    card = StudyCard.objects.filter(user=user).order_by("id").first()
    now = timezone.now()
    sent = []

    def receiver(sender, instance, created, update_fields, **kwargs):
        sent.append((sender, instance.pk, created, update_fields))

    post_save.connect(receiver)
    try:
        log = ReviewLog(
            user_id=user.pk,
            card=card,
            rating=3,
            reviewed_at=now,
            state_before="new",
            state_after="learning",
            due_before=now,
            due_after=now + timedelta(minutes=10),
            interval_after=timedelta(minutes=10),
        )
        rows.insert(log)
        card.state, card.due, card.token = "learning", now + timedelta(minutes=10), "t0k"
        rows.update(card, ["state", "due", "token"])
    finally:
        post_save.disconnect(receiver)
    stored = ReviewLog.objects.get(pk=log.pk)
    assert fields(stored) == fields(log) and not log._state.adding
    assert fields(StudyCard.objects.get(pk=card.pk)) == fields(card)
    assert sent == [
        (ReviewLog, log.pk, True, None),
        (StudyCard, card.pk, False, frozenset({"state", "due", "token"})),
    ]


def test_a_long_query_runs_with_named_placeholders_and_gives_the_same_rows():
    """rows.execute passes a long query's ``%s`` as named placeholders: the same rows as the
    plain form, ``%%`` kept a literal percent sign, and the queries captured the same."""
    from django.test.utils import CaptureQueriesContext

    arms = " UNION ALL ".join("SELECT %s, %s || '%%s'" for _ in range(60))
    sql = f"SELECT * FROM ({arms}) q"  # noqa: S608
    assert len(sql) > rows.NAMED_FROM
    params = [value for n in range(60) for value in (n, f"v{n}%")]
    with CaptureQueriesContext(connection) as plain_queries, connection.cursor() as cursor:
        cursor.execute(sql, params)
        plain = cursor.fetchall()
    with CaptureQueriesContext(connection) as named_queries, connection.cursor() as cursor:
        rows.execute(cursor, sql, params)
        named = cursor.fetchall()
    assert named == plain
    assert plain[1] == (1, "v1%%s")
    assert len(named_queries) == len(plain_queries) == 1
    assert named_queries[0]["sql"] == plain_queries[0]["sql"]
    named_sql, names = rows._named(sql)
    assert names == tuple(f"p{n}" for n in range(120))
    assert "%s" not in named_sql.replace("%%s", "")


def test_a_short_query_or_one_without_parameters_runs_as_given():
    with connection.cursor() as cursor:
        rows.execute(cursor, "SELECT %s", [3])
        assert cursor.fetchone() == (3,)
        rows.execute(cursor, "SELECT 1" + " " * rows.NAMED_FROM, [])
        assert cursor.fetchone() == (1,)
