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
from urllib.parse import urlencode

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
    ("fragment_floor", "htmx POST /_floor/fragment/ (no base template, one indexed query)", None),
    ("study", "GET /study/ (next card, full page)", 1.5),
    ("answer", "POST answer → next card (htmx)", 1.5),
    ("deck", "GET /decks/<slug>/ (largest deck)", 3.0),
    ("quiz_question", "GET /quiz/a/<id>/q/33/ (mock exam)", 1.5),
    ("autosave", "POST quiz answer (htmx autosave)", 2.0),
    ("dashboard", "GET /progress/ (repeat view)", 1.0),
    ("dashboard_after_answer", "GET /progress/ right after an answer", 2.5),
)
# htmx fragments, also reported against the fragment floor (``fragment_ratio``).
FRAGMENTS = {"answer": 3.0, "autosave": 3.0}
# Content scales: copies of content/ (1× is content/ itself), measured for a new learner.
SCALES = {"1x": 1, "10x": 10, "100x": 100}
SCALE_ENDPOINTS = ("study", "answer", "quiz_question", "home", "quiz_index", "dashboard")
# Targets at each scale: the page's median ≤ this × its 1× median.
SCALE_TARGETS = {"10x": 1.25, "100x": 2.0}
IMPORT_TARGETS = {"import_seconds": 30.0, "import_peak_mb": 150.0, "reimport_seconds": 2.0}
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


def start_redis() -> subprocess.Popen | None:
    """A private Redis for the run (production caches with Redis: docs/deploy.md), on a free
    loopback port, nothing saved; None when redis-server is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    return process


def flush_redis() -> None:
    """Empty the run's private Redis: each data set starts with a cold cache (two databases
    may hold the same ids)."""
    if os.environ.get("REDIS_URL"):
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).flushall()


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
    flush_redis()
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


# --- content scales (parent) -----------------------------------------------------------------


def content_copy(factor: int) -> Path:
    """content/ itself (1×), or ``factor`` copies of it under var/bench/content-<N>x/: copy
    k renames every deck ``<slug>-c<k>`` (translations follow: ``translation-of``)."""
    source = ROOT / "content"
    if factor == 1:
        return source
    files = sorted(source.rglob("*.md"))
    digest = hashlib.sha256(str(factor).encode())
    for path in files:
        digest.update(path.read_bytes())
    key = digest.hexdigest()[:16]
    target = CACHE_DIR / f"content-{factor}x"
    stamp = target / ".key"
    if stamp.exists() and stamp.read_text() == key:
        return target
    shutil.rmtree(target, ignore_errors=True)
    front = re.compile(r"^(deck|translation-of): *(\S+) *$", re.MULTILINE)
    for path in files:
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(source)
        for k in range(factor):
            out = target / relative.parent / (f"{path.stem}-c{k}{path.suffix}" if k else path.name)
            copy = text
            if k:
                head, sep, body = text.partition("\n---\n")
                if sep and head.startswith("---"):
                    copy = front.sub(lambda m, k=k: f"{m[1]}: {m[2]}-c{k}", head) + sep + body
                copy = re.sub(r"^# (.+)$", rf"# \1 ({k})", copy, count=1, flags=re.MULTILINE)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(copy, encoding="utf-8")
    stamp.write_text(key)
    return target


def empty_database() -> Path:
    """A migrated, empty SQLite database (cached by the migrations' hash)."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("studyapp/*/migrations/*.py")):
        digest.update(path.read_bytes())
    path = CACHE_DIR / f"empty-{digest.hexdigest()[:16]}.sqlite3"
    if not path.exists():
        for old in CACHE_DIR.glob("empty-*.sqlite3"):
            old.unlink()
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        _child("_migrate", "--size", "-", "--db", str(partial))
        partial.rename(path)
    return path


def measure_scale(name: str, args) -> dict:
    """Import ``SCALES[name]`` copies of content/ into an empty database (timed, peak memory),
    import them again unchanged (timed), then measure the hot pages for a new learner."""
    factor = SCALES[name]
    content = content_copy(factor)
    work = CACHE_DIR / f"scale-{name}-run.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(work) + suffix).unlink(missing_ok=True)
    shutil.copyfile(empty_database(), work)
    out = CACHE_DIR / f"scale-{name}-result.json"
    flush_redis()
    try:

        def import_content() -> dict:
            _child(
                "_import",
                *("--size", name, "--db", str(work), "--content", str(content), "--out", str(out)),
            )
            return json.loads(out.read_text())

        print(f"[{name}] importing {content.relative_to(ROOT)} …", flush=True)
        first = import_content()
        print(f"[{name}] importing it again (unchanged) …", flush=True)
        again = import_content()
        print(f"[{name}] measuring pages for a new learner …", flush=True)
        _child(
            "_scale",
            "--size",
            name,
            "--db",
            str(work),
            "--out",
            str(out),
            "--iterations",
            str(args.scale_iterations),
            "--warmup",
            str(args.scale_warmup),
            "--clock",
            args.clock,
        )
        pages = json.loads(out.read_text())
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(work) + suffix).unlink(missing_ok=True)
    return {
        "copies": factor,
        "data": pages["data"],
        "import_seconds": first["seconds"],
        "import_cpu_seconds": first["cpu_seconds"],
        "import_workers_cpu_seconds": first["workers_cpu_seconds"],
        "reimport_cpu_seconds": again["cpu_seconds"],
        "import_peak_mb": first["peak_mb"],
        "import_workers_peak_mb": first["workers_peak_mb"],
        "import_baseline_mb": first["baseline_mb"],
        "reimport_seconds": again["seconds"],
        "reimport_peak_mb": again["peak_mb"],
        "reimport_unchanged_files": again["unchanged_files"],
        "endpoints": pages["endpoints"],
    }


