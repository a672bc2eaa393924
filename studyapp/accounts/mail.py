"""Mail that must not hold up (or show in) a response: password-reset links.

One background thread per process sends them in order. The response to a reset request
neither waits for the SMTP server nor for the account lookup, so it cannot tell whether an
address has an account, by its content or by its time. A failure is logged, never shown.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connections

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor  # created on first use: after gunicorn forks its workers
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail")
        return _executor


def _run(job, kwargs: dict) -> None:
    try:
        job(**kwargs)
    except Exception:
        logger.exception("background mail failed")
    finally:
        connections.close_all()  # this thread's own database connections


def send_later(job, **kwargs) -> Future:
    """Run ``job(**kwargs)`` on the mail thread."""
    return _pool().submit(_run, job, kwargs)


def drain(timeout: float = 30) -> None:
    """Wait until everything queued so far is sent (tests, a clean shutdown)."""
    _pool().submit(lambda: None).result(timeout)
