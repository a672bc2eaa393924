"""Version tokens in the shared cache (settings.SHARED_CACHE): what keys cached pages.

A cached page puts the tokens of the data it shows in its key; a write renews them, so the
next read misses and builds fresh figures. A token is random and never reused: if the cache
loses one, the next reader makes a new one, and entries keyed by the old one are never read
again. Without Redis the shared cache is a dummy: no token is kept, nothing is cached.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.cache import caches
from django.db import transaction


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


def renew(key: str) -> None:
    """A new token under ``key`` once the current transaction commits (a reader between the
    write and the commit must not store old figures under the new token)."""
    transaction.on_commit(lambda: _cache().set(key, secrets.token_hex(8), None))