def report_scales(results: dict) -> bool:
    """Print the content-scale table; True when every target holds."""
    scales = results.get("scales") or {}
    if not scales:
        return True
    ok = True
    base = scales.get("1x")
    print("\ncontent scale (new learner; median ms, and × the 1× median):")
    header = f"{'scale':<6} {'items':>7} {'decks':>6} | " + " ".join(
        f"{name:>15}" for name in SCALE_ENDPOINTS
    )
    header += f" | {'import s':>8} {'peak MB':>7} {'+workers':>8} {'reimport s':>10}"
    print(header)
    print("-" * len(header))
    for name, scale in scales.items():
        cells = []
        for endpoint in SCALE_ENDPOINTS:
            row = scale["endpoints"][endpoint]
            cell = f"{row['median_ms']:.1f}"
            if base is not None and name != "1x":
                factor = row["median_ms"] / base["endpoints"][endpoint]["median_ms"]
                row["vs_1x"] = round(factor, 2)
                target = SCALE_TARGETS.get(name)
                row["target_vs_1x"] = target
                row["status"] = "PASS" if target is None or factor <= target else "MISS"
                ok = ok and row["status"] == "PASS"
                cell += f" {factor:.2f}x" + ("" if row["status"] == "PASS" else "!")
            cells.append(f"{cell:>15}")
        if name == "100x":
            checks = {key: scale[key] <= limit for key, limit in IMPORT_TARGETS.items()}
            # The workers' memory counts too (their pages shared with this process twice).
            peak = scale["import_peak_mb"] + scale.get("import_workers_peak_mb", 0)
            checks["import_peak_mb"] = peak <= IMPORT_TARGETS["import_peak_mb"]
        else:
            checks = {"reimport_seconds": scale["reimport_seconds"] <= 2.0}
        scale["import_status"] = "PASS" if all(checks.values()) else "MISS"
        ok = ok and scale["import_status"] == "PASS"
        print(
            f"{name:<6} {scale['data']['items']:>7,} {scale['data']['decks']:>6,} | "
            + " ".join(cells)
            + f" | {scale['import_seconds']:>8.1f} {scale['import_peak_mb']:>7.0f} "
            f"{scale.get('import_workers_peak_mb', 0):>8.0f} "
            f"{scale['reimport_seconds']:>10.2f} {scale['import_status']}"
        )
    print(
        "targets: each page ≤ 1.25× its 1× time at 10×, ≤ 2× at 100×; import of 100× ≤ 30 s "
        "with peak ≤ 150 MB (whole process RSS, plus its largest worker's); unchanged "
        "re-import ≤ 2 s"
    )
    return ok


