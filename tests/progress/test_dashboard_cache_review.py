# ruff: noqa: F811 (the fixtures imported above are parameters below)
"""Findings of this round's review of the dashboard's caches, each pinned: an instructor's
view of a student is kept apart from the student's own; a bulk rewrite of the roll-ups and a
deck's own limits renew the figures; on PostgreSQL a learner's writes take their lock first
(their review logs commit in id order: the kept study part reads "the logs after id N")."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.urls import reverse

from studyapp import versions
from studyapp.content.models import Deck
from studyapp.progress import dashboard_cache
from studyapp.srs import services as srs_services
from studyapp.srs.models import DailyReviewStats, StudyCard
from studyapp.srs.rollups import rollups_rebuild
from studyapp.srs.services import study_settings_get
from tests.progress.test_dashboard_incremental import (  # noqa: F401 (fixtures)
    answer,
    clock,
    decks,
    same_as_full_rebuild,
    view,
)

pytestmark = pytest.mark.django_db


def test_an_instructors_view_is_not_kept_as_the_learners_own(
    client, user, instructor, decks, clock
):
    client.force_login(user)
    assert "export-heading" in view(client)[0]
    caches[settings.SHARED_CACHE].clear()
    client.force_login(instructor)
    page = client.get(reverse("student_progress", args=[user.pk]))
    assert page.status_code == 200
    assert "export-heading" not in page.content.decode()
    client.force_login(user)
    assert "export-heading" in view(client)[0]  # the learner's own page, export links too


def test_a_rebuild_of_the_roll_ups_shows_at_once(
    user_client, user, decks, clock, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    for rating in (3, 1, 3):
        answer(user_client, user, capture, rating=rating)
        clock.tick()
    # A roll-up gone wrong (a write that sends no signal), kept by a view...
    DailyReviewStats.objects.filter(user=user).update(reviews=999)
    caches[settings.SHARED_CACHE].clear()
    view(user_client)
    clock.tick()
    # ...then mended in bulk: the next view shows the mended figures, as a full rebuild.
    with capture(execute=True):
        rollups_rebuild(user_ids=[user.pk])
    assert DailyReviewStats.objects.filter(user=user).exclude(reviews=999).exists()
    same_as_full_rebuild(user_client)


def test_a_decks_own_limits_renew_the_learners_figures(
    user, decks, django_capture_on_commit_callbacks
):
    key = dashboard_cache.USER_KEY.format(user.pk)
    settings_row = study_settings_get(user=user)
    deck = Deck.objects.order_by("id").first()
    for new, reviews in ((5, 10), (None, None)):
        before = versions.token(key)
        with django_capture_on_commit_callbacks(execute=True):
            srs_services.deck_limits_update(
                settings=settings_row, deck=deck, new_per_day=new, reviews_per_day=reviews
            )
        assert versions.token(key) != before


def test_renew_falls_back_to_registering_when_djangos_internals_change(
    monkeypatch, django_capture_on_commit_callbacks
):
    def changed(key):
        raise AttributeError("atomic_blocks")

    monkeypatch.setattr(versions, "_pending", changed)
    before = versions.token("tests:fallback")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        versions.renew("tests:fallback")
    assert len(callbacks) == 1
    assert versions.token("tests:fallback") != before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes writers")
def test_on_postgresql_a_learners_write_takes_their_lock_before_the_card(user, decks):
    srs_services.cards_ensure(user=user)
    card = StudyCard.objects.filter(user=user).order_by("id").first()
    query = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        " AND classid = %s AND objid = %s AND granted"
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(query, [srs_services.LEARNER_LOCK, user.pk])
            assert cursor.fetchone()[0] == 0
        srs_services._locked_card(user=user, card_id=card.pk)
        with connection.cursor() as cursor:
            cursor.execute(query, [srs_services.LEARNER_LOCK, user.pk])
            assert cursor.fetchone()[0] == 1
