"""Time the slow inputs of issue 17 through every way content reaches the parser.

    .venv/bin/python bench/slow_inputs.py [--timeout 60] [--only NAME,...] [--save FILE]
                                           [--compare bench/slow_inputs_before.json] [--json]

Each input is built here (deterministic), then timed in a child process (killed after
``--timeout`` seconds) through:

- ``import``: ``manage.py import_content --check FILE`` (in-process ``call_command``);
- ``preview``: the instructor's live preview, ``POST /instructor/decks/new/preview/`` (htmx);
- ``gift``: the GIFT converter, ``POST /instructor/gift/`` (conversion + preview).

The figure is wall-clock seconds of one run (the machine is shared: take it as an order of
magnitude, which is what the issue is about: seconds or minutes against milliseconds), with
the HTTP status of the web paths. ``--save`` writes the results as JSON; ``--compare`` prints
them beside an earlier run (bench/slow_inputs_before.json is the run before the fix).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DECK_HEAD = "---\ndeck: lento\n---\n# Deck lento\n\n## 🧠 Conceitos\n"


def _content_bullets() -> list[str]:
    bullets = []
    for path in sorted((ROOT / "content").glob("*/*.md")):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line.startswith("- ") and len(line) > 20:
                bullets.append(line[2:])
    return bullets


def legit_deck(target: int = 1_000_000) -> str:
    """A real-looking deck of about ``target`` bytes: content/'s bullets, numbered."""
    bullets, out, size, n = _content_bullets(), [DECK_HEAD], len(DECK_HEAD.encode()), 0
    while True:
        line = f"- {bullets[n % len(bullets)]} ({n})\n"
        if size + len(line.encode()) > target:
            break
        out.append(line)
        size += len(line.encode())
        n += 1
    return "".join(out)


def legit_gift(target: int = 1024 * 1024) -> str:
    """A real-looking GIFT file just under 1 MiB: multiple choice with feedback, categories."""
    out, size, n = ["$CATEGORY: $course$/DVA-C02/ECR\n\n"], 0, 0
    while True:
        block = (
            f"// pergunta {n}\n::Pergunta {n}::[markdown]Qual serviço da AWS guarda imagens de "
            f"contêiner, com varredura de vulnerabilidades e políticas de ciclo de vida "
            f"(cenário {n})? {{\n=Amazon ECR#Certo: o ECR é o registro.\n~Amazon S3#Guarda "
            f"objetos.\n~AWS CodeArtifact#Guarda pacotes.\n~Amazon EFS#Sistema de arquivos."
            f"\n####O Amazon ECR é o registro de contêineres gerenciado.\n}}\n\n"
        )
        if size + len(block.encode()) > target - 64:
            break
        out.append(block)
        size += len(block.encode())
        n += 1
    return "".join(out)


