from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from studyapp.accounts.roles import INSTRUCTORS_GROUP


class Command(BaseCommand):
    help = "Adiciona um usuário ao grupo de instrutores."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"usuário não encontrado: {username}") from exc
        group, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
        user.groups.add(group)
        self.stdout.write(f"{username} agora é instrutor.")
