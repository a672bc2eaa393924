"""Demo accounts for local development only (refuses to run with DEBUG off)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from studyapp.accounts.roles import INSTRUCTORS_GROUP

DEMO_ACCOUNTS = {"aluno": "aluno-demo-2026", "instrutor": "instrutor-demo-2026"}


class Command(BaseCommand):
    help = "Cria as contas de demonstração aluno e instrutor (somente desenvolvimento)."

    def add_arguments(self, parser):
        parser.add_argument("--allow-without-debug", action="store_true")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError("contas de demonstração só com DJANGO_DEBUG=1")
        users = get_user_model().objects
        group, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
        for username, password in DEMO_ACCOUNTS.items():
            user, _created = users.get_or_create(username=username)
            user.email = f"{username}@example.com"  # a reset prints its link to the console
            user.set_password(password)
            user.save()
            if username == "instrutor":
                user.groups.add(group)
            self.stdout.write(f"conta de demonstração: {username} / {password}")