def _queries_label(counts: list[int]) -> str:
    return "/".join(str(c) for c in counts)


def report(results: dict) -> bool:
    """Print the table; returns True when every page's steady-state (least) query count is
    equal across sizes."""
    sizes = list(results["sizes"])
    equal = True
    if not sizes:
        return equal
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
        # The steady state (the least count seen) must be the same at every size; a larger
        # count in some rounds is a cache being filled (a deck's display entries with its
        # first card), shown in the table but not a count that grows with the data.
        same = all(min(c) == min(counts[0]) for c in counts)
        equal = equal and same
        label = " / ".join(_queries_label(c) for c in counts)
        line += f" | {label:>15} {'ok' if same else 'DIFF'}"
        line += f" | ≤ {target:g}x" if target else " |"
        print(line)
    for name, target in FRAGMENTS.items():
        rows = [results["sizes"][size]["endpoints"].get(name) for size in sizes]
        if all(row and "fragment_ratio" in row for row in rows):
            figures = ", ".join(
                f"{size} {row['fragment_ratio']:.2f}x {row['fragment_status']}"
                for size, row in zip(sizes, rows, strict=True)
            )
            print(f"{name} / fragment floor: {figures} (≤ {target:g}x)")
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
    parser.add_argument(
        "--scales",
        default="1x,10x",
        help="content scales to measure (1x,10x,100x; 'none' for none); default 1x,10x",
    )
    parser.add_argument("--with-100x", action="store_true", help="also measure 100× content")
    parser.add_argument(
        "--no-redis",
        action="store_true",
        help="measure without Redis (the shared cache is then a dummy: nothing cached)",
    )
    parser.add_argument("--scale-iterations", type=int, default=15)
    parser.add_argument("--scale-warmup", type=int, default=2)
    args = parser.parse_args()
    scales = [] if args.scales == "none" else [s for s in args.scales.split(",") if s]
    if args.with_100x and "100x" not in scales:
        scales.append("100x")
    if set(scales) - set(SCALES):
        parser.error(f"unknown scale(s): {', '.join(sorted(set(scales) - set(SCALES)))}")
    names = [name for name, _what, _target in ENDPOINTS]
    wanted = [e for e in args.endpoints.split(",") if e]
    if set(wanted) - set(names):
        parser.error(f"unknown endpoint(s): {', '.join(sorted(set(wanted) - set(names)))}")
    floors = ("floor", "fragment_floor")
    args.endpoints = [n for n in names if n in floors or not wanted or n in wanted]
    if args.out is None:
        args.out = str(RESULTS if len(args.endpoints) == len(names) else PARTIAL_RESULTS)
    if args.clock == "auto":
        args.clock = "wall" if postgres_url() else "cpu"
    sizes = [s for s in args.sizes.split(",") if s and s != "none"]
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
    os.environ.pop("REDIS_URL", None)
    redis = None if args.no_redis else start_redis()
    results["cache"] = "redis" if redis else "none (dummy shared cache)"
    try:
        measure_all(results, sizes, scales, args)
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait(timeout=10)
    equal = report(results)
    results["query_counts_equal"] = equal
    results["scale_targets_met"] = report_scales(results)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")
    return 0 if equal else 1


