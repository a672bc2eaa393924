import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from studyapp.srs import optimizer
from studyapp.srs.models import ReviewLog
from studyapp.srs.tuning import parameters_optimize


def _round(value):
    return None if value is None else round(value, 6)


class Command(BaseCommand):
    help = (
        "Train each learner's FSRS parameters from their review log (fsrs-rs); keep them only "
        f"if the held-out log loss improves. Needs {optimizer.MIN_REVIEWS} reviews."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", help="username (default: every user with reviews)")
        parser.add_argument(
            "--json",
            action="store_true",
            help='print {"users": [{"user", "reviews", "logloss_before", "logloss_after", '
            '"rmse_before", "rmse_after", "accepted"}]}',
        )

    def handle(self, *args, **options):
        users = get_user_model().objects.order_by("pk")
        if options["user"]:
            users = users.filter(username=options["user"])
            if not users.exists():
                raise CommandError(f"No user named {options['user']!r}.")
        else:
            users = users.filter(pk__in=ReviewLog.objects.values("user_id"))
        rows = []
        for user in users:
            outcome = parameters_optimize(user=user, force=True)
            evaluation = outcome.evaluation
            rows.append(
                {
                    "user": user.get_username(),
                    "reviews": outcome.reviews,
                    "logloss_before": _round(evaluation and evaluation.logloss_before),
                    "logloss_after": _round(evaluation and evaluation.logloss_after),
                    "rmse_before": _round(evaluation and evaluation.rmse_before),
                    "rmse_after": _round(evaluation and evaluation.rmse_after),
                    "accepted": bool(evaluation and evaluation.accepted),
                }
            )
        if options["json"]:
            self.stdout.write(json.dumps({"users": rows}))
            return
        for row in rows:
            if row["logloss_before"] is None:
                self.stdout.write(
                    f"{row['user']}: {row['reviews']} reviews, below the minimum of "
                    f"{optimizer.MIN_REVIEWS}; not trained."
                )
                continue
            verdict = "accepted" if row["accepted"] else "rejected (kept the current ones)"
            self.stdout.write(
                f"{row['user']}: {row['reviews']} reviews; held-out log loss "
                f"{row['logloss_before']:.4f} -> {row['logloss_after']:.4f}, RMSE "
                f"{row['rmse_before']:.4f} -> {row['rmse_after']:.4f}; {verdict}"
            )
