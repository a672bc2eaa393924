"""Does training per-learner FSRS parameters recover a learner's hidden memory parameters?

    .venv/bin/python bench/optimizer_eval.py [--sizes 1000,10000,100000] [--learners 8]
                                             [--seed 1] [--spread 0.5] [--json] [--check]

Seeded. Each synthetic learner's recall follows hidden NON-default parameters
(``optimizer.hidden_parameters``: every default scaled by a log-normal factor, sigma ``--spread``),
while the app schedules them with the defaults, as before any training; the learner studies
on about 80% of days, once a day (study-day gaps), 20 new cards a day
(``optimizer.synthetic_log``). For each log size the reviews are split by time exactly as
the app does (older 80% train, latest 20% held out) and the held-out log loss is reported
for the defaults, the trained parameters and the hidden true ones, averaged over learners.
``closed`` = (defaults - trained) / (defaults - true): the share of the gap training closes.
``kept``: the held-out log loss of what the app keeps (trained if accepted, else the defaults;
optimistic, as the same held-out reviews decide), ``accepted``: how many learners' runs were.

``train_seconds`` / ``train_cpu_seconds``: wall and CPU (process) time of
``optimizer.optimize`` (items, training, both evaluations) on the largest log, slowest learner
(the machine is shared: wall time grows with the load average, also reported), plus
``convert_seconds``: turning that many timestamps into study days (``timing.study_day``),
which the app does when reading the log.

``--json`` prints ``{"runs": [{"reviews", "learners", "defaults", "trained", "true", "closed",
"kept", "accepted"}], "train_seconds", "train_cpu_seconds", "load_average",
"convert_seconds", "train_reviews"}``. ``--check`` exits 1 unless ``closed`` >= 0.70 at
10,000 reviews and ``train_cpu_seconds`` <= 5 at 100,000.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studyapp.srs import optimizer, timing  # noqa: E402


def evaluate(reviews: int, seed: int, spread: float) -> dict:
    true = optimizer.hidden_parameters(seed, spread)
    answers = optimizer.synthetic_log(true, reviews=reviews, seed=seed)
    started, cpu = time.perf_counter(), time.process_time()
    result = optimizer.optimize(answers)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    _, held_out = optimizer.split(optimizer.samples(answers))
    true_loss, _ = optimizer.score(true, held_out)
    return {
        "seed": seed,
        "defaults": result.logloss_before,
        "trained": result.logloss_after,
        "kept": result.logloss_after if result.accepted else result.logloss_before,
        "true": true_loss,
        "accepted": result.accepted,
        "seconds": seconds,
        "cpu_seconds": cpu,
    }


def convert_seconds(count: int) -> float:
    zone = timing.zone(None)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    moments = [start + timedelta(minutes=7 * index) for index in range(count)]
    started = time.perf_counter()
    for moment in moments:
        timing.study_day(moment, zone).toordinal()
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--learners", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1, help="first learner's seed")
    parser.add_argument(
        "--spread", type=float, default=0.5, help="sigma of the hidden parameters' log factor"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    seeds = range(args.seed, args.seed + args.learners)
    runs = []
    details = {}
    for size in sizes:
        rows = [evaluate(size, seed, args.spread) for seed in seeds]
        details[size] = rows
        keys = ("defaults", "trained", "kept", "true")
        means = {key: statistics.fmean(row[key] for row in rows) for key in keys}
        gap = means["defaults"] - means["true"]
        runs.append(
            {
                "reviews": size,
                "learners": len(rows),
                "defaults": round(means["defaults"], 4),
                "trained": round(means["trained"], 4),
                "true": round(means["true"], 4),
                "closed": round((means["defaults"] - means["trained"]) / gap, 3) if gap else None,
                "kept": round(means["kept"], 4),
                "accepted": sum(row["accepted"] for row in rows),
            }
        )
    largest = max(sizes)
    train_seconds = max(row["seconds"] for row in details[largest])
    train_cpu = max(row["cpu_seconds"] for row in details[largest])
    converted = convert_seconds(round(largest * 1.3))  # ~1.3 answers per review (steps)
    report = {
        "runs": runs,
        "train_seconds": round(train_seconds, 2),
        "train_cpu_seconds": round(train_cpu, 2),
        "load_average": round(os.getloadavg()[0], 1),
        "convert_seconds": round(converted, 2),
        "train_reviews": largest,
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(
            f"{'reviews':>8} {'defaults':>9} {'trained':>9} {'true':>9} {'closed':>7}"
            f" {'kept':>9} {'accepted':>9}"
        )
        for run in runs:
            print(
                f"{run['reviews']:>8} {run['defaults']:>9.4f} {run['trained']:>9.4f} "
                f"{run['true']:>9.4f} {run['closed']:>7.2f} {run['kept']:>9.4f} "
                f"{run['accepted']:>6}/{run['learners']}"
            )
            for row in details[run["reviews"]]:
                print(
                    f"{'':>8} learner {row['seed']}: {row['defaults']:.4f} {row['trained']:.4f}"
                    f" {row['true']:.4f} {'accepted' if row['accepted'] else 'rejected'}"
                    f" ({row['seconds']:.2f} s, CPU {row['cpu_seconds']:.2f} s)"
                )
        print(
            f"optimize() on {largest} reviews: {train_seconds:.2f} s wall, {train_cpu:.2f} s CPU "
            f"(slowest learner; load average {report['load_average']}); "
            f"study days for the log's timestamps: {converted:.2f} s"
        )
    if args.check:
        at_10k = next((run for run in runs if run["reviews"] == 10_000), None)
        if at_10k is not None and (at_10k["closed"] or 0) < 0.70:
            print("FAIL: under 70% of the log-loss gap closed at 10,000 reviews", file=sys.stderr)
            return 1
        if largest >= 100_000 and train_cpu > 5:
            print("FAIL: training 100,000 reviews took more than 5 s CPU", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
