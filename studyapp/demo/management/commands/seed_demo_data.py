"""A synthetic class with a year of study history (see studyapp/demo/seeding.py).

python manage.py seed_demo_data --users 1000 --reviews 1000000
"""

import time

from django.core.management.base import BaseCommand, CommandError

from studyapp.demo.seeding import seed_demo_data


class Command(BaseCommand):
    help = "Build realistic synthetic study history (users, cards, review logs, roll-ups)."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=20)
        parser.add_argument("--reviews", type=int, default=2000, help="total review logs")
        parser.add_argument("--days", type=int, default=365, help="history length")
        parser.add_argument("--prefix", default="aluno", help="username prefix")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--mocks", type=int, default=2, help="mock exams per user (max)")
        parser.add_argument("--batch-users", type=int, default=100)

    def handle(self, *args, **options):
        if options["users"] < 1 or options["reviews"] < 0 or options["days"] < 1:
            raise CommandError("--users must be ≥ 1, --reviews ≥ 0 and --days ≥ 1.")
        started = time.perf_counter()
        result = seed_demo_data(
            users=options["users"],
            reviews=options["reviews"],
            days=options["days"],
            prefix=options["prefix"],
            seed=options["seed"],
            mocks=options["mocks"],
            batch_users=options["batch_users"],
            log=self.stdout.write,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result['users']} users, {result['cards']} cards, {result['reviews']} reviews, "
                f"{result['rollups']} roll-up rows, {result['mocks']} mock exams "
                f"in {time.perf_counter() - started:.1f}s"
            )
        )
