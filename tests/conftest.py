"""Shared fixtures: users by role, imported content, and a deck-from-text factory."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from studyapp.accounts.roles import INSTRUCTORS_GROUP
from studyapp.content.importer import Source, content_import

SEED = Path(settings.BASE_DIR) / "content" / "pt-br" / "ecr.md"
SHARED_SEED = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "ecr-dva-c02-resumo.md"


@pytest.fixture(autouse=True)
def _mail_inline_and_fresh_counters(monkeypatch):
    """Background mail (password resets) runs at once, inside the test's transaction, so
    mail.outbox holds it; counters kept in the in-process cache (reset rate limits) start at
    zero. tests/accounts/test_passwords.py also runs the real mail thread."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from studyapp.accounts import mail

    monkeypatch.setattr(mail, "send_later", lambda job, **kwargs: job(**kwargs))
    from studyapp.progress import dashboard_cache

    for alias in settings.CACHES:
        if isinstance(caches[alias], LocMemCache):  # never flush a shared Redis
            caches[alias].clear()
    dashboard_cache.study_memo.clear()  # checked against tokens anyway: each test starts bare


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language. A request with Accept-Language (or a
    language cookie) leaves that language active in the thread after the response, so a
    later test's gettext (parser errors, GIFT messages) came out in English depending on
    the order tests ran in."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("ana", password="senha-de-teste-1")


@pytest.fixture
def other_user(django_user_model):
    return django_user_model.objects.create_user("bruno", password="senha-de-teste-2")


@pytest.fixture
def instructor(django_user_model):
    teacher = django_user_model.objects.create_user("prof", password="senha-de-teste-3")
    teacher.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    return teacher


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


@pytest.fixture
def seed_deck(db):
    """The user's ECR seed imported (15 concept cards, 5 Q&A items, 3 references)."""
    report = content_import(paths=[SEED])
    assert report.ok, report.errors
    from studyapp.content.models import Deck

    return Deck.objects.get(slug="ecr", language="pt-BR")


@pytest.fixture
def all_content(db):
    """Everything under content/ imported."""
    report = content_import(paths=[Path(settings.BASE_DIR) / "content"])
    assert report.ok, report.errors
    return report


@pytest.fixture
def import_text(db):
    """Import Markdown given as text: ``import_text({"content/pt-br/x.md": "..."})``."""

    def _import(files: dict[str, str], **kwargs):
        sources = [Source(path=path, data=text.encode()) for path, text in files.items()]
        return content_import(sources=sources, **kwargs)

    return _import
