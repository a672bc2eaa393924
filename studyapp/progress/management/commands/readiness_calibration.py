"""Check the readiness forecast against simulated students (studyapp/progress/calibration.py).

    python manage.py readiness_calibration --students 300 --seed 1 [--json]

Reads the question bank from the database (run ``import_content content/`` first).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from studyapp.progress import calibration
from studyapp.progress.selectors import study_bank
from studyapp.quizzes import selectors as quiz_selectors


class Command(BaseCommand):
    help = "Calibration of the exam-readiness forecast on simulated students (seeded)."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--model", choices=["item", "legacy"], default="item")
        parser.add_argument(
            "--scenario", action="append", default=[], help="run only these (by name)"
        )

    def handle(self, *args, **options):
        if options["students"] < 1:
            raise CommandError("--students must be at least 1")
        items = study_bank()
        profile = quiz_selectors.exam_profile()
        if sum(item.mock for item in items) < profile.question_count:
            raise CommandError(
                "The bank has too few mock-eligible questions: run import_content content/ first."
            )
        scenarios = [
            s
            for s in calibration.SCENARIOS
            if not options["scenario"] or s.name in options["scenario"]
        ]
        report = calibration.run(
            items,
            students=options["students"],
            seed=options["seed"],
            scenarios=scenarios,
            profile=profile,
            forecaster=calibration.legacy_forecast if options["model"] == "legacy" else None,
        )
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        header = (
            f"{'scenario':36} {'n':>5} {'bias':>7} {'rmse':>7} {'cov80':>6} {'brier':>6} {'ece':>6}"
        )
        self.stdout.write(header)
        for row in report["scenarios"]:
            self.stdout.write(
                f"{row['name']:36} {row['students']:>5} {row['bias']:>7.1f} {row['rmse']:>7.1f} "
                f"{row['coverage80']:>6.1%} {row['brier']:>6.3f} {row['ece']:>6.3f}"
            )
