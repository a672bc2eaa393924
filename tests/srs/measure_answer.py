"""Measure answer → next card against the floor view, in-process (not a test).

    .venv/bin/python tests/srs/measure_answer.py [--answers 300] [--logs 10000]

Builds a throwaway SQLite database (file, WAL, IMMEDIATE — as in development) or, with
DATABASE_URL set, a throwaway PostgreSQL test database; imports content/, creates a user
with ``--logs`` review logs, then alternates GET /_floor/ and an htmx answer POST, and
prints the query count and the median server time of each (django.test.Client).
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")
os.environ.setdefault("DJANGO_TESTING", "1")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--logs", type=int, default=10_000)
    parser.add_argument("--explain", action="store_true", help="print the queue query plans")
    args = parser.parse_args()

    import django
    from django.conf import settings

    tmp = tempfile.mkdtemp()
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        settings.DATABASES["default"]["TEST"] = {"NAME": str(Path(tmp) / "bench.sqlite3")}
    django.setup()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    old_name = connection.creation.create_test_db(verbosity=0, serialize=False)
    try:
        run(args, connection, CaptureQueriesContext)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args, connection, CaptureQueriesContext) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from studyapp.content.importer import content_import
    from studyapp.srs.models import ReviewLog, StudyCard
    from studyapp.srs.services import cards_ensure, study_settings_get

    report = content_import(paths=[Path(__file__).resolve().parents[2] / "content"])
    assert report.ok, report.errors
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    settings_ = study_settings_get(user=user)
    settings_.new_per_day = 9999
    settings_.save()
    cards_ensure(user=user)
    cards = list(StudyCard.objects.filter(user=user))
    long_ago = timezone.now() - timedelta(days=400)
    ReviewLog.objects.bulk_create(
        [
            ReviewLog(
                user=user,
                card=cards[i % len(cards)],
                rating=3,
                reviewed_at=long_ago + timedelta(minutes=i),
                state_before="review",
                state_after="review",
                due_before=long_ago,
                due_after=long_ago,
            )
            for i in range(args.logs)
        ],
        batch_size=2000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    client = Client()
    client.force_login(user)
    page = client.get("/study/").content.decode()
    card_re = re.compile(r'action="/study/cards/(\d+)/answer/"')
    token_re = re.compile(r'name="token" value="([^"]+)"')

    floor_times, answer_times, floor_queries, answer_queries = [], [], set(), set()
    for i in range(args.answers):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get("/_floor/")
            floor_times.append(time.perf_counter() - start)
        assert response.status_code == 200
        floor_queries.add(len(ctx.captured_queries))

        card_id, token = card_re.search(page).group(1), token_re.search(page).group(1)
        rating = (1, 3, 3, 2, 4)[i % 5]
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.post(
                f"/study/cards/{card_id}/answer/",
                {"rating": rating, "token": token, "duration_ms": 1500, "scope": ""},
                headers={"HX-Request": "true"},
            )
            answer_times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content[:500]
        answer_queries.add(len(ctx.captured_queries))
        last_queries = list(ctx.captured_queries)
        page = response.content.decode()
        if not card_re.search(page):
            print(f"queue empty after {i + 1} answers")
            break

    if args.explain:
        explain(connection, user)
        print("slowest queries of the last answer (seconds):")
        for query in sorted(last_queries, key=lambda q: -float(q["time"]))[:4]:
            print("   ", query["time"], query["sql"][:120])
    logs = ReviewLog.objects.filter(user=user).count()
    print(f"database: {connection.vendor}; review logs for the user at the end: {logs}")
    print(
        f"answer → next card: queries {sorted(answer_queries)}, "
        f"median {statistics.median(answer_times) * 1000:.2f} ms over {len(answer_times)}"
    )
    print(
        f"floor /_floor/:     queries {sorted(floor_queries)}, "
        f"median {statistics.median(floor_times) * 1000:.2f} ms over {len(floor_times)}"
    )


def explain(connection, user) -> None:
    """Print the plans of the hot queries (SQLite EXPLAIN QUERY PLAN / PostgreSQL EXPLAIN)."""
    from django.utils import timezone

    from studyapp.srs import selectors
    from studyapp.srs.services import study_settings_get

    settings_ = study_settings_get(user=user)
    now = timezone.now()
    day = selectors.day_counts(user=user, settings=settings_, now=now)
    scope = selectors.scope_for(settings=settings_, slug=None)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        selectors.day_counts(user=user, settings=settings_, now=now)
        selectors.next_card(user=user, scope=scope, now=now, day=day)
        selectors.queue_counts(user=user, scope=scope, now=now, day=day)
    captured = [query["sql"] for query in ctx.captured_queries]
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    for name, sql in zip(("today's counts", "next card", "queue counts"), captured, strict=True):
        print(f"--- {name}\n{sql}\n")
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            for row in cursor.fetchall():
                print("   ", row[-1] if connection.vendor == "sqlite" else row[0])
        print()


if __name__ == "__main__":
    main()
