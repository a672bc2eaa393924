"""Model instances from hand-written SQL, for the study session's hot single-row reads.

Building a query with the ORM costs about ten times running it on these pages (a one-row
``filter().only().first()``: ~200 µs to build, ~20 µs to run), so the answer → next card path
writes its few queries as SQL and turns the rows into the usual model instances here, with
the same conversions the ORM applies (the backend's and each field's ``from_db_value``).
"""

from __future__ import annotations

from functools import cache

from django.db import connection


@cache
def _plan(model, alias: str, vendor: str):
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(f"{alias}.{quote(field.column)}" for field in fields)
    converters = []
    for field in fields:
        column = field.get_col(alias)
        found = column.get_db_converters(connection)
        converters.append((column, tuple(found)))
    return columns, tuple(field.attname for field in fields), tuple(converters)


def columns(model, alias: str) -> str:
    """The select list of every concrete column of ``model`` (table aliased ``alias``)."""
    return _plan(model, alias, connection.vendor)[0]


def width(model) -> int:
    return len(model._meta.concrete_fields)


def instance(model, alias: str, values):
    """A ``model`` instance from ``values``, as selected by :func:`columns` (same order)."""
    _columns, names, converters = _plan(model, alias, connection.vendor)
    converted = []
    for value, (column, found) in zip(values, converters, strict=True):
        for converter in found:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, names, converted)


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)
