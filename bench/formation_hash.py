"""Fingerprints of the quick formation's output, to check a faster version changes nothing.

    python bench/formation_hash.py --sizes 1000,10000,100000,1000000

Prints, per generated course (the benchmark's generator and seed), a hash of the cohorts'
memberships (each cohort's challenge and sorted member ids, in any order) and a hash of the
whole output as it comes out (cohort ids, order, members, scores, hours, left-out learners).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fingerprints(size: int, tight: bool = False) -> tuple[str, str, float]:
    from bench.formation import QUALITY_SETTINGS, synthetic_learners
    from cohorts.formation import engine, values

    learners = synthetic_learners(size, 11 if tight else 7)
    settings = values.Settings(**QUALITY_SETTINGS) if tight else values.Settings()
    started = time.process_time()
    result = engine.form_cohorts(learners, settings)
    cpu = time.process_time() - started
    groups = sorted((c.challenge_id, tuple(sorted(c.members))) for c in result.cohorts)
    members = hashlib.sha256(repr(groups).encode()).hexdigest()[:16]
    whole = hashlib.sha256(
        repr(([tuple(c) for c in result.cohorts], list(result.unplaced))).encode()
    ).hexdigest()[:16]
    return members, whole, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--tight", action="store_true", help="sizes 4 to 6, another seed")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import cohorts

    print(f"code from {Path(cohorts.__file__).parent.parent}")
    for size in (int(part) for part in args.sizes.split(",") if part):
        members, whole, cpu = fingerprints(size, args.tight)
        label = f"{size:>9}{' tight' if args.tight else ''}"
        print(f"{label} members {members} whole {whole} ({cpu:.2f} s cpu)", flush=True)


if __name__ == "__main__":
    main()
