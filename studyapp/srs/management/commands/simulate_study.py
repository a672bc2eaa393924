"""Simulated learners study through the real services; prints true retention vs desired.

python manage.py simulate_study [--learners N] [--days D] [--seed S] [--optimize] [--json]

Nothing is left in the database: each learner lives in a rolled-back transaction
(see studyapp/srs/simulation.py and docs/study.md, "Learner simulator").
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from studyapp.srs import simulation


class Command(BaseCommand):
    help = (
        "Simulate learners with hidden FSRS parameters studying once a day through the real "
        "study services; print achieved true retention against desired (0.85, 0.90, 0.95)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=5, help="learners per run")
        parser.add_argument("--days", type=int, default=60, help="study days simulated")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--desired",
            type=float,
            action="append",
            help="desired retention of a run (repeatable; default 0.85, 0.90 and 0.95)",
        )
        parser.add_argument(
            "--calibrate",
            action="store_true",
            help="learners with the default weights who never skip a day: the app's model is "
            "right about them, so any shortfall is the scheduler's",
        )
        parser.add_argument(
            "--optimize",
            action="store_true",
            help="each learner trains their own FSRS parameters (tuning.parameters_optimize) "
            f"once they have enough reviews, then every {simulation.OPTIMIZE_EVERY} study days",
        )
        parser.add_argument(
            "--no-keeping",
            action="store_true",
            help="learners who switch retention keeping off (srs/retention.py): every card "
            "aimed at the desired retention, as before keeping existed",
        )
        parser.add_argument("--json", action="store_true", help="print JSON only")

    def handle(self, *args, **options):
        learners, days = options["learners"], options["days"]
        desired = tuple(options["desired"] or simulation.DESIRED)
        if learners < 1 or days < 1:
            raise CommandError("--learners and --days must be ≥ 1.")
        if any(not 0.7 <= value <= 0.97 for value in desired):
            raise CommandError("--desired must be between 0.70 and 0.97 (the setting's range).")
        progress = None
        if options["verbosity"] >= 2 and not options["json"]:

            def progress(retention, index, stats):
                self.stderr.write(
                    f"  {retention:.2f} learner {index}: {stats.recalled}/{stats.reviews} "
                    f"recalled, expected {stats.expected:.1f}, predicted {stats.predicted:.1f}, "
                    f"{stats.late} late, "
                    f"{stats.answers} answers, {stats.sessions} sessions, "
                    f"hard=good {stats.hard_is_good}, good=easy {stats.good_is_easy}, "
                    f"good<=previous {stats.good_not_longer}"
                    + (
                        f", trainings {stats.trainings} ({stats.accepted} kept)"
                        if options["optimize"]
                        else ""
                    )
                )

        started = time.perf_counter()
        try:
            runs = simulation.simulate(
                learners=learners,
                days=days,
                seed=options["seed"],
                desired=desired,
                calibrate=options["calibrate"],
                optimize=options["optimize"],
                keeping=not options["no_keeping"],
                progress=progress,
            )
        except simulation.NoContent as error:
            raise CommandError(
                "No studiable items: import content first (manage.py import_content content/)."
            ) from error
        if options["json"]:
            self.stdout.write(json.dumps({"runs": [run.as_json() for run in runs]}))
            return
        self.stdout.write(
            f"{learners} {'calibration ' if options['calibrate'] else ''}learners × {days} days"
            f"{' (training their parameters)' if options['optimize'] else ''}"
            f"{' (retention keeping off)' if options['no_keeping'] else ''}"
            f" per run, seed {options['seed']} "
            f"({time.perf_counter() - started:.0f} s)"
        )
        self.stdout.write(
            "desired  achieved  diff (pts)  expected  predicted  reviews  late      answers  time"
        )
        for run in runs:
            self.stdout.write(
                f"{run.desired:<8.2f} {run.achieved:<9.4f} {run.points:+10.1f}"
                f"  {run.expected:<8.4f}  {run.predicted:<9.4f}  {run.stats.reviews:<7d}"
                f"  {run.late_share:<8.1%}  {run.stats.answers:<7d}  {run.seconds:.0f} s"
            )
        self.stdout.write(
            "desired  Hard=Good  Good=Easy  Good≤previous  (the buttons on those reviews, "
            "by due study day)"
        )
        for run in runs:
            self.stdout.write(
                f"{run.desired:<8.2f} {run.share('hard_is_good'):<10.1%}"
                f" {run.share('good_is_easy'):<10.1%} {run.share('good_not_longer'):.1%}"
            )
