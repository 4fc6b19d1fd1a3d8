"""Benchmark cohort formation on synthetic learners against two baselines.

Each (size, method) runs in its own subprocess so peak memory (ru_maxrss
growth during formation) is not polluted by earlier runs, and timing is taken
without tracemalloc's overhead.

    python bench/formation.py                      # quality table, then 1k, 10k, 100k, 1M
    python bench/formation.py --sizes 1000,10000 --quality-sizes 25,60 --seconds 10

The quality table compares the heuristic with the exact solver (CP-SAT, one core, a
time budget) on courses of 25 to 5,000 learners with skewed picks over a number of
challenges that grows with the course, clustered time zones, and sizes 4 to 6 that
many group sizes do not divide evenly.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHALLENGES = [f"CH{i:02d}" for i in range(1, 51)]
TAGS = [
    "python",
    "statistics",
    "writing",
    "design",
    "research",
    "sql",
    "teaching",
    "spanish",
    "french",
    "marketing",
    "finance",
    "law",
    "biology",
    "chemistry",
    "drawing",
    "video",
    "leadership",
    "excel",
    "math",
    "public-speaking",
]
ZONES = (-5.0, 0.0, 1.0, 5.5, 8.0)
ZONE_WEIGHTS = (0.3, 0.25, 0.2, 0.15, 0.1)
METHODS = ("algorithm", "random", "first_choice_chunks")
FIGURES = (
    "placed",
    "total_rank",
    "worst_overlap_hours",
    "first_choice_share",
    "any_choice_share",
    "size_min",
    "size_max",
    "median_overlap_hours",
    "worst_cohort_score",
)
DAY = 24 * 60
WEEK = 7 * DAY


def _weekly(day: int, start_hour: float, hours: float, offset: float) -> list[tuple[int, int]]:
    """A local-time window as UTC week minutes, split where it wraps the week."""
    start = int((day * DAY + start_hour * 60 - offset * 60) % WEEK)
    end = start + int(hours * 60)
    if end <= WEEK:
        return [(start, end)]
    return [(start, WEEK), (0, end - WEEK)]


def _availability(rng: random.Random, offset: float) -> tuple[tuple[int, int], ...]:
    """Evenings, weekend mornings or lunch breaks in local time, with some jitter."""
    pattern = rng.random()
    if pattern < 0.6:
        days = rng.sample(range(5), rng.randint(3, 5))
        start, hours = 18 + rng.choice((0, 0, 1)), 3.0
    elif pattern < 0.85:
        days, start, hours = rng.sample((5, 6), rng.randint(1, 2)), 9 + rng.choice((0, 1)), 3.0
    else:
        days, start, hours = rng.sample(range(5), rng.randint(2, 5)), 12.0, 1.5
    windows: list[tuple[int, int]] = []
    for day in days:
        windows += _weekly(day, start, hours, offset)
    return tuple(sorted(windows))


def synthetic_learners(
    count: int, seed: int = 7, challenges: int = 50, with_times: float = 0.9
) -> list[Any]:
    """Learners with Zipf-like challenge popularity and clustered time zones."""
    from cohorts.formation.values import Learner

    rng = random.Random(seed)
    names = CHALLENGES[:challenges]
    popularity = [1.0 / rank for rank in range(1, len(names) + 1)]
    learners = []
    for number in range(count):
        picks = rng.choices(names, popularity, k=rng.randint(1, 3))
        offset = rng.choices(ZONES, ZONE_WEIGHTS)[0]
        if rng.random() < 0.3:
            offset += rng.choice((-1.0, 1.0))
        has_times = rng.random() < with_times
        learners.append(
            Learner(
                learner_id=f"L{number:07d}",
                choices=tuple(dict.fromkeys(picks)),
                utc_offset=offset if rng.random() < 0.95 else None,
                availability=_availability(rng, offset) if has_times else (),
                offers=frozenset(rng.sample(TAGS, rng.randint(0, 3))),
                needs=frozenset(rng.sample(TAGS, rng.randint(0, 2))),
            )
        )
    return learners


def run_one(size: int, method: str) -> dict[str, Any]:
    """Generate, then time one method and measure its peak memory growth."""
    from cohorts.formation import baselines, engine, values

    learners = synthetic_learners(size)
    settings = values.Settings()
    run = {
        "algorithm": engine.form_cohorts,
        "random": baselines.form_random,
        "first_choice_chunks": baselines.form_first_choice_chunks,
    }[method]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    result = run(learners, settings)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = result.report.as_dict()
    figures = {key: report[key] for key in FIGURES}
    return {
        "n": size,
        "method": method,
        "seconds": seconds,
        "cpu": cpu,
        "mb": (after - before) / 1024,
        "hourless": sum(not c.overlap_hours for c in result.cohorts),
        **figures,
    }


QUALITY_SETTINGS = {"target": 5, "minimum": 4, "maximum": 6}
#: The quick method forms a MOOC's million learners within this much CPU time.
TARGET_SIZE, TARGET_CPU_SECONDS = 1_000_000, 10.0


def quality_one(size: int, seconds: float) -> list[dict[str, Any]]:
    """The heuristic and the exact solver on one generated course, with the solver's bounds."""
    from cohorts.formation import engine, exact, values

    learners = synthetic_learners(size, 11, max(4, min(50, size // 12)), with_times=1.0)
    settings = values.Settings(**QUALITY_SETTINGS)
    rows = []
    for method, run in (
        ("heuristic", lambda: engine.form_cohorts(learners, settings)),
        ("exact", lambda: exact.form_best(learners, settings, seconds=seconds)),
    ):
        started, cpu = time.perf_counter(), time.process_time()
        result = run()
        timing = {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}
        hourless = sum(not c.overlap_hours for c in result.cohorts)
        row = {"n": size, "method": method, "hourless": hourless, "cohorts_n": len(result.cohorts)}
        rows.append(row | result.report.as_dict() | timing)
    return rows


def _quality_row(v: dict[str, Any]) -> str:
    bound = v["worst_overlap_bound"]
    worst = f"{v['worst_overlap_hours']:g}" + (f" (<= {bound:g})" if bound is not None else "")
    return (
        f"{v['n']:>6} {v['method']:<10} {v['seconds']:>7.2f} {v['cpu']:>7.2f} "
        f"{v['placed']:>5}/{v['placed_bound']:<5} {v['first_choice_share']:>6.3f} "
        f"{v['total_rank']:>6} (>= {v['rank_bound']:<5}) {'yes' if v['proven'] else 'no':<6} "
        f"{worst:<12} {v['hourless']:>4}/{v['cohorts_n']:<4}"
    )


def _row(values: dict[str, Any]) -> str:
    return (
        f"{values['n']:>9} {values['method']:<20} {values['seconds']:>8.2f} {values['cpu']:>8.2f} "
        f"{values['mb']:>8.1f} "
        f"{values['first_choice_share']:>6.3f} {values['any_choice_share']:>6.3f} "
        f"{values['size_min']:>4} {values['size_max']:>4} "
        f"{values['median_overlap_hours']:>7.1f} {values['worst_cohort_score']:>7.3f} "
        f"{values['placed']:>8} {values['total_rank']:>8} {values['worst_overlap_hours']:>7g} "
        f"{values['hourless']:>8}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument(
        "--baseline-max", type=int, default=100_000, help="skip baselines above this size"
    )
    parser.add_argument("--quality-sizes", default="25,60,200,1000,5000")
    parser.add_argument("--seconds", type=float, default=20.0, help="solver budget per course")
    parser.add_argument("--one", nargs=2, metavar=("SIZE", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.one:
        print(json.dumps(run_one(int(args.one[0]), args.one[1])))
        return
    if args.quality_sizes:
        print(f"sizes {QUALITY_SETTINGS}; solver budget {args.seconds:g} s on one core")
        print(
            f"{'n':>6} {'method':<10} {'seconds':>7} {'cpu s':>7} {'placed/bound':<11} "
            f"{'first':>6} {'total rank (bound)':<19} {'proven':<6} {'worst h (bound)':<12} "
            "no-hour cohorts"
        )
        for size in (int(part) for part in args.quality_sizes.split(",") if part):
            for values in quality_one(size, args.seconds):
                print(_quality_row(values), flush=True)
        print()
    print(
        f"{'n':>9} {'method':<20} {'seconds':>8} {'cpu s':>8} {'peak MB':>8} {'first':>6} "
        f"{'any':>6} "
        f"{'min':>4} {'max':>4} {'med ovl':>7} {'worst':>7} {'placed':>8} {'rank':>8} "
        f"{'worst h':>7} {'no-hour':>8}"
    )
    for size in (int(part) for part in args.sizes.split(",") if part):
        for method in METHODS:
            if method != "algorithm" and size > args.baseline_max:
                continue
            command = [sys.executable, __file__, "--one", str(size), method]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            values = json.loads(output)
            print(_row(values), flush=True)
            if method == "algorithm" and size == TARGET_SIZE:
                verdict = "met" if values["cpu"] < TARGET_CPU_SECONDS else "NOT met"
                print(
                    f"  {size:,} learners: {values['cpu']:.2f} s of CPU on one core, "
                    f"{values['mb']:.0f} MB; target < {TARGET_CPU_SECONDS:g} s: {verdict}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
