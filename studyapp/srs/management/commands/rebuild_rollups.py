from django.core.management.base import BaseCommand

from studyapp.srs.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the daily review roll-ups from the review log (all users or --user)."

    def add_arguments(self, parser):
        parser.add_argument("--user", type=int, action="append", help="user id (repeatable)")

    def handle(self, *args, **options):
        count = rollups_rebuild(user_ids=options["user"])
        self.stdout.write(self.style.SUCCESS(f"{count} roll-up rows written."))
