"""``make bench``: server time and query count of the hot pages at two data sizes.

    .venv/bin/python bench/run.py [--iterations 40] [--warmup 5] [--sizes small,large] [--rebuild]
    .venv/bin/python bench/run.py --sizes small --endpoints answer,dashboard [--explain]

The one benchmark harness of the project (the per-app commands it replaced: bench_progress,
quiz_benchmark, tests/srs/measure_answer.py). ``--endpoints`` measures some rows only (and
writes ``var/bench/results-partial.json`` unless ``--out`` says otherwise); ``--explain``
prints the query plans of the study queue's hot queries.

Builds each data set once and caches it (SQLite: ``var/bench/<size>-<key>.sqlite3``; with
``DATABASE_URL`` set, the PostgreSQL databases ``studyapp_bench`` and ``studyapp_bench_small``),
keyed by a hash of the migrations, content/, the generator's code and the size. Every run
measures a throwaway copy of it, in-process (django.test.Client, debug off, the URL map of
``bench/urls.py``: the app's plus ``/_floor/``), as the user with the most reviews. See
bench/README.md for what is measured and how to read the table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results.json"
PARTIAL_RESULTS = CACHE_DIR / "results-partial.json"
# Bump when the generated data changes in a way the hashed files below do not show.
GENERATOR_VERSION = 1
GENERATOR_FILES = ("studyapp/demo/seeding.py", "studyapp/demo/mocks.py", "studyapp/demo/bulk.py")
# Review budgets are 2% over the round figures: the simulation ends short histories at "now",
# so about 2% of the budget is never spent (small: ~1,000 logs; large: ~1,000,000).
SIZES = {
    "small": {"users": 10, "reviews": 1_020, "mocks": 10},
    "large": {"users": 1_000, "reviews": 1_020_000, "mocks": 10},
}
PG_NAMES = {"large": "studyapp_bench", "small": "studyapp_bench_small"}
PG_WORK = "studyapp_bench_run"
# (name, what, target ratio to the floor)
ENDPOINTS = (
    ("floor", "GET /_floor/ (base template, one indexed query)", None),
    ("study", "GET /study/ (next card, full page)", 2.0),
    ("answer", "POST answer → next card (htmx)", 2.0),
    ("deck", "GET /decks/<slug>/ (largest deck)", 3.0),
    ("quiz_question", "GET /quiz/a/<id>/q/33/ (mock exam)", 2.0),
    ("autosave", "POST quiz answer (htmx autosave)", 2.0),
    ("dashboard", "GET /progress/", 3.0),
)
# Production-like settings (debug off), safe for an in-process run without HTTPS.
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "studyapp.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_HSTS_SECONDS": "0",
    "DJANGO_LOG_LEVEL": "ERROR",
}


# --- cache keys and locations --------------------------------------------------------------


def data_key(size: str, vendor: str) -> str:
    digest = hashlib.sha256(f"{GENERATOR_VERSION}:{vendor}:{SIZES[size]}".encode())
    paths = sorted(ROOT.glob("studyapp/*/migrations/*.py")) + sorted(ROOT.glob("content/**/*.md"))
    paths += [ROOT / name for name in GENERATOR_FILES]
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def postgres_url() -> str:
    return os.environ.get("DATABASE_URL", "")


def _pg_admin():
    """A connection to the server's maintenance database (autocommit, for CREATE DATABASE)."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(postgres_url())
    return psycopg.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
    )


def _pg_meta(name: str) -> dict | None:
    with _pg_admin() as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    if row is None or not row[0]:
        return None
    try:
        return json.loads(row[0])
    except ValueError:
        return None


def _pg_recreate(name: str, template: str | None = None) -> None:
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def _pg_set_meta(name: str, meta: dict) -> None:
    with _pg_admin() as admin:
        admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{json.dumps(meta)}'")


def _pg_drop(name: str) -> None:
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- orchestration (parent process) --------------------------------------------------------


def _child(*args: str) -> None:
    env = {**os.environ, **BENCH_ENV}
    subprocess.run([sys.executable, __file__, *args], check=True, env=env, cwd=ROOT)  # noqa: S603


