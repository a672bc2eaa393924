"""studyapp.versions: a write renews its key's token on commit, once per key and atomic block
(an answer saves a card and a log: one renewal), and every later transaction renews again,
also inside the test case's never-committed transaction."""

import pytest
from django.db import transaction
from django.urls import reverse

from studyapp import versions
from studyapp.progress.dashboard_cache import USER_KEY
from studyapp.srs.models import StudyCard
from studyapp.srs.services import cards_ensure, review_record, study_settings_get

pytestmark = pytest.mark.django_db
KEY = "test:versions:a"
OTHER = "test:versions:b"


def renewals(callbacks) -> list[str]:
    return [callback.key for callback in callbacks if isinstance(callback, versions._Renewal)]


def test_two_renewals_of_a_key_in_one_block_renew_once(django_capture_on_commit_callbacks):
    before = versions.token(KEY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        versions.renew(KEY)
        versions.renew(KEY)
        versions.renew(OTHER)
    assert renewals(callbacks) == [KEY, OTHER]
    assert versions.token(KEY) != before


def test_each_block_renews_again(django_capture_on_commit_callbacks):
    seen = {versions.token(KEY)}
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            versions.renew(KEY)
        assert renewals(callbacks) == [KEY]
        seen.add(versions.token(KEY))
    assert len(seen) == 4


def test_a_renewal_not_run_yet_in_an_earlier_block_does_not_hold_back_a_later_one(
    django_capture_on_commit_callbacks,
):
    with transaction.atomic():
        versions.renew(KEY)  # its callback stays pending (the test case never commits)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        versions.renew(KEY)
    assert renewals(callbacks) == [KEY]


def test_a_rolled_back_savepoint_keeps_the_outer_renewal(django_capture_on_commit_callbacks):
    before = versions.token(KEY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        versions.renew(KEY)
        try:
            with transaction.atomic():
                versions.renew(KEY)  # its own block: registered, then discarded
                raise RuntimeError
        except RuntimeError:
            pass
    assert renewals(callbacks) == [KEY]
    assert versions.token(KEY) != before


def test_a_renewal_after_a_rolled_back_savepoint_is_registered_again(
    django_capture_on_commit_callbacks,
):
    before = versions.token(KEY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                versions.renew(KEY)
                raise RuntimeError
        except RuntimeError:
            pass
        versions.renew(KEY)
    assert renewals(callbacks) == [KEY]
    assert versions.token(KEY) != before


def test_an_answer_renews_the_learners_figures_once(
    user, seed_deck, django_capture_on_commit_callbacks
):
    cards_ensure(user=user)
    settings = study_settings_get(user=user)
    card = StudyCard.objects.filter(user=user).order_by("id").first()
    before = versions.token(USER_KEY.format(user.pk))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        # The card, its log and the day's first answer's retention target (the settings)
        review_record(user=user, card_id=card.pk, token=card.token, rating=3, settings=settings)
    # (the day's first answer also saves the settings: their own dashboard part's key)
    assert renewals(callbacks).count(USER_KEY.format(user.pk)) == 1
    assert versions.token(USER_KEY.format(user.pk)) != before


def test_each_answer_renews_the_learners_figures(
    user, client, seed_deck, django_capture_on_commit_callbacks
):
    client.force_login(user)
    cards_ensure(user=user)
    study_settings_get(user=user)
    seen = {versions.token(USER_KEY.format(user.pk))}
    for card in StudyCard.objects.filter(user=user).order_by("id")[:3]:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(
                reverse("srs:answer", args=[card.pk]),
                {"rating": 3, "token": card.token, "scope": ""},
                headers={"HX-Request": "true"},
            )
        assert response.status_code == 200
        assert renewals(callbacks).count(USER_KEY.format(user.pk)) == 1
        seen.add(versions.token(USER_KEY.format(user.pk)))
    assert len(seen) == 4


def test_renewals_right_in_the_test_case_transaction_each_run(django_capture_on_commit_callbacks):
    versions.renew(KEY)  # pending, never run: the test case never commits
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        versions.renew(KEY)
        versions.renew(KEY)
    assert renewals(callbacks) == [KEY, KEY]


def _stored(key: str):
    return versions._cache().get(key)


def test_deferred_renewals_are_sent_with_the_next_get_many(django_capture_on_commit_callbacks):
    before = versions.token(KEY)
    other = versions.token(OTHER)
    with versions.renewals_deferred():
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            versions.renew(KEY)
        assert _stored(KEY) == before  # not sent yet
        found = versions.get_many([KEY, OTHER])
        assert found[KEY] != before and found[OTHER] == other
        assert _stored(KEY) == found[KEY]  # sent with that read
        assert versions.get_many([KEY]) == {KEY: found[KEY]}  # nothing pending: a read
    assert _stored(KEY) == found[KEY]


def test_deferred_renewals_are_sent_when_the_block_ends_even_on_an_error(
    django_capture_on_commit_callbacks,
):
    before = versions.token(KEY)
    with pytest.raises(RuntimeError), versions.renewals_deferred():
        with (
            versions.renewals_deferred(),  # nested: the outer block sends
            django_capture_on_commit_callbacks(execute=True),
            transaction.atomic(),
        ):
            versions.renew(KEY)
        assert _stored(KEY) == before
        raise RuntimeError
    assert _stored(KEY) != before
    # Outside a block a renewal is sent at once.
    renewed = _stored(KEY)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        versions.renew(KEY)
    assert _stored(KEY) not in (renewed, None)


@pytest.mark.django_db(transaction=True)
def test_an_answer_committed_in_the_view_renews_the_figures_before_it_responds(
    user, client, seed_deck
):
    """Real commits (on_commit runs inside the view): the answer's renewal goes with the
    next card's cache read, and is in the cache when the response is out."""
    client.force_login(user)
    cards_ensure(user=user)
    study_settings_get(user=user)
    seen = {versions.token(USER_KEY.format(user.pk))}
    for card in StudyCard.objects.filter(user=user).order_by("id")[:3]:
        response = client.post(
            reverse("srs:answer", args=[card.pk]),
            {"rating": 3, "token": card.token, "scope": ""},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        seen.add(versions.token(USER_KEY.format(user.pk)))
    assert len(seen) == 4
    card = StudyCard.objects.filter(user=user).order_by("id")[3]
    response = client.post(  # no JavaScript: a redirect, the renewal sent at the block's end
        reverse("srs:answer", args=[card.pk]), {"rating": 3, "token": card.token, "scope": ""}
    )
    assert response.status_code == 302
    seen.add(versions.token(USER_KEY.format(user.pk)))
    assert len(seen) == 5


def _real_redis():
    """The shared cache on a real Redis (database 13 of 127.0.0.1:6379, as CI and the dev
    machine run it), through django-redis like production; skipped when none answers."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, db=13, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/13",
        "KEY_PREFIX": "shared-test",
        "KEY_FUNCTION": "studyapp.versions.cache_key",
    }


def test_deferred_renewals_go_in_one_redis_pipeline_with_the_read(settings):
    """The pipeline path (django-redis' client, keys and encoding made by hand): the renewals
    land under the keys Django's own API reads, and the read in the same round trip sees them."""
    from django.core.cache import caches

    settings.CACHES = {**settings.CACHES, settings.SHARED_CACHE: _real_redis()}
    cache = caches[settings.SHARED_CACHE]
    try:
        cache.clear()
        before = versions.token(KEY)
        cache.set("test:versions:figure", {"figure": 1})
        with versions.renewals_deferred():
            with transaction.atomic():
                versions.renew(KEY)
            # the test case's transaction never commits: run the renewal as a commit would
            for _savepoints, callback, _robust in transaction.get_connection().run_on_commit:
                if isinstance(callback, versions._Renewal) and not callback.done:
                    callback()
            assert cache.get(KEY) == before  # deferred: not sent yet
            found = versions.get_many([KEY, "test:versions:figure", "test:versions:none"])
        assert found[KEY] != before
        assert found["test:versions:figure"] == {"figure": 1}
        assert "test:versions:none" not in found
        assert cache.get(KEY) == found[KEY]  # written where Django's API reads it
        assert versions.token(KEY) == found[KEY]
    finally:
        cache.clear()
