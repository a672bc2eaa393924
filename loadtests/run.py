"""`make loadtest`: locust, headless, against gunicorn + PostgreSQL on loopback.

1. (Re)creates the database ``studyapp_load`` (``LOADTEST_DATABASE_URL``), migrates it,
   imports ``content/``, creates 100 users ``carga000``… with a session and their study
   cards each, and analyzes the tables (planner statistics, as in service).
2. Starts gunicorn with debug off (``studyapp/gunicorn_conf.py``: (2 × cores) + 1 workers),
   with a private Redis as the shared cache, as production (``--no-redis``: without).
3. Runs ``locust --headless -u 100 -r 20 -t 60s``: 70 users studying, 30 in mock exams
   (``loadtests/locustfile.py``), then prints req/s and p50/p95/p99 per endpoint.
4. Then the ceilings, on the same server and database (``--ceiling-users`` users with no
   think time, ``--ceiling-time`` per round, two rounds alternating): the floor view
   (``/_floor/``: session, base template, one indexed query; served because gunicorn runs
   ``loadtests/settings.py``, the production settings plus bench/urls.py) and the app (the
   same study and mock-exam users, 70:30). Prints both req/s and their ratio (target ≥ 0.7).
5. Fails (exit 1) on any failed request, on any traceback in gunicorn's log, or when the
   reviews stored differ from the answers that got a success response.

Output (CSV, HTML report, gunicorn logs) goes to ``var/loadtest/``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = BASE_DIR / "var" / "loadtest"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/studyapp_load"


def production_env(database_url: str) -> dict[str, str]:
    """Debug off and the production settings, over plain HTTP on loopback."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="loadtests.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DATABASE_URL=database_url,
    )
    return env


def recreate_database(database_url: str) -> None:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare(users: int) -> list[str]:
    """Migrate, import content/, build static files, create the users; their session keys."""
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.core.management import call_command
    from django.db import connections

    from studyapp.content.importer import content_import
    from studyapp.srs.services import cards_ensure

    call_command("migrate", verbosity=0)
    report = content_import(paths=[settings.CONTENT_DIR])
    assert report.ok, report.errors
    print(f"content: {report.questions} questions, {report.concept_cards} concept cards")
    call_command("collectstatic", interactive=False, verbosity=0)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for n in range(users):
        user = get_user_model()(username=f"carga{n:03d}")
        user.set_unusable_password()
        user.save()
        # A logged-in session, as a login would leave it (100 PBKDF2 checks at once would
        # measure the password hasher, not the app).
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
        cards_ensure(user=user)  # mid-term: everyone has their study cards already
    # Planner statistics, as a database in service has them (autovacuum analyzes only after
    # its first nap): without them the study queue query takes ~40 ms instead of ~1 ms.
    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")
    connections.close_all()
    return keys


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            str(BIN / "gunicorn"),
            "studyapp.wsgi:application",
            "-c",
            "studyapp/gunicorn_conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(OUT / "access.log"),
            "--error-logfile",
            str(OUT / "gunicorn.log"),
        ],
        cwd=BASE_DIR,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok:
                return process
        except requests.RequestException:  # not listening yet, or workers still booting
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start; see var/loadtest/gunicorn.log")


def print_table(result: dict) -> None:
    """req/s and latency percentiles (ms) per endpoint, as locust measured them."""
    print(f"\n{'endpoint':<22} {'requests':>8} {'fails':>5} {'req/s':>6} ", end="")
    print(f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for name, row in [*result["endpoints"].items(), ("TOTAL", result["total"])]:
        print(
            f"{name:<22} {row['requests']:>8} {row['failures']:>5} {row['rps']:>6.1f} "
            f"{row['p50']:>7.0f} {row['p95']:>7.0f} {row['p99']:>7.0f} {row['max']:>7.0f}"
        )


def run_locust(
    port: int,
    sessions: list[str],
    classes: list[str],
    users: int,
    spawn_rate: int,
    duration: str,
    name: str,
    extra_env: dict[str, str] | None = None,
) -> tuple[subprocess.CompletedProcess, dict]:
    """One headless locust run of ``classes``; (process, figures of loadtests/locustfile.py)."""
    result_file = OUT / f"{name}.json"
    locust = subprocess.run(  # noqa: S603 (fixed arguments)
        [
            str(BIN / "locust"),
            "-f",
            "loadtests/locustfile.py",
            "--headless",
            "--only-summary",
            "-u",
            str(users),
            "-r",
            str(spawn_rate),
            "-t",
            duration,
            "--stop-timeout",
            "20",  # users finish the request in flight: each answer is counted or not sent
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(OUT / name),
            "--html",
            str(OUT / f"{name}.html"),
            *classes,
        ],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "LOADTEST_SESSIONS": json.dumps(sessions),
            "LOADTEST_RESULT": str(result_file),
            **(extra_env or {}),
        },
        stdout=subprocess.DEVNULL if name != "result" else None,
    )
    return locust, json.loads(result_file.read_text())