def measure_all(results: dict, sizes: list[str], scales: list[str], args) -> None:
    for size in sizes:
        location, meta = ensure_data(size, rebuild=args.rebuild)
        print(f"[{size}] measuring …", flush=True)
        data = measure(size, location, args)
        data["build"] = meta
        results["sizes"][size] = data
    if scales and postgres_url():
        print("content scales are measured on SQLite only: skipped", flush=True)
        scales = []
    if scales:
        results["scales"] = {}
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
    for name in scales:
        results["scales"][name] = measure_scale(name, args)


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


def form_post(client, path: str, data: dict):
    """An htmx POST as a browser sends it: the form urlencoded (htmx's default encoding, and a
    plain form's without JavaScript), not the test client's multipart."""
    return client.post(
        path,
        urlencode(data, doseq=True),
        content_type="application/x-www-form-urlencoded",
        headers={"HX-Request": "true"},
    )


def _serve_in_process():
    """Production settings as a measuring child serves them: the benchmark's URL map (with
    the floors), no HTTPS redirect, plain static URLs (no collectstatic for an in-process run:
    a dict lookup either way). Debug stays off. Returns the override (``disable()`` it)."""
    from django.conf import settings
    from django.test import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override = override_settings(
        STORAGES=storages, SECURE_SSL_REDIRECT=False, ROOT_URLCONF="bench.urls"
    )
    override.enable()
    assert not settings.DEBUG
    return override


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
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from studyapp.content.models import Deck, Item
    from studyapp.quizzes.models import Attempt
    from studyapp.srs.models import ReviewLog, StudyCard

    override = _serve_in_process()

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
    state = {"page": "", "n": 0}
    question = attempt.questions.get(position=33)

    def study():
        response = client.get("/study/")
        state["page"] = response.content.decode()
        return response

    def answer():
        page = state["page"]
        card_id, token = card_re.search(page).group(1), token_re.search(page).group(1)
        return form_post(
            client,
            f"/study/cards/{card_id}/answer/",
            {"rating": 3, "token": token, "duration_ms": 4000, "scope": ""},
        )

    def autosave():
        # Alternate two options so every request writes (an unchanged answer is a no-op).
        state["n"] += 1
        option = question.option_ids[state["n"] % 2]
        return form_post(client, f"/quiz/a/{attempt.pk}/q/33/answer/", {"option": option})

    calls = {
        "floor": lambda: client.get("/_floor/"),
        "fragment_floor": lambda: form_post(client, "/_floor/fragment/", {"n": 1}),
        "study": study,
        "answer": answer,
        "deck": lambda: client.get(f"/decks/{deck}/"),
        "quiz_question": lambda: client.get(f"/quiz/a/{attempt.pk}/q/33/"),
        "autosave": autosave,
        "dashboard": lambda: client.get("/progress/"),
        "dashboard_after_answer": lambda: client.get("/progress/"),
    }
    calls = {name: call for name, call in calls.items() if name in endpoints}
    timer = time.process_time if clock == "cpu" else time.perf_counter
    times = {name: [] for name in calls}
    queries = {name: [] for name in calls}

    def run(name: str, record: bool) -> None:
        if name == "answer":
            study()  # the card to answer is the one the study page shows
        elif name == "dashboard_after_answer":
            study()  # an answer (not measured) changes the figures the dashboard shows
            response = answer()
            assert response.status_code == 200, ("answer", response.status_code)
        elif name == "dashboard":
            client.get("/progress/")  # the measured view repeats this one
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
        if name in FRAGMENTS and "fragment_floor" in times:
            fragment = median / statistics.median(times["fragment_floor"])
            endpoints[name]["fragment_ratio"] = round(fragment, 2)
            endpoints[name]["fragment_target"] = FRAGMENTS[name]
            endpoints[name]["fragment_status"] = "PASS" if fragment <= FRAGMENTS[name] else "MISS"
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


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def migrate_only(db: str) -> None:
    _django(db)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def import_child(db: str, content: str, out: str) -> None:
    """Import ``content`` (timed: elapsed time; peak memory: this process's peak RSS)."""
    import resource

    _django(db)
    from studyapp.content import importer

    baseline = _rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    result = importer.content_import(paths=[content])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert result.ok, [str(error) for error in result.errors[:5]]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # A large import parses and renders in forked workers (studyapp/content/processes.py).
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "workers_cpu_seconds": round(workers.ru_utime + workers.ru_stime, 2),
        "peak_mb": round(peak, 1),
        "workers_peak_mb": round(workers.ru_maxrss / 1024, 1),
        "baseline_mb": round(baseline, 1),
        "decks": result.decks,
        "written_files": result.written_files,
        "unchanged_files": result.unchanged_files,
    }
    print(f"  {figures}", flush=True)
    Path(out).write_text(json.dumps(figures))