def ensure_data(size: str, *, rebuild: bool) -> tuple[str, dict]:
    """The cached data set for ``size`` (built when missing or stale): (location, meta)."""
    vendor = "postgresql" if postgres_url() else "sqlite"
    key = data_key(size, vendor)
    if vendor == "postgresql":
        name = PG_NAMES[size]
        meta = _pg_meta(name)
        built = rebuild or not meta or meta.get("key") != key
        if built:
            print(f"[{size}] building data set in PostgreSQL database {name} …", flush=True)
            _pg_recreate(name)
            started = time.perf_counter()
            _child("_build", "--size", size, "--db", name)
            meta = {"key": key, "build_seconds": round(time.perf_counter() - started, 1)}
            _pg_set_meta(name, meta)
        else:
            print(f"[{size}] using cached data set (database {name}, key {key})", flush=True)
        return name, {**meta, "cached": not built}
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"{size}-{key}.sqlite3"
    meta_path = path.with_suffix(".json")
    if rebuild or not path.exists() or not meta_path.exists():
        for old in CACHE_DIR.glob(f"{size}-*.*"):
            old.unlink()
        print(f"[{size}] building data set {path.relative_to(ROOT)} …", flush=True)
        partial = path.with_suffix(".partial")
        started = time.perf_counter()
        _child("_build", "--size", size, "--db", str(partial))
        partial.rename(path)
        meta = {"key": key, "build_seconds": round(time.perf_counter() - started, 1)}
        meta_path.write_text(json.dumps(meta))
        meta["cached"] = False
    else:
        print(f"[{size}] using cached data set {path.relative_to(ROOT)}", flush=True)
        meta = {**json.loads(meta_path.read_text()), "cached": True}
    return str(path), meta


