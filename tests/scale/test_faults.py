"""Faults: SQLite busy under concurrent writers, a gunicorn worker killed mid-request,
an import that fails halfway. (The database being down is in tests/content/test_views.py.)"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.contrib.auth import get_user_model

from studyapp.content import importer
from studyapp.content.models import Deck, Item, Option, Reference, Section, SourceFile, Topic
from studyapp.srs.models import ReviewLog, StudyCard
from studyapp.srs.services import cards_ensure
from tests.conftest import SEED
from tests.scale.conftest import PASSWORD, requires_postgres
from tests.scale.live import BASE_DIR, Client

WRITER_PROCESSES = 4
USERS_PER_PROCESS = 2


def _writers_env(path: Path) -> dict[str, str]:
    return {**os.environ, "SCALE_SQLITE_PATH": str(path), "DJANGO_DEBUG": "0"}


def _collect(process: subprocess.Popen, lines: list[str]) -> threading.Thread:
    def read():
        for line in process.stdout:
            lines.append(line.strip())

    thread = threading.Thread(target=read)
    thread.start()
    return thread


def test_sqlite_busy_writers_wait_their_turn_and_nothing_is_lost(tmp_path):
    """Several processes (two threads each) answer cards in one SQLite file while another
    connection holds the write lock: they wait (busy timeout; IMMEDIATE transactions take
    the lock at BEGIN, so no writer fails on a lock upgrade), then all writes land."""
    path = tmp_path / "busy.sqlite3"
    env = _writers_env(path)
    helper = [sys.executable, "-m", "tests.scale.sqlite_writers"]
    users = WRITER_PROCESSES * USERS_PER_PROCESS
    subprocess.run([*helper, "setup", str(users)], cwd=BASE_DIR, env=env, check=True)

    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # holds the write lock until COMMIT
    processes, outputs, readers = [], [], []
    for p in range(WRITER_PROCESSES):
        names = [f"w{p * USERS_PER_PROCESS + n}" for n in range(USERS_PER_PROCESS)]
        process = subprocess.Popen(
            [*helper, "write", *names], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, text=True
        )
        processes.append(process)
        outputs.append([])
        readers.append(_collect(process, outputs[-1]))
    deadline = time.monotonic() + 30
    while not all("ready" in lines for lines in outputs) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1)  # the writers are now queued on the lock
    written_while_locked = sum(len(lines) - 1 for lines in outputs)
    blocker.execute("COMMIT")
    blocker.close()
    for process, reader in zip(processes, readers, strict=True):
        assert process.wait(timeout=60) == 0, "a writer failed (see its stderr above)"
        reader.join()

    assert written_while_locked == 0
    acknowledged = [json.loads(line) for lines in outputs for line in lines if line != "ready"]
    assert len(acknowledged) == users * 12
    database = sqlite3.connect(path)
    stored = {row[0] for row in database.execute("SELECT id FROM srs_reviewlog")}
    assert stored == {answer["log"] for answer in acknowledged}
    (mode,) = database.execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"
    database.close()


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_loses_no_acknowledged_answer(start_server, password_hash):
    """Learners keep answering while gunicorn workers are SIGKILLed one after another:
    every answer that got a success response is stored, and the server keeps serving."""
    assert importer.content_import(paths=[SEED]).ok
    learners = []
    for n in range(4):
        user = get_user_model().objects.create(username=f"falha{n}", password=password_hash)
        cards_ensure(user=user)
        learners.append(user)
    server = start_server(workers=2, threads=1)
    acknowledged: Counter[int] = Counter()  # card id → answers the server confirmed
    attempted: Counter[int] = Counter()
    interrupted = []
    lock = threading.Lock()
    done = threading.Event()

    def total() -> int:
        with lock:
            return sum(acknowledged.values())

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 30
        while total() < count:
            assert time.monotonic() < deadline, "answers stopped being acknowledged"
            time.sleep(0.02)

    def study(user) -> None:
        browser = Client(server.url)
        for _try in range(5):
            try:
                browser.login(user.username, PASSWORD)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        while not done.is_set():
            try:
                card_id, token = browser.shown_card()
                with lock:
                    attempted[card_id] += 1
                # "De novo" keeps every card in (re)learning, so there is always one to show.
                response = browser.post(
                    f"/study/cards/{card_id}/answer/", {"token": token, "rating": 1}, htmx=True
                )
            except requests.RequestException as error:  # cut by the kill: outcome unknown
                interrupted.append(error)
                continue
            assert response.status_code in (200, 400), response.status_code
            if response.status_code == 200:
                with lock:
                    acknowledged[card_id] += 1

    with ThreadPoolExecutor(len(learners)) as pool:
        clients = [pool.submit(study, user) for user in learners]
        killed = []
        try:
            for _kill in range(3):
                wait_for(total() + 10)
                victim = server.worker_pids()[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
            wait_for(total() + 10)  # the replacement workers serve answers
        finally:
            done.set()
        for client in clients:
            client.result()

    assert requests.get(server.url + "/healthz", timeout=5).status_code == 200
    assert not set(killed) & set(server.worker_pids())
    logs = defaultdict(list)
    for log in ReviewLog.objects.order_by("reviewed_at", "id"):
        logs[log.card_id].append(log)
    for card_id, count in acknowledged.items():
        assert count <= len(logs[card_id]) <= attempted[card_id], card_id
    for card in StudyCard.objects.filter(pk__in=logs):
        assert card.reps == len(logs[card.pk])
        assert card.due == logs[card.pk][-1].due_after
    print(
        f"\n{sum(acknowledged.values())} answers acknowledged, {len(interrupted)} requests cut "
        f"by {len(killed)} SIGKILLs, {ReviewLog.objects.count()} stored"
    )


def _snapshot() -> dict:
    return {
        model.__name__: list(model.objects.order_by("pk").values_list())
        for model in (Deck, Section, Item, Option, Reference, SourceFile, Topic)
    }


@pytest.mark.django_db
def test_an_import_that_fails_midway_leaves_the_database_unchanged(monkeypatch):
    """A crash after the first deck was written (not a content error: an exception)
    rolls everything back, including the rewrites of decks that already existed."""
    assert importer.content_import(paths=[SEED]).ok
    before = _snapshot()
    folder = BASE_DIR / "content" / "pt-br"
    written = []
    original = importer._import_deck

    def crash_on_the_second_deck(*args, **kwargs):
        if written:
            raise RuntimeError("disk full")
        written.append(original(*args, **kwargs))
        return written[-1]

    monkeypatch.setattr(importer, "_import_deck", crash_on_the_second_deck)
    with pytest.raises(RuntimeError, match="disk full"):
        importer.content_import(paths=[folder], force=True)
    assert written == [[]]  # one deck was fully written before the crash
    assert _snapshot() == before
