"""Run a pure function under a hard time budget: in a forked child, killed when over.

Every parse that a web request asks for (the editor's live preview and save, uploads, GIFT
import) goes through :func:`call_within`. The parser and renderer are linear, but "linear"
still allows a slow 1 MiB input, and a future bug could bring back a superlinear case: the
budget is what guarantees that no request holds a worker longer than it.

Why a child process: CPU-bound Python cannot be stopped safely from inside. A thread cannot be
killed; ``signal.alarm`` only reaches the main thread (not runserver's or a threaded worker's),
does not interrupt a long regular-expression match, and raises at an arbitrary bytecode, which
can leave shared state (a translation cache, a database transaction) half done. A cooperative
check inside the parser loop would not cover Python-Markdown's own loops. A forked child shares
the loaded code (copy-on-write, a few milliseconds on Linux), may be killed at any point, and
only hands back a pickled result; it never touches the database (the function is pure: parse
and render), and leaves with ``os._exit`` so the parent's connections are never closed by it.

``CONTENT_PARSE_SECONDS`` (settings, default 10) is the budget. Where ``fork`` is unavailable
the function runs in-process (no budget): development on such systems only.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time
import traceback

from django.conf import settings

DEFAULT_SECONDS = 10.0


class BudgetExceeded(Exception):
    """The work took longer than its budget; the child was killed, nothing was returned."""

    def __init__(self, seconds: float):
        super().__init__(f"over the time budget of {seconds:g} s")
        self.seconds = seconds


class ChildFailed(Exception):
    """The child raised (its traceback is the message) or died without an answer."""


def budget_seconds() -> float:
    return float(getattr(settings, "CONTENT_PARSE_SECONDS", DEFAULT_SECONDS))


class Deadline:
    """One budget shared by the steps of one request (e.g. GIFT conversion, then the preview)."""

    def __init__(self, seconds: float | None = None):
        self.seconds = budget_seconds() if seconds is None else seconds
        self.ends = time.monotonic() + self.seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()


def _child(connection, function, args, kwargs) -> None:
    try:
        payload = pickle.dumps(("ok", function(*args, **kwargs)), pickle.HIGHEST_PROTOCOL)
    except BaseException:  # noqa: BLE001 (everything goes back to the parent)
        payload = pickle.dumps(("error", traceback.format_exc()))
    try:
        connection.send_bytes(payload)
    finally:
        connection.close()
        os._exit(0)  # no atexit, no Django cleanup: the parent's connections stay open


def call_within(deadline: Deadline | float | None, function, /, *args, **kwargs):
    """``function(*args, **kwargs)`` in a child process; BudgetExceeded when it is too slow."""
    if not isinstance(deadline, Deadline):
        deadline = Deadline(deadline)
    seconds = deadline.remaining()
    if seconds <= 0:
        raise BudgetExceeded(deadline.seconds)
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover
        return function(*args, **kwargs)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, function, args, kwargs), daemon=True)
    process.start()
    sender.close()
    try:
        # Read while waiting: a large answer fills the pipe before the child can exit.
        if not receiver.poll(seconds):
            raise BudgetExceeded(deadline.seconds)
        try:
            status, value = pickle.loads(receiver.recv_bytes())  # noqa: S301 (our own child)
        except EOFError as exc:
            raise ChildFailed(f"the child died (exit code {process.exitcode})") from exc
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
    if status == "error":
        raise ChildFailed(value)
    return value