def measure(size: str, location: str, args) -> dict:
    """Measure a throwaway copy of the data set in a fresh process."""
    out = CACHE_DIR / f"{size}-result.json"
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    if postgres_url():
        _pg_recreate(PG_WORK, template=location)
        work = PG_WORK
    else:
        work = str(CACHE_DIR / f"{size}-run.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(work + suffix).unlink(missing_ok=True)
        shutil.copyfile(location, work)
    try:
        _child(
            "_measure",
            "--size",
            size,
            "--db",
            work,
            "--out",
            str(out),
            "--iterations",
            str(args.iterations),
            "--warmup",
            str(args.warmup),
            "--clock",
            args.clock,
            "--endpoints",
            ",".join(args.endpoints),
            *(["--explain"] if args.explain else []),
        )
    finally:
        if postgres_url():
            _pg_drop(PG_WORK)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(work + suffix).unlink(missing_ok=True)
    return json.loads(out.read_text())


def _queries_label(counts: list[int]) -> str:
    return "/".join(str(c) for c in counts)


def report(results: dict) -> bool:
    """Print the table; returns True when every query count is equal across sizes."""
    sizes = list(results["sizes"])
    equal = True
    print(f"\nserver time: {results['clock']} clock, median of {results['iterations']} requests")
    header = f"{'endpoint':<14}"
    for size in sizes:
        header += f" | {size + ' med':>10} {'p95':>7} {'ratio':>6} {'st':>4}"
    header += f" | {'queries ' + '/'.join(sizes):>18} | target"
    print()
    print(header)
    print("-" * len(header))
    for name, _what, target in ENDPOINTS:
        if name not in results["sizes"][sizes[0]]["endpoints"]:
            continue
        line = f"{name:<14}"
        counts = []
        for size in sizes:
            row = results["sizes"][size]["endpoints"][name]
            status = row["status"] or ""
            line += (
                f" | {row['median_ms']:>7.2f} ms {row['p95_ms']:>7.2f} {row['ratio']:>5.2f}x "
                f"{status:>4}"
            )
            counts.append(row["queries"])
        same = all(c == counts[0] for c in counts)
        equal = equal and same
        label = " / ".join(_queries_label(c) for c in counts)
        line += f" | {label:>15} {'ok' if same else 'DIFF'}"
        line += f" | ≤ {target:g}x" if target else " |"
        print(line)
    print()
    for size in sizes:
        data = results["sizes"][size]
        counts = data["data"]
        print(
            f"{size}: {counts['review_logs']:,} review logs, {counts['users']:,} users, "
            f"{counts['study_cards']:,} study cards, {counts['attempts']:,} quiz attempts; "
            f"measured user has {data['user']['review_logs']:,} logs; data set built in "
            f"{data['build']['build_seconds']} s ({'cached' if data['build']['cached'] else 'now'})"
        )
    print("query counts equal at every size:", "yes" if equal else "NO")
    return equal


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--sizes", default="small,large")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached data sets")
    parser.add_argument(
        "--clock",
        choices=("auto", "wall", "cpu"),
        default="auto",
        help="wall: elapsed time; cpu: this process's CPU time, steady on a busy machine but "
        "blind to PostgreSQL's own processes; auto (default): cpu on SQLite, wall on PostgreSQL",
    )
    parser.add_argument(
        "--endpoints",
        default="",
        help="comma-separated rows to measure (floor is always measured); default: all",
    )
    parser.add_argument(
        "--explain", action="store_true", help="print the study queue's query plans"
    )
    parser.add_argument("--out", help="default: bench/results.json (a partial run: var/bench/)")
    args = parser.parse_args()
    names = [name for name, _what, _target in ENDPOINTS]
    wanted = [e for e in args.endpoints.split(",") if e]
    if set(wanted) - set(names):
        parser.error(f"unknown endpoint(s): {', '.join(sorted(set(wanted) - set(names)))}")
    args.endpoints = [n for n in names if n == "floor" or not wanted or n in wanted]
    if args.out is None:
        args.out = str(RESULTS if len(args.endpoints) == len(names) else PARTIAL_RESULTS)
    if args.clock == "auto":
        args.clock = "wall" if postgres_url() else "cpu"
    sizes = [s for s in args.sizes.split(",") if s]
    unknown = set(sizes) - set(SIZES)
    if unknown:
        parser.error(f"unknown size(s): {', '.join(sorted(unknown))}")
    results = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "database": "postgresql" if postgres_url() else "sqlite",
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "iterations": args.iterations,
        "warmup": args.warmup,
        "clock": args.clock,
        "sizes": {},
    }
    for size in sizes:
        location, meta = ensure_data(size, rebuild=args.rebuild)
        print(f"[{size}] measuring …", flush=True)
        data = measure(size, location, args)
        data["build"] = meta
        results["sizes"][size] = data
    equal = report(results)
    results["query_counts_equal"] = equal
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")
    return 0 if equal else 1


# --- child processes: build and measure ----------------------------------------------------


def _django(db: str) -> None:
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database["NAME"] = db
    else:
        database["NAME"] = db
        database["CONN_MAX_AGE"] = 0
    django.setup()


