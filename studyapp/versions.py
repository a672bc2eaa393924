"""Version tokens in the shared cache (settings.SHARED_CACHE): what keys cached pages.

A cached page puts the tokens of the data it shows in its key; a write renews them, so the
next read misses and builds fresh figures. A token is random and never reused: if the cache
loses one, the next reader makes a new one, and entries keyed by the old one are never read
again. Without Redis the shared cache is a dummy: no token is kept, nothing is cached.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from asgiref.local import Local
from django.conf import settings
from django.core.cache import caches
from django.db import transaction

# Every version token's key starts with this (tests/scale/test_caches_and_connections.py).
TOKEN_PREFIX = "version:"  # noqa: S105 (a cache key prefix, not a secret)


def cache_key(key: str, key_prefix: str, version) -> str:
    """The shared cache's KEY_FUNCTION (settings.CACHES): a version token's key is the same
    for every release (a write renews it for all of them); any other entry's key carries the
    release's digest (``settings.SHARED_CACHE_RELEASE``), so no release reads what another
    kept. An entry is only ever read under the current tokens, so a rollback or two releases
    serving side by side never read figures kept under a token since renewed."""
    if key.startswith(TOKEN_PREFIX):
        return f"{key_prefix}:{version}:{key}"
    return f"{key_prefix}:{settings.SHARED_CACHE_RELEASE}:{version}:{key}"


def _cache():
    return caches[settings.SHARED_CACHE]


def token(key: str) -> str:
    """The current token under ``key`` (made when missing; the first writer wins)."""
    return tokens(key)[0]


def tokens(*keys: str) -> list[str]:
    """The current tokens under ``keys``, in one round trip when they all exist."""
    cache = _cache()
    found = cache.get_many(keys)
    values = []
    for key in keys:
        value = found.get(key)
        if value is None:
            cache.add(key, secrets.token_hex(8), None)
            value = cache.get(key)
        values.append(value or "-")
    return values


class _Renewal:
    """The on-commit callback renewing one key (it remembers whether it ran: a test's
    captured callbacks run without leaving the connection's list)."""

    def __init__(self, key: str):
        self.key = key
        self.done = False

    def __call__(self) -> None:
        self.done = True
        pending = getattr(_deferred, "pending", None)
        if pending is not None:  # sent with the block's next get_many, or at its end
            pending[self.key] = secrets.token_hex(8)
            return
        _cache().set(self.key, secrets.token_hex(8), None)


# The renewals run (on commit) inside renewals_deferred(), not yet sent: {key: new token}.
_deferred = Local()


@contextmanager
def renewals_deferred() -> Iterator[None]:
    """Within this block, the renewals that run (once their transaction commits) are sent
    with the block's next :func:`get_many`, in the same round trip, or when the block ends:
    a study answer commits, then reads the shared cache for the next card (one round trip
    less). Anything the block reads through :func:`get_many` sees the new tokens; the
    block's end sends what is left, even on an error."""
    if getattr(_deferred, "pending", None) is not None:  # an outer block sends them
        yield
        return
    _deferred.pending = {}
    try:
        yield
    finally:
        pending, _deferred.pending = _deferred.pending, None
        if pending:
            _cache().set_many(pending, None)


def get_many(keys: Iterable[str]) -> dict:
    """``get_many`` of the shared cache, sending the deferred renewals first (Redis: in one
    pipeline with the read)."""
    keys = list(keys)
    cache = _cache()
    pending = getattr(_deferred, "pending", None)
    if not pending:
        return cache.get_many(keys)
    _deferred.pending = {}
    client = getattr(cache, "client", None)
    if client is not None and hasattr(client, "get_client"):  # django-redis
        try:
            pipe = client.get_client(write=True).pipeline(transaction=False)
            for key, value in pending.items():
                pipe.set(client.make_key(key), client.encode(value))
            pipe.mget([client.make_key(key) for key in keys])
            values = pipe.execute()[-1]
        except Exception:  # noqa: BLE001, S110 -- as IGNORE_EXCEPTIONS: two round trips below
            pass
        else:
            return {
                key: client.decode(value)
                for key, value in zip(keys, values, strict=True)
                if value is not None
            }
    cache.set_many(pending, None)
    return cache.get_many(keys)


def renew(key: str) -> None:
    """A new token under ``key`` once the current transaction commits (a reader between the
    write and the commit must not store old figures under the new token).

    Once per key and atomic block: an answer saves a card and a log, and both renew the
    learner's key. A second renewal is dropped only when one for the same key, not run yet,
    was registered in the same atomic block (the same savepoints): Django then runs or
    discards both together, so the one left renews at the same moment. Another block (a
    savepoint inside, the next request's transaction) registers its own, and so does code
    run right in a test case's never-committed transaction (as Django's ``durable`` check,
    it stands for autocommit, where each renewal runs at once)."""
    try:
        if _pending(key):
            return
    except (AttributeError, TypeError, ValueError):  # Django's internals changed: renew
        pass
    transaction.on_commit(_Renewal(key))


def _pending(key: str) -> bool:
    """A renewal of ``key``, not run yet, registered in this atomic block (reads Django's
    private transaction state: ``renew`` falls back to registering one if its shape changes)."""
    connection = transaction.get_connection()
    blocks = connection.atomic_blocks
    if not blocks or getattr(blocks[-1], "_from_testcase", False):
        return False
    savepoints = set(connection.savepoint_ids)
    for pending_savepoints, callback, _robust in connection.run_on_commit:
        if (
            isinstance(callback, _Renewal)
            and callback.key == key
            and not callback.done
            and pending_savepoints == savepoints
        ):
            return True
    return False
