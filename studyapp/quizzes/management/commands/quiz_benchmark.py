"""Measure the question page and autosave next to the floor view, in-process.

Imports content/ if the bank is empty, starts a full mock exam (the default profile) for a
throwaway user, then times N requests of each with django.test.Client and reports the query
count and the median server time. Everything it writes is rolled back at the end.

    DATABASE_URL=sqlite:////tmp/quizbench.sqlite3 DJANGO_SECRET_KEY=x \\
        python manage.py migrate && python manage.py quiz_benchmark
"""

import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from studyapp.content.importer import content_import
from studyapp.content.models import Item
from studyapp.quizzes import services
from studyapp.quizzes.models import ExamProfile


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Query count and median server time: question page, autosave, floor view."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=200)

    def handle(self, *args, runs: int, **options):
        # No collectstatic needed: plain static storage (the manifest lookup is a dict get).
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(
            ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False, STORAGES=storages
        ):
            try:
                with transaction.atomic():
                    self._run(runs)
                    raise Rollback
            except Rollback:
                pass

    def _measure(self, label: str, call, runs: int) -> None:
        call()  # warm up (templates, caches)
        with CaptureQueriesContext(connection) as captured:
            call()
        query_count = len(captured)  # now: the log is reset by the next request
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            response = call()
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        self.stdout.write(
            f"{label:<28} queries={query_count:>2}  median={statistics.median(times):6.2f} ms  "
            f"p90={statistics.quantiles(times, n=10)[-1]:6.2f} ms  runs={runs}"
        )

    def _run(self, runs: int) -> None:
        if not Item.objects.studiable().questions().exists():
            report = content_import(paths=[settings.CONTENT_DIR])
            assert report.ok, report.errors
        user = get_user_model().objects.create_user("quiz-benchmark", password="x" * 20)
        profile = ExamProfile.objects.get(is_default=True)
        attempt = services.attempt_start_mock(user=user, profile=profile)
        self.stdout.write(
            f"bank: {Item.objects.studiable().questions().count()} questions; "
            f"mock exam: {attempt.questions.count()} questions, {profile.minutes} min"
        )
        client = Client()
        client.force_login(user)
        question = attempt.questions.get(position=33)
        options = question.option_ids
        answer_url = f"/quiz/a/{attempt.pk}/q/33/answer/"
        htmx = {"HX-Request": "true"}
        counter = {"n": 0}

        def autosave():
            # Alternate two options so every request really writes (the idempotent no-op
            # path would be faster and flatter the figure).
            counter["n"] += 1
            option = options[counter["n"] % 2]
            return client.post(answer_url, {"option": option}, headers=htmx)

        self._measure("floor /_floor/", lambda: client.get("/_floor/"), runs)
        self._measure(
            "question page (q 33 of 65)", lambda: client.get(f"/quiz/a/{attempt.pk}/q/33/"), runs
        )
        self._measure("autosave (htmx POST)", autosave, runs)