def scale_child(db: str, out: str, iterations: int, warmup: int, clock: str) -> None:
    """The hot pages for a new learner (limits out of the way, 150 reviews due, a mock
    exam in progress), each request after a floor request, as ``measure_child`` does."""
    _django(db)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from studyapp.content.models import Deck, Item

    override = _serve_in_process()
    user = get_user_model().objects.create_user("bench-learner", password=None)
    attempt = _prepare(user)
    data = {
        "items": Item.objects.studiable().count(),
        "decks": Deck.objects.sources().count(),
    }
    client = Client()
    client.force_login(user)
    card_re = re.compile(r'action="/study/cards/(\d+)/answer/"')
    token_re = re.compile(r'name="token" value="([^"]+)"')
    state = {"page": ""}

    def study():
        response = client.get("/study/")
        state["page"] = response.content.decode()
        return response

    def answer():
        page = state["page"]
        card_id, token = card_re.search(page).group(1), token_re.search(page).group(1)
        return form_post(
            client,
            f"/study/cards/{card_id}/answer/",
            {"rating": 3, "token": token, "duration_ms": 4000, "scope": ""},
        )

    calls = {
        "floor": lambda: client.get("/_floor/"),
        "study": study,
        "answer": answer,
        "quiz_question": lambda: client.get(f"/quiz/a/{attempt.pk}/q/33/"),
        "home": lambda: client.get("/"),
        "quiz_index": lambda: client.get("/quiz/"),
        "dashboard": lambda: client.get("/progress/"),
    }
    timer = time.process_time if clock == "cpu" else time.perf_counter
    times = {name: [] for name in calls}
    queries = {name: [] for name in calls}

    def run(name: str, record: bool) -> None:
        if name == "answer":
            study()
        with CaptureQueriesContext(connection) as captured:
            started = timer()
            response = calls[name]()
            elapsed = (timer() - started) * 1000
        assert response.status_code == 200, (name, response.status_code)
        if record:
            times[name].append(elapsed)
            queries[name].append(len(captured))

    for _ in range(warmup):
        for name in calls:
            run(name, record=False)
    for _ in range(iterations):
        for name in calls:
            if name != "floor":
                run("floor", record=True)
                run(name, record=True)
    endpoints = {
        name: {
            "median_ms": round(statistics.median(times[name]), 2),
            "p95_ms": round(statistics.quantiles(times[name], n=20)[-1], 2),
            "queries": sorted(set(queries[name])),
            "samples": len(times[name]),
        }
        for name in calls
    }
    Path(out).write_text(json.dumps({"data": data, "endpoints": endpoints}, indent=2))
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
    if len(sys.argv) > 1 and sys.argv[1] in ("_build", "_measure", "_migrate", "_import", "_scale"):
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
        child.add_argument("--content")
        a = child.parse_args()
        if a.command == "_build":
            build(a.size, a.db)
        elif a.command == "_migrate":
            migrate_only(a.db)
        elif a.command == "_import":
            import_child(a.db, a.content, a.out)
        elif a.command == "_scale":
            scale_child(a.db, a.out, a.iterations, a.warmup, a.clock)
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
