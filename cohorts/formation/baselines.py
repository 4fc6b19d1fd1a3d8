"""Simple formations to compare the engine against on the same report."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Sequence

from cohorts.formation.scoring import Group, assemble, cohort_ids
from cohorts.formation.values import (
    NO_CHOICES,
    Learner,
    Member,
    Preparer,
    Result,
    Settings,
    Unplaced,
)


def form_random(learners: Sequence[Learner], settings: Settings) -> Result:
    """Baseline: shuffle, cut into target-sized chunks, name each by its commonest first choice."""
    started = time.perf_counter()
    preparer = Preparer()
    members = [preparer.member(learner) for learner in learners]
    random.Random(settings.seed).shuffle(members)
    ids = cohort_ids()
    groups: list[Group] = []
    for start in range(0, len(members), settings.target):
        chunk = members[start : start + settings.target]
        firsts = Counter(m.choices[0] for m in chunk if m.choices)
        challenge = min(firsts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if firsts else ""
        groups.append((next(ids), challenge, chunk, None))
    return assemble(groups, (), settings, started)


def form_first_choice_chunks(learners: Sequence[Learner], settings: Settings) -> Result:
    """Baseline: group by first choice and cut into target-sized chunks in input order."""
    started = time.perf_counter()
    preparer = Preparer()
    by_choice: dict[str, list[Member]] = {}
    unplaced: list[Unplaced] = []
    for learner in learners:
        if learner.choices:
            by_choice.setdefault(learner.choices[0], []).append(preparer.member(learner))
        else:
            unplaced.append(Unplaced(learner.learner_id, NO_CHOICES))
    ids = cohort_ids()
    groups: list[Group] = []
    for challenge, members in by_choice.items():
        for start in range(0, len(members), settings.target):
            groups.append((next(ids), challenge, members[start : start + settings.target], None))
    return assemble(groups, unplaced, settings, started)
