"""A student's own data as CSV or JSON: review log and quiz attempts (streamed, so a long
history never sits in memory)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse

from studyapp.srs.models import ReviewLog

from . import quizdata

FORMATS = ("csv", "json")

REVIEW_FIELDS = [
    ("reviewed_at", "reviewed_at"),
    ("deck", "card__item__deck__slug"),
    ("item", "card__item__key"),
    ("kind", "card__item__kind"),
    ("source", "source"),
    ("rating", "rating"),
    ("duration_ms", "duration_ms"),
    ("rescheduled", "rescheduled"),
    ("state_before", "state_before"),
    ("state_after", "state_after"),
    ("stability_after", "stability_after"),
    ("difficulty_after", "difficulty_after"),
    ("due_after", "due_after"),
]


def review_rows(*, user) -> tuple[list[str], Iterator[tuple]]:
    queryset = (
        ReviewLog.objects.filter(user=user)
        .order_by("reviewed_at", "pk")
        .values_list(*[path for _name, path in REVIEW_FIELDS])
    )
    return [name for name, _path in REVIEW_FIELDS], queryset.iterator(chunk_size=2000)


EXPORTS = {"reviews": review_rows, "attempts": quizdata.attempt_rows}


class _Echo:
    def write(self, value):
        return value


def _csv_stream(header, rows):
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(
            [value.isoformat() if hasattr(value, "isoformat") else value for value in row]
        )


def _json_stream(header, rows):
    yield "[\n"
    first = True
    for row in rows:
        yield ("" if first else ",\n") + json.dumps(
            dict(zip(header, row, strict=True)), cls=DjangoJSONEncoder, ensure_ascii=False
        )
        first = False
    yield "\n]\n"


def response(*, user, what: str, fmt: str) -> StreamingHttpResponse:
    header, rows = EXPORTS[what](user=user)
    if fmt == "csv":
        stream, content_type = _csv_stream(header, rows), "text/csv; charset=utf-8"
    else:
        stream, content_type = _json_stream(header, rows), "application/json"
    result = StreamingHttpResponse(stream, content_type=content_type)
    filename = f"{what}-{user.get_username()}.{fmt}".replace('"', "")
    result["Content-Disposition"] = f'attachment; filename="{filename}"'
    result["Cache-Control"] = "private, no-store"
    return result