def inputs() -> dict[str, tuple[str, str, str]]:
    """name → (kind, description, text); kind is "deck" or "gift"."""
    bullet = DECK_HEAD + "- "
    return {
        "heading-spaces": ("deck", "`# a` + 3,000 spaces + `x`", "# a" + " " * 3000 + "x\n"),
        "brackets": ("deck", "a bullet of 20 KB of `[`", bullet + "[" * 20_000 + "\n"),
        "open-links": ("deck", "a bullet of 40 KB of `[a](`", bullet + "[a](" * 10_000 + "\n"),
        "cloze-opens": ("deck", "a bullet of 40 KB of `{{`", bullet + "{{" * 20_000 + "\n"),
        "setext": ("deck", "`a\\n=\\n` × 10,000 (40 KB)", DECK_HEAD + "a\n=\n" * 10_000),
        "bullet-spaces": (
            "deck",
            "a bullet with a 100 KB whitespace run",
            bullet + "a" + " " * 100_000 + "b\n",
        ),
        "legit-deck": ("deck", "legit deck, ~1,000 KB (content/ bullets)", legit_deck()),
        # The same attacks, cut into pieces under the parser's cap (5,000 characters), to fill
        # 1 MiB: what reaches Python-Markdown when every piece is accepted.
        # Each bullet / section is unique (numbered): identical bullets are refused as
        # duplicates before anything is rendered, which would time the refusal instead.
        "brackets-1mib": (
            "deck",
            "1 MiB: 210 unique bullets of 4,900 `[`",
            DECK_HEAD + "".join(f"- b{n} " + "[" * 4900 + "\n" for n in range(210)),
        ),
        "setext-1mib": (
            "deck",
            "1 MiB: 210 unique sections of 4,800 characters of `aN\\n=\\n`",
            DECK_HEAD
            + "".join(
                f"## S{n}\n" + f"a{n}\n=\n" * (4800 // len(f"a{n}\n=\n")) for n in range(210)
            ),
        ),
        "gift-spaces": (
            "gift",
            "3 KB GIFT question, long whitespace run",
            "Pergunta" + " " * 3000 + "x? {=a ~b}\n",
        ),
        "legit-gift": ("gift", "legit GIFT file, ~1 MiB", legit_gift()),
    }


# -- the measured paths (run in a forked child) -----------------------------------------------
def _run_import(text: str) -> tuple[str, float]:
    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pt-br" / "lento.md"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        started = time.perf_counter()
        try:
            call_command("import_content", str(path), "--check", stdout=open(os.devnull, "w"))  # noqa: SIM115
            status = "ok"
        except SystemExit as exc:
            status = "errors" if exc.code else "ok"
        return status, time.perf_counter() - started


def _client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.get(username="bench-instructor")
    client = Client()
    client.force_login(user)
    return client


def _run_preview(text: str) -> tuple[str, float]:
    client = _client()
    started = time.perf_counter()
    response = client.post("/instructor/decks/new/preview/", {"text": text}, HTTP_HX_REQUEST="true")
    return str(response.status_code), time.perf_counter() - started


def _run_gift(text: str) -> tuple[str, float]:
    client = _client()
    started = time.perf_counter()
    response = client.post("/instructor/gift/", {"text": text, "title": ""})
    return str(response.status_code), time.perf_counter() - started


RUNNERS = {"import": _run_import, "preview": _run_preview, "gift": _run_gift}
PATHS = {"deck": ("import", "preview"), "gift": ("gift",)}


def _child(runner: str, text: str, queue) -> None:
    from django.db import connections

    connections.close_all()
    queue.put(RUNNERS[runner](text))


def measure(runner: str, text: str, timeout: float) -> dict:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(runner, text, queue))
    started = time.perf_counter()
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join()
        return {"status": "timeout", "seconds": None, "timeout": timeout}
    if queue.empty():
        return {"status": f"crash (exit {process.exitcode})", "seconds": None}
    status, seconds = queue.get()
    return {"status": status, "seconds": round(seconds, 3), "wall": time.perf_counter() - started}


# -- setup and report --------------------------------------------------------------------------
def setup(db_path: Path) -> None:
    os.environ.update(
        {
            # The test settings: debug off, static files from the finders (no collectstatic).
            "DJANGO_SETTINGS_MODULE": "studyapp.settings_test",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_HSTS_SECONDS": "0",
            "DJANGO_LOG_LEVEL": "CRITICAL",
            "DJANGO_AXES_ENABLED": "0",
            "DATABASE_URL": f"sqlite:///{db_path}",
        }
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from studyapp.accounts.roles import INSTRUCTORS_GROUP

    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_user("bench-instructor", password="x" * 20)
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])


def cell(result: dict | None) -> str:
    if not result:
        return "—"
    if result["seconds"] is None:
        if result["status"] == "timeout":
            return f"> {result['timeout']:.0f} s (killed)"
        return result["status"]
    seconds = result["seconds"]
    figure = f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"
    return f"{figure} ({result['status']})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--only", default="", help="comma list of input names")
    parser.add_argument("--save", help="write the results (JSON) here")
    parser.add_argument("--compare", help="an earlier --save file to print beside this run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    built = inputs()
    names = [n for n in args.only.split(",") if n] or list(built)
    with tempfile.TemporaryDirectory() as folder:
        setup(Path(folder) / "bench.sqlite3")
        results: dict[str, dict] = {}
        for name in names:
            kind, description, text = built[name]
            row = {"description": description, "bytes": len(text.encode())}
            for runner in PATHS[kind]:
                row[runner] = measure(runner, text, args.timeout)
                print(f"{name:15} {runner:8} {cell(row[runner])}", file=sys.stderr, flush=True)
            results[name] = row

    if args.save:
        Path(args.save).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return 0
    before = json.loads(Path(args.compare).read_text()) if args.compare else {}
    header = ["input", "bytes"]
    for runner in RUNNERS:
        header += [f"{runner} before", f"{runner} after"] if before else [runner]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for name, row in results.items():
        cells = [row["description"], f"{row['bytes']:,}"]
        for runner in RUNNERS:
            if before:
                cells.append(cell(before.get(name, {}).get(runner)))
            cells.append(cell(row.get(runner)))
        lines.append("| " + " | ".join(cells) + " |")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
