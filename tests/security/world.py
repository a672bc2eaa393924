"""The world of the authorization matrix, CSRF and fuzz tests: one deck, a student who
owns study cards and two quiz attempts, another student, an instructor with a revision."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.test import Client

from studyapp.accounts.roles import INSTRUCTORS_GROUP
from studyapp.authoring import services as authoring_services
from studyapp.authoring.models import Revision
from studyapp.content.importer import Source, content_import
from studyapp.content.models import Deck
from studyapp.quizzes import services as quiz_services
from studyapp.quizzes.models import Attempt, AttemptQuestion, ExamProfile
from studyapp.srs.models import StudyCard
from studyapp.srs.services import cards_ensure

DECK = """---
deck: alpha
topics: Alpha
domains: 1
---
# Deck Alpha

## 🧠 Conceitos-chave
- O **Alpha** guarda chaves.
- O **Alpha** gira chaves.

## 🧪 Perguntas comuns na prova
"""
DECK += "".join(
    f"""
### Q: Pergunta alpha {n} {{#alpha-{n}}}
✅ Certa {n}
❌ Errada A {n}
❌ Errada B {n}
💡 Explicação {n}.
"""
    for n in range(1, 7)
)

ROLES = ("anonymous", "other", "owner", "instructor")


@dataclass
class World:
    owner: User
    other: User
    instructor: User
    superuser: User
    deck: Deck
    card: StudyCard
    other_card: StudyCard
    attempt: Attempt  # the owner's practice quiz in progress
    question: AttemptQuestion  # its first question
    finished: Attempt  # the owner's submitted practice quiz
    other_attempt: Attempt
    revision: Revision  # the instructor's revision of the deck
    profile: ExamProfile
    sessions: dict[str, str] = field(default_factory=dict)  # role -> session key
    handlers: dict = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)

    def client(self, role: str, *, enforce_csrf_checks: bool = False) -> Client:
        client = Client(enforce_csrf_checks=enforce_csrf_checks)
        # A new handler loads the middleware again, and WhiteNoise then rescans every static
        # file (~0.1 s): share one handler per CSRF mode.
        client.handler = self.handlers.setdefault(enforce_csrf_checks, client.handler)
        if role != "anonymous":
            if role not in self.sessions:  # signed in once, while the world is built
                client.force_login(self.user(role))
                self.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client

    def foreign_ids(self) -> list[int]:
        """Ids of objects the owner must not reach (and a few of their own)."""
        return [
            self.other_card.pk,
            self.other_attempt.pk,
            self.revision.pk,
            self.card.pk,
            self.attempt.pk,
            self.question.pk,
        ]


def build_world() -> World:
    """Build the world (the conftest fixture ``world`` calls this once per module)."""
    users = get_user_model().objects
    user = users.create_user("ana", password="senha-de-teste-1")
    other_user = users.create_user("bruno", password="senha-de-teste-2")
    instructor = users.create_user("prof", password="senha-de-teste-3")
    instructor.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    superuser = users.create_superuser("root", password="senha-root-1")
    report = content_import(sources=[Source(path="content/pt-br/alpha.md", data=DECK.encode())])
    assert report.ok, report.errors
    deck = Deck.objects.get(slug="alpha", language="pt-BR")
    cards_ensure(user=user)
    cards_ensure(user=other_user)
    attempt = quiz_services.attempt_start_practice(user=user, decks=[], topics=[], count=5)
    finished = quiz_services.attempt_start_practice(user=user, decks=[], topics=[], count=5)
    finished = quiz_services.attempt_submit(user=user, attempt_id=finished.pk)
    other_attempt = quiz_services.attempt_start_practice(
        user=other_user, decks=[], topics=[], count=5
    )
    saved = authoring_services.deck_save(
        author=instructor,
        deck=deck,
        text=DECK.replace("# Deck Alpha\n", "# Deck Alpha\n\nRevisado.\n"),
        message="revisão do instrutor",
    )
    assert saved.ok, saved.errors
    deck.refresh_from_db()
    world = World(
        owner=user,
        other=other_user,
        instructor=instructor,
        superuser=superuser,
        deck=deck,
        card=StudyCard.objects.filter(user=user).order_by("pk").first(),
        other_card=StudyCard.objects.filter(user=other_user).order_by("pk").first(),
        attempt=attempt,
        question=attempt.questions.get(position=1),
        finished=finished,
        other_attempt=other_attempt,
        revision=Revision.objects.filter(author=instructor).latest("pk"),
        profile=ExamProfile.objects.get(slug="dva-c02"),
    )
    for role in (*ROLES, "superuser"):
        world.client(role)
    return world
