"""Model instances from hand-written SQL, for hot pages that read a few rows per request.

Building a query with the ORM costs about ten times running it on these pages (a one-row
``filter().only().first()``: ~200 µs to build, ~20 µs to run on SQLite), so the study session
and the quiz pages write their hot reads as SQL and turn the rows into the usual model
instances here, converted exactly as the ORM converts them (the backend's converters, e.g.
SQLite's aware datetimes and booleans, then each field's ``from_db_value``, e.g. JSON).

    sql = f"SELECT {rows.columns(Card, 'c')}, … FROM {rows.table(Card)} c …"
    card = rows.instance(Card, row[: rows.width(Card)])

The study answer also writes its two rows here (:func:`insert`, :func:`update`): the ORM's
``save()`` cost ~0.5 ms each to build; the signals ``save()`` sends are sent the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache

from django.db import connection
from django.db.models import signals


@cache
def _converters(model, vendor: str) -> tuple[tuple[int, object, tuple], ...]:
    """Per concrete field of ``model`` that has any: its position, its column expression and
    the ORM's converters for a value read from the database (the other fields' values are
    used as read)."""
    spec = tuple((model, "", field.name) for field in model._meta.concrete_fields)
    return _spec_converters(spec, vendor)


def table(model) -> str:
    """The quoted table name of ``model``."""
    return _table(model, connection.vendor)


def columns(model, alias: str | None = None) -> str:
    """The select list of every concrete column of ``model``, in ``_meta`` order (prefixed
    with the table alias ``alias`` when given)."""
    return _columns(model, alias, connection.vendor)


# Built once per model (and alias) and database vendor: the hot pages name the same tables
# and columns on every request (a study answer quoted ~130 names).
@cache
def _table(model, vendor: str) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def _columns(model, alias: str | None, vendor: str) -> str:
    prefix = f"{alias}." if alias else ""
    quote = connection.ops.quote_name
    return ", ".join(f"{prefix}{quote(field.column)}" for field in model._meta.concrete_fields)


def width(model) -> int:
    """How many values :func:`columns` selects."""
    return len(model._meta.concrete_fields)


def instance(model, values: Sequence):
    """A ``model`` instance from ``values`` (every concrete field, as :func:`columns`)."""
    if len(values) != len(model._meta.concrete_fields):
        raise ValueError(f"{model.__name__}: {len(values)} values for its concrete fields")
    converted = list(values)
    for position, column, funcs in _converters(model, connection.vendor):
        value = converted[position]
        for func in funcs:
            value = func(value, column, connection)
        converted[position] = value
    return model.from_db(connection.alias, None, converted)


def value(model, name: str, raw):
    """``raw``, read from ``model``'s field ``name`` by hand-written SQL, converted as the ORM
    converts it (e.g. a due time read on SQLite: an aware datetime)."""
    if raw is None:
        return None
    column, funcs = _field_converters(model, name, connection.vendor)
    for func in funcs:
        raw = func(raw, column, connection)
    return raw


@cache
def _field_converters(model, name: str, vendor: str) -> tuple[object, tuple]:
    """The column expression of ``model``'s field ``name`` and the ORM's converters for a
    value read from it (the backend's, then the field's)."""
    column = model._meta.get_field(name).get_col(model._meta.db_table)
    funcs = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    return column, tuple(funcs)


def fields(spec: tuple[tuple[object, str, str], ...]) -> str:
    """The select list of ``spec``'s fields, each (model, table alias, field name), in order
    (for columns of joined tables: ``SELECT {rows.fields(spec)} FROM … l INNER JOIN … c``)."""
    return _fields(spec, connection.vendor)


@cache
def _fields(spec: tuple, vendor: str) -> str:
    quote = connection.ops.quote_name
    return ", ".join(
        f"{alias}.{quote(model._meta.get_field(name).column)}" for model, alias, name in spec
    )


def converted(spec: tuple[tuple[object, str, str], ...], row: Sequence) -> tuple:
    """``row``, read with :func:`fields` of ``spec``, each value converted as the ORM's
    ``values_list`` of those fields converts it (as :func:`value`: None stays None)."""
    out = list(row)
    for position, column, funcs in _spec_converters(spec, connection.vendor):
        raw = out[position]
        if raw is not None:
            for func in funcs:
                raw = func(raw, column, connection)
            out[position] = raw
    return tuple(out)


@cache
def _spec_converters(spec: tuple, vendor: str) -> tuple[tuple[int, object, tuple], ...]:
    """Per field of ``spec`` that has any: its position, its column expression and the ORM's
    converters."""
    found = []
    for position, (model, _alias, name) in enumerate(spec):
        column, funcs = _field_converters(model, name, vendor)
        if funcs:
            found.append((position, column, funcs))
    return tuple(found)


def insert(instance) -> None:
    """Save a new ``instance`` (auto primary key) with one SQL INSERT, as ``save()`` would:
    fields' ``pre_save`` (e.g. ``auto_now_add``) and database preparation, the new primary
    key set, ``pre_save``/``post_save`` sent (their receivers, e.g. the dashboard cache's
    versions, still run)."""
    model = type(instance)
    meta = model._meta
    signals.pre_save.send(
        sender=model, instance=instance, raw=False, using=connection.alias, update_fields=None
    )
    fields = [field for field in meta.concrete_fields if field is not meta.pk]
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    sql = _insert_sql(model, connection.vendor)
    returning = connection.features.can_return_columns_from_insert
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias
    _saved(instance, created=True, update_fields=None)


@cache
def _insert_sql(model, vendor: str) -> str:
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.pk]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {table(model)} ({', '.join(quote(f.column) for f in fields)})"  # noqa: S608
        f" VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if connection.features.can_return_columns_from_insert:
        sql += f" RETURNING {quote(meta.pk.column)}"
    return sql


def _saved(instance, *, created: bool, update_fields) -> None:
    """``post_save`` as ``save()`` sends it."""
    signals.post_save.send(
        sender=type(instance),
        instance=instance,
        created=created,
        update_fields=update_fields,
        raw=False,
        using=connection.alias,
    )


def update(instance, update_fields) -> None:
    """``instance.save(update_fields=…)`` as one SQL UPDATE by primary key (the fields'
    database preparation, ``pre_save``/``post_save`` sent as ``save()`` sends them)."""
    model = type(instance)
    meta = model._meta
    names = frozenset(update_fields)
    signals.pre_save.send(
        sender=model, instance=instance, raw=False, using=connection.alias, update_fields=names
    )
    fields = [field for field in meta.concrete_fields if field.name in names]
    values = [
        field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields
    ]
    sql = _update_sql(model, tuple(field.column for field in fields), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, instance.pk])
    _saved(instance, created=False, update_fields=names)


@cache  # one per model and set of fields updated (the study answer: one)
def _update_sql(model, columns: tuple[str, ...], vendor: str) -> str:
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    return f"UPDATE {table(model)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608


def pk_fits(model, value: int) -> bool:
    """Whether ``value`` can be a primary key of ``model`` in this database (:func:`fits`)."""
    return fits(model._meta.pk, value)


def fits(field, value: int) -> bool:
    """Whether the integer column of ``field`` can hold ``value`` in this database: an id or
    a position from a URL beyond the database's integers is no such row (the ORM's lookup
    says the same; SQL parameters would overflow)."""
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return (low is None or low <= value) and (high is None or value <= high)


# Django's "format" placeholder (``%s``, not ``%%s``), as its SQLite backend finds it.
_PLACEHOLDER = re.compile(r"(?<!%)%s")
# Above this length the query goes with named placeholders (see :func:`execute`).
NAMED_FROM = 1000


def execute(cursor, sql: str, params: Sequence):
    """``cursor.execute(sql, params)`` for a long query: its ``%s`` placeholders are passed
    as named ones (``%(p0)s`` …, the values as a dict), the same statement and values. The
    SQLite backend turns ``%s`` into ``?`` with a regular expression on every execution
    (~75 µs for the study queue's 4 KB of SQL), named ones with one ``%`` (a few µs); the
    named form is kept per query text. PostgreSQL takes either form."""
    if len(sql) < NAMED_FROM or not params:
        return cursor.execute(sql, params)
    named, names = _named(sql)
    if len(names) != len(params):  # as the unnamed form would: the driver says what is wrong
        return cursor.execute(sql, params)
    return cursor.execute(named, dict(zip(names, params, strict=True)))


@lru_cache(maxsize=256)  # a few shapes of each hot query (scopes, deck limits, held cards)
def _named(sql: str) -> tuple[str, tuple[str, ...]]:
    """``sql`` with each ``%s`` placeholder named ``%(p<n>)s`` in order, and the names."""
    names: list[str] = []

    def name(_match) -> str:
        names.append(f"p{len(names)}")
        return f"%({names[-1]})s"

    return _PLACEHOLDER.sub(name, sql), tuple(names)
