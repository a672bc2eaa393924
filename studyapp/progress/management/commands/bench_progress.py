"""Median server time and query count of the progress dashboard beside the plain
``/_floor/`` view, measured in-process with django.test.Client (same run, same database).

    python manage.py bench_progress --requests 30
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from studyapp.srs.models import ReviewLog


class Command(BaseCommand):
    help = "Benchmark /progress/ against /_floor/ (median ms and queries)."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=30)
        parser.add_argument("--username", help="default: the user with the most reviews")

    def handle(self, *args, **options):
        User = get_user_model()
        if options["username"]:
            user = User.objects.get(username=options["username"])
        else:
            top = (
                ReviewLog.objects.values("user_id")
                .annotate(n=Count("pk"))
                .order_by("-n")
                .values_list("user_id", flat=True)
                .first()
            )
            user = User.objects.get(pk=top)
        total = ReviewLog.objects.count()
        mine = ReviewLog.objects.filter(user=user).count()
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        self.stdout.write(f"review logs in database: {total}; user {user} has {mine}")
        for url in ("/_floor/", "/progress/", "/_floor/", "/progress/"):
            client.get(url)  # warm up (session save, caches, imports)
        for url in ("/_floor/", "/progress/"):
            times, queries = [], []
            for _ in range(options["requests"]):
                with CaptureQueriesContext(connection) as context:
                    start = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.status_code
                queries.append(len(context))
            self.stdout.write(
                f"{url:12} median {statistics.median(times):7.1f} ms  "
                f"queries {statistics.median(queries):.0f}  (n={len(times)})"
            )
