"""Finalize every mock exam whose time (plus grace) is over, and end as abandoned every
practice quiz left idle for more than a day (``services.PRACTICE_IDLE``). Pages also do this
for the attempts they touch; run this from cron to close them promptly."""

from django.core.management.base import BaseCommand

from studyapp.quizzes.services import attempts_abandon_idle, attempts_expire_overdue


class Command(BaseCommand):
    help = "Finalize overdue mock exams and abandon idle practice quizzes."

    def handle(self, *args, **options):
        count = attempts_expire_overdue()
        idle = attempts_abandon_idle()
        self.stdout.write(
            f"{count} overdue attempt(s) finalized, {idle} idle practice(s) abandoned"
        )
