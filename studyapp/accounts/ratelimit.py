"""Rate limits on password-reset requests, counted in the Django cache.

Per client address (the one the login lockout uses, behind the proxy too) and per email
address, whether or not it has an account (so a limit says nothing about accounts). The
counters are shared by every worker and server only when the cache is: in production set
REDIS_URL (the default in-process cache counts per gunicorn worker). A cache outage lets
requests through rather than refusing everyone.
"""

from __future__ import annotations

import hashlib

from axes.helpers import get_client_ip_address
from django.core.cache import cache

HOUR = 60 * 60
RESET_PER_CLIENT = (20, HOUR)  # a classroom behind one address may all forget at once
RESET_PER_EMAIL = (3, HOUR)  # no mail-bombing an inbox with reset links


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one request under ``key``; False once more than ``limit`` in ``window`` s."""
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count is None or count <= limit


def reset_allowed(request, email: str) -> bool:
    client = get_client_ip_address(request) or "unknown"
    if not _hit(f"ratelimit:reset:client:{client}", *RESET_PER_CLIENT):
        return False
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return _hit(f"ratelimit:reset:email:{digest}", *RESET_PER_EMAIL)