def build(size: str, db: str) -> None:
    _django(db)
    from django.core.management import call_command
    from django.db import connection

    from studyapp.demo.seeding import seed_demo_data

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("import_content", str(ROOT / "content"), verbosity=0)
    print(f"  migrated and imported content in {time.perf_counter() - started:.1f} s", flush=True)
    spec = SIZES[size]
    totals = seed_demo_data(
        users=spec["users"],
        reviews=spec["reviews"],
        mocks=spec["mocks"],
        prefix="bench",
        seed=2026,
        log=lambda line: print(line, flush=True),
    )
    print(f"  seeded {totals} in {time.perf_counter() - started:.1f} s", flush=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # one self-contained file
    connection.close()


def _prepare(user):
    """The measured user's queue, the same at every size: limits out of the way, no
    learning card due, at least 150 review cards due (new cards made reviews if needed),
    and a mock exam in progress. Changes only the throwaway copy."""
    from datetime import timedelta

    from django.utils import timezone

    from studyapp.quizzes import services as quiz_services
    from studyapp.quizzes.models import ExamProfile
    from studyapp.srs.models import State, StudyCard
    from studyapp.srs.services import cards_ensure, study_settings_get

    now = timezone.now()
    settings = study_settings_get(user=user)
    settings.new_per_day = 9999
    settings.reviews_per_day = 9999
    settings.save()
    settings.decks.clear()
    cards_ensure(user=user, now=now)
    mine = StudyCard.objects.filter(user=user, suspended=False)
    mine.filter(state__in=[State.LEARNING, State.RELEARNING]).update(due=now + timedelta(days=1))
    mine.update(buried_until=None)
    wanted = 150
    reviews = list(mine.filter(state=State.REVIEW).order_by("id").values_list("id", flat=True))
    if len(reviews) < wanted:
        extra = list(
            mine.filter(state=State.NEW)
            .order_by("id")
            .values_list("id", flat=True)[: wanted - len(reviews)]
        )
        StudyCard.objects.filter(pk__in=extra).update(
            state=State.REVIEW,
            stability=5.0,
            difficulty=5.0,
            last_review=now - timedelta(days=6),
            reps=1,
        )
        reviews += extra
    StudyCard.objects.filter(pk__in=reviews[:wanted]).update(due=now - timedelta(hours=1))
    profile = ExamProfile.objects.get(is_default=True)
    return quiz_services.attempt_start_mock(user=user, profile=profile)


def measure_child(
    size: str,
    db: str,
    out: str,
    iterations: int,
    warmup: int,
    clock: str,
    endpoints: list[str],
    explain: bool,
) -> None:
    _django(db)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from studyapp.content.models import Deck, Item
    from studyapp.quizzes.models import Attempt
    from studyapp.srs.models import ReviewLog, StudyCard

    storages = {
        **settings.STORAGES,
        # No collectstatic for an in-process run: plain static URLs (a dict lookup either way).
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override = override_settings(
        STORAGES=storages, SECURE_SSL_REDIRECT=False, ROOT_URLCONF="bench.urls"
    )
    override.enable()
    assert not settings.DEBUG

    top = (
        ReviewLog.objects.values("user_id")
        .annotate(n=Count("id"))
        .order_by("-n", "user_id")
        .values_list("user_id", "n")
        .first()
    )
    user = get_user_model().objects.get(pk=top[0])
    user_logs = top[1]  # before the run adds its answers
    attempt = _prepare(user)
    deck = (
        Deck.objects.sources()
        .annotate(n=Count("items"))
        .order_by("-n", "slug")
        .values_list("slug", flat=True)
        .first()
    )
    data = {
        "users": get_user_model().objects.count(),
        "review_logs": ReviewLog.objects.count(),
        "study_cards": StudyCard.objects.count(),
        "items": Item.objects.studiable().count(),
        "attempts": Attempt.objects.count(),
    }
    client = Client()
    client.force_login(user)

    card_re = re.compile(r'action="/study/cards/(\d+)/answer/"')
    token_re = re.compile(r'name="token" value="([^"]+)"')
    htmx = {"HX-Request": "true"}
    state = {"page": "", "n": 0}
    question = attempt.questions.get(position=33)

    def study():
        response = client.get("/study/")
        state["page"] = response.content.decode()
        return response

    def answer():
        page = state["page"]
        card_id, token = card_re.search(page).group(1), token_re.search(page).group(1)
        return client.post(
            f"/study/cards/{card_id}/answer/",
            {"rating": 3, "token": token, "duration_ms": 4000, "scope": ""},
            headers=htmx,
        )

    def autosave():
        # Alternate two options so every request writes (an unchanged answer is a no-op).
        state["n"] += 1
        option = question.option_ids[state["n"] % 2]
        return client.post(f"/quiz/a/{attempt.pk}/q/33/answer/", {"option": option}, headers=htmx)

    calls = {
        "floor": lambda: client.get("/_floor/"),
        "study": study,
        "answer": answer,
        "deck": lambda: client.get(f"/decks/{deck}/"),
        "quiz_question": lambda: client.get(f"/quiz/a/{attempt.pk}/q/33/"),
        "autosave": autosave,
        "dashboard": lambda: client.get("/progress/"),
    }
    calls = {name: call for name, call in calls.items() if name in endpoints}
    timer = time.process_time if clock == "cpu" else time.perf_counter
    times = {name: [] for name in calls}
    queries = {name: [] for name in calls}

    def run(name: str, record: bool) -> None:
        if name == "answer":
            study()  # the card to answer is the one the study page shows
        with CaptureQueriesContext(connection) as captured:
            started = timer()
            response = calls[name]()
            elapsed = (timer() - started) * 1000
        assert response.status_code == 200, (name, response.status_code)
        if name == "answer":
            assert card_re.search(response.content.decode()), "queue ran out of due cards"
        if record:
            times[name].append(elapsed)
            queries[name].append(len(captured))

    for _ in range(warmup):
        for name in calls:
            run(name, record=False)
    # Interleaved: each request of an endpoint follows a floor request, so drifting noise
    # (other processes, the CPU's clock) touches both alike.
    for _ in range(iterations):
        for name in calls:
            if name == "floor":
                continue
            run("floor", record=True)
            run(name, record=True)

    floor = statistics.median(times["floor"])
    endpoints = {}
    for name, what, target in ENDPOINTS:
        if name not in calls:
            continue
        median = statistics.median(times[name])
        ratio = median / floor
        endpoints[name] = {
            "what": what,
            "median_ms": round(median, 2),
            "p95_ms": round(statistics.quantiles(times[name], n=20)[-1], 2),
            "queries": sorted(set(queries[name])),
            "ratio": round(ratio, 2),
            "target": target,
            "status": None if target is None else ("PASS" if ratio <= target else "MISS"),
            "samples": len(times[name]),
        }
    result = {
        "data": data,
        "database": connection.vendor,
        "user": {
            "id": user.pk,
            "review_logs": user_logs,
            "deck": deck,
        },
        "endpoints": endpoints,
    }
    Path(out).write_text(json.dumps(result, indent=2))
    if explain:
        explain_queue(connection, user)
    override.disable()


def explain_queue(connection, user) -> None:
    """Print the plans of the study queue's hot queries (SQLite EXPLAIN QUERY PLAN,
    PostgreSQL EXPLAIN) as the measured user runs them now."""
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from studyapp.srs import selectors
    from studyapp.srs.services import study_settings_get

    settings_ = study_settings_get(user=user)
    now = timezone.now()
    day = selectors.day_counts(user=user, settings=settings_, now=now)
    scope = selectors.scope_for(settings=settings_, slug=None)
    with CaptureQueriesContext(connection) as captured:
        selectors.day_counts(user=user, settings=settings_, now=now)
        selectors.next_card(user=user, scope=scope, now=now, day=day)
        selectors.queue_counts(user=user, scope=scope, now=now, day=day)
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    names = ("today's counts", "next card", "queue counts")
    for name, query in zip(names, captured.captured_queries, strict=False):
        print(f"--- {name}\n{query['sql']}\n")
        with connection.cursor() as cursor:
            cursor.execute(prefix + query["sql"])
            for row in cursor.fetchall():
                print("   ", row[-1] if connection.vendor == "sqlite" else row[0])
        print()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("_build", "_measure"):
        child = argparse.ArgumentParser()
        child.add_argument("command")
        child.add_argument("--size", required=True)
        child.add_argument("--db", required=True)
        child.add_argument("--out")
        child.add_argument("--iterations", type=int, default=40)
        child.add_argument("--warmup", type=int, default=5)
        child.add_argument("--clock", default="wall")
        child.add_argument("--endpoints", default="")
        child.add_argument("--explain", action="store_true")
        a = child.parse_args()
        if a.command == "_build":
            build(a.size, a.db)
        else:
            measure_child(
                a.size,
                a.db,
                a.out,
                a.iterations,
                a.warmup,
                a.clock,
                a.endpoints.split(","),
                a.explain,
            )
        sys.exit(0)
    sys.exit(main())
