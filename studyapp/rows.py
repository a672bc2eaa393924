"""Model instances from hand-written SQL, for hot pages that read a few rows per request.

Building a query with the ORM costs about ten times running it on these pages (a one-row
``filter().only().first()``: ~200 µs to build, ~20 µs to run on SQLite), so the study session
and the quiz pages write their hot reads as SQL and turn the rows into the usual model
instances here, converted exactly as the ORM converts them (the backend's converters, e.g.
SQLite's aware datetimes and booleans, then each field's ``from_db_value``, e.g. JSON).

    sql = f"SELECT {rows.columns(Card, 'c')}, … FROM {rows.table(Card)} c …"
    card = rows.instance(Card, row[: rows.width(Card)])
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from django.db import connection


@cache
def _converters(model, vendor: str) -> tuple[tuple[object, tuple], ...]:
    """Per concrete field of ``model``: its column expression and the ORM's converters for
    a value read from the database."""
    found = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        funcs = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        found.append((column, tuple(funcs)))
    return tuple(found)


def table(model) -> str:
    """The quoted table name of ``model``."""
    return connection.ops.quote_name(model._meta.db_table)


def columns(model, alias: str | None = None) -> str:
    """The select list of every concrete column of ``model``, in ``_meta`` order (prefixed
    with the table alias ``alias`` when given)."""
    prefix = f"{alias}." if alias else ""
    quote = connection.ops.quote_name
    return ", ".join(f"{prefix}{quote(field.column)}" for field in model._meta.concrete_fields)


def width(model) -> int:
    """How many values :func:`columns` selects."""
    return len(model._meta.concrete_fields)


def instance(model, values: Sequence):
    """A ``model`` instance from ``values`` (every concrete field, as :func:`columns`)."""
    converted = []
    for value, (column, funcs) in zip(values, _converters(model, connection.vendor), strict=True):
        for func in funcs:
            value = func(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, None, converted)
