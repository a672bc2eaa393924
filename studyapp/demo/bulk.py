"""Fast bulk loading for synthetic data (seed_demo_data, the benchmark's data sets).

``bulk_create`` compiles every value through the ORM (~10 µs each): a million review logs
take minutes. These helpers write plain tuples instead: ``COPY`` on PostgreSQL, one
``executemany`` per batch elsewhere, with the few conversions the backends need done once
per column. Not for user input: values are trusted and not validated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from django.db import connection, models


def _sqlite_value(field: models.Field):
    """A converter to what Django's SQLite backend stores for ``field`` (None stays None)."""
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else str(v.astimezone(UTC).replace(tzinfo=None))
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(field, models.DurationField):
        return lambda v: None if v is None else round(v / timedelta(microseconds=1))
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.dumps(v)
    return None


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{value.total_seconds()} seconds"
    if isinstance(value, list | dict):
        value = json.dumps(value)
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = text.translate(_COPY_ESCAPES)
    return text


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    batch_size: int = 20_000,
) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``, field names or attnames) into
    ``model``'s table. Returns the number of rows written."""
    meta = model._meta
    fields = [meta.get_field(name) for name in columns]
    table = connection.ops.quote_name(meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write("\t".join(map(_copy_text, row)) + "\n")
                    written += 1
            return written
        converters = [
            _sqlite_value(field) if connection.vendor == "sqlite" else None for field in fields
        ]
        active = [(i, convert) for i, convert in enumerate(converters) if convert]
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 - model names
        batch: list = []
        for row in rows:
            if active:
                row = list(row)
                for i, convert in active:
                    row[i] = convert(row[i])
            batch.append(row)
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


@contextmanager
def fast_writes():
    """While seeding: SQLite skips fsync (a crash mid-seed means re-seeding anyway)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-262144")  # 256 MB page cache
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