def server_cpu_seconds(pid: int) -> float | None:
    """CPU seconds used so far by gunicorn's master and its workers, the recycled ones
    included (a reaped child's time is added to its parent's); None without /proc."""
    try:
        clock = os.sysconf("SC_CLK_TCK")

        def fields(path: Path) -> list[str]:
            return path.read_text().rsplit(")", 1)[1].split()

        total = sum(int(value) for value in fields(Path(f"/proc/{pid}/stat"))[11:15])
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                child = fields(stat)
            except OSError:  # exited meanwhile
                continue
            if child[1] == str(pid):
                total += int(child[11]) + int(child[12])
        return total / clock
    except (OSError, ValueError):
        return None


def measure_ceilings(port: int, sessions: list[str], args, server_pid: int) -> dict:
    """req/s with no think time: the floor view and the app, alternating, two rounds each.

    Each round also records gunicorn's CPU time per request (``cpu_ms``): what the server
    spends on a request, which other jobs on the machine slow down but do not change, as
    they change req/s."""
    users = args.ceiling_users
    studying = round(users * 0.7)
    app_env = {
        "LOADTEST_THINK": "0",
        "LOADTEST_STUDYING": str(studying),
        "LOADTEST_MOCK": str(users - studying),
    }
    figures = {"floor": [], "app": []}
    totals = {"requests": 0, "failures": 0, "answers_ok": 0, "exit": 0}
    for round_ in (1, 2):
        for kind, classes, env in (
            ("floor", ["Floor"], {}),
            ("app", ["Studying", "MockExam"], app_env),
        ):
            print(f"ceiling round {round_}: {kind}, {users} users, no think time …", flush=True)
            cpu_before = server_cpu_seconds(server_pid)
            process, result = run_locust(
                port,
                sessions,
                classes,
                users,
                users,
                args.ceiling_time,
                f"ceiling-{kind}-{round_}",
                env,
            )
            cpu_after = server_cpu_seconds(server_pid)
            if cpu_before is not None and cpu_after is not None and result["total"]["requests"]:
                seconds = cpu_after - cpu_before
                result["total"]["cpu_ms"] = 1000 * seconds / result["total"]["requests"]
            figures[kind].append(result["total"])
            totals["requests"] += result["total"]["requests"]
            totals["failures"] += result["total"]["failures"]
            totals["answers_ok"] += result["answers_ok"]
            totals["exit"] = totals["exit"] or process.returncode
    floor = sum(row["rps"] for row in figures["floor"]) / len(figures["floor"])
    app = sum(row["rps"] for row in figures["app"]) / len(figures["app"])
    cpu = {
        kind: [row["cpu_ms"] for row in rows if "cpu_ms" in row] for kind, rows in figures.items()
    }
    cpu_floor, cpu_app = (sum(cpu[kind]) / len(cpu[kind]) if cpu[kind] else None for kind in cpu)
    ceiling = {
        "users": users,
        "seconds_per_round": args.ceiling_time,
        "floor_rps": round(floor, 1),
        "app_rps": round(app, 1),
        "ratio": round(app / floor, 2) if floor else None,
        "target": 0.7,
        "floor_cpu_ms": round(cpu_floor, 2) if cpu_floor else None,
        "app_cpu_ms": round(cpu_app, 2) if cpu_app else None,
        "cpu_ratio": round(cpu_floor / cpu_app, 2) if cpu_floor and cpu_app else None,
        "rounds": figures,
        **totals,
    }
    (OUT / "ceiling.json").write_text(json.dumps(ceiling, indent=2))
    return ceiling


