"""Fixtures of the security tests (see world.py)."""

import pytest
from django.db import transaction

from .world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    """One world per module, kept in an outer transaction that is rolled back at the end;
    each test (``django_db``) runs in a savepoint inside it, so it sees the world fresh."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
