"""Finalize every mock exam whose time (plus grace) is over. Pages also do this for the
attempts they touch; run this from cron to close abandoned attempts promptly."""

from django.core.management.base import BaseCommand

from studyapp.quizzes.services import attempts_expire_overdue


class Command(BaseCommand):
    help = "Finalize overdue mock exams (deadline plus grace passed)."

    def handle(self, *args, **options):
        count = attempts_expire_overdue()
        self.stdout.write(f"{count} overdue attempt(s) finalized")