def print_ceiling(ceiling: dict) -> None:
    ratio = ceiling["ratio"]
    status = "PASS" if ratio is not None and ratio >= ceiling["target"] else "MISS"
    print(
        f"\nceiling ({ceiling['users']} users, no think time, 2 × {ceiling['seconds_per_round']} "
        f"each): floor view {ceiling['floor_rps']} req/s, app {ceiling['app_rps']} req/s, "
        f"ratio {ratio}x {status} (target ≥ {ceiling['target']}x)"
    )
    for kind in ("floor", "app"):
        rows = ", ".join(
            f"{row['rps']:.1f} req/s p50 {row['p50']:.0f} ms p95 {row['p95']:.0f} ms"
            + (f" cpu {row['cpu_ms']:.2f} ms/req" if "cpu_ms" in row else "")
            for row in ceiling["rounds"][kind]
        )
        print(f"  {kind}: {rows}")
    if ceiling["cpu_ratio"] is not None:
        print(
            f"  gunicorn CPU per request: floor {ceiling['floor_cpu_ms']} ms, app "
            f"{ceiling['app_cpu_ms']} ms, ratio {ceiling['cpu_ratio']}x (other jobs on the "
            "machine move it less than req/s; PostgreSQL and locust not counted)"
        )


def stored_study_reviews() -> int:
    from studyapp.srs.models import ReviewLog

    return ReviewLog.objects.filter(source=ReviewLog.Source.STUDY).count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=int, default=20)
    parser.add_argument("--time", default="60s")
    parser.add_argument(
        "--ceiling-users", type=int, default=20, help="users with no think time (0: skip)"
    )
    parser.add_argument("--ceiling-time", default="15s", help="per round (two rounds each)")
    parser.add_argument(
        "--no-redis",
        action="store_true",
        help="no shared cache (production without Redis: docs/deploy.md)",
    )
    args = parser.parse_args()

    sys.path.insert(0, str(BASE_DIR))  # loadtests.settings, bench.urls
    database_url = os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    env = production_env(database_url)
    os.environ.clear()
    os.environ.update(env)
    # Caches as in production: a private Redis (bench/run.py's), unless --no-redis.
    from bench.run import start_redis

    redis = None if args.no_redis else start_redis()
    if redis is not None:
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    print(f"shared cache: {'redis' if redis else 'none (dummy)'}")
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*"):
        old.unlink()

    print(f"database: {database_url} (recreated)")
    recreate_database(database_url)
    sessions = prepare(args.users)
    port = free_port()
    server = start_gunicorn(env, port)
    try:
        locust, result = run_locust(
            port,
            sessions,
            ["Studying", "MockExam"],
            args.users,
            args.spawn_rate,
            args.time,
            "result",
        )
        ceiling = (
            None if args.ceiling_users == 0 else measure_ceilings(port, sessions, args, server.pid)
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)

    print_table(result)
    requests_sent, failures = result["total"]["requests"], result["total"]["failures"]
    answers_ok = result["answers_ok"]
    if ceiling is not None:
        requests_sent += ceiling["requests"]
        failures += ceiling["failures"]
        answers_ok += ceiling["answers_ok"]
        print_ceiling(ceiling)
    stored = stored_study_reviews()
    tracebacks = (OUT / "gunicorn.log").read_text(errors="replace").count("Traceback")
    print(f"\nstudy answers with a success response: {answers_ok}; reviews stored: {stored}")
    print(f"requests: {requests_sent}, failed: {failures}, tracebacks logged: {tracebacks}")
    problems = []
    if not requests_sent:
        problems.append("no request was sent")
    if locust.returncode != 0 or failures or (ceiling and ceiling["exit"]):
        problems.append(f"{failures} failed requests (locust exit {locust.returncode})")
    if stored != answers_ok:
        problems.append(f"reviews stored ({stored}) != acknowledged answers ({answers_ok})")
    if tracebacks:
        problems.append("gunicorn logged tracebacks: see var/loadtest/gunicorn.log")
    if problems:
        print("LOAD TEST FAILED: " + "; ".join(problems))
        return 1
    print("load test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
