"""A student's own data as CSV or JSON: review log and quiz attempts (streamed, so a long
history never sits in memory)."""

from __future__ import annotations

import csv
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse

from studyapp.quizzes import selectors as quiz_selectors
from studyapp.srs import selectors as srs_selectors

FORMATS = ("csv", "json")

EXPORTS = {"reviews": srs_selectors.review_log_rows, "attempts": quiz_selectors.attempt_rows}


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
