"""Demo data (studyapp/demo): the demo accounts and the synthetic class."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from studyapp.accounts.roles import is_instructor
from studyapp.demo.seeding import LOG_COLUMNS, seed_demo_data
from studyapp.srs.models import DailyReviewStats, ReviewLog
from studyapp.srs.rollups import rollups_rebuild

pytestmark = pytest.mark.django_db


def test_demo_accounts_refuse_to_run_without_debug():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_demo_accounts")
    call_command("create_demo_accounts", "--allow-without-debug")
    assert is_instructor(User.objects.get(username="instrutor"))
    assert not is_instructor(User.objects.get(username="aluno"))


@pytest.mark.django_db(transaction=True)  # SQLite's fast-write pragma needs no open transaction
def test_the_synthetic_class_writes_what_the_apps_would_have_written(seed_deck):
    totals = seed_demo_data(users=3, reviews=200, mocks=0, prefix="demo", seed=7)
    assert totals["users"] == 3 and totals["reviews"] == ReviewLog.objects.count() > 150
    # Every review-log column the services write, and no other (srs's one mapping).
    logged = {f.attname for f in ReviewLog._meta.concrete_fields} - {"id"}
    assert set(LOG_COLUMNS) == logged
    # The seeded roll-ups are the ones srs.rollups computes from the seeded log.
    seeded = sorted(DailyReviewStats.objects.values_list("user_id", "day", "reviews", "again"))
    rollups_rebuild()
    assert sorted(DailyReviewStats.objects.values_list("user_id", "day", "reviews", "again")) == (
        seeded
    )
