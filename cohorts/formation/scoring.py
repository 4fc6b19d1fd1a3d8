"""The rules that judge a cohort and a formation, shared by the engine and the baselines."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable, Iterator, Sequence

from cohorts.formation.values import (
    NEUTRAL,
    SLOT_MINUTES,
    Cohort,
    Member,
    Quality,
    Report,
    Result,
    Settings,
    Unplaced,
    rank_of,
)


def preference_term(members: Sequence[Member], challenge: str) -> float:
    """Mean of 1/rank of the challenge in each member's choices (0 if not chosen)."""
    total = 0.0
    for m in members:
        choices = m.choices
        if choices and choices[0] == challenge:
            total += 1.0
        elif challenge in choices:
            total += 1.0 / (choices.index(challenge) + 1)
    return total / len(members) if members else 0.0


def availability_term(members: Sequence[Member]) -> float:
    """Half mean pairwise overlap, half time common to all; offsets as fallback."""
    masks: list[int] = []
    hours: list[int] = []
    for m in members:
        if m.hours:
            masks.append(m.mask)
            hours.append(m.hours)
    count = len(masks)
    if count >= 2:
        pair_sum = 0.0
        common = masks[0]
        for i in range(1, count):
            a, ha = masks[i], hours[i]
            common &= a
            for j in range(i):
                hb = hours[j]
                pair_sum += (a & masks[j]).bit_count() / (ha if ha < hb else hb)
        pairs = count * (count - 1) // 2
        return 0.5 * pair_sum / pairs + 0.5 * common.bit_count() / min(hours)
    offsets = [m.offset for m in members if m.offset is not None]
    if len(offsets) >= 2:
        return offset_closeness(offsets)
    return NEUTRAL


def offset_closeness(offsets: Sequence[float]) -> float:
    """1 when everyone shares a time zone, 0 when pairs are 12 hours apart on average."""
    total = 0.0
    for i in range(1, len(offsets)):
        for other in offsets[:i]:
            gap = abs(offsets[i] - other) % 24
            total += min(gap, 24 - gap)
    pairs = len(offsets) * (len(offsets) - 1) // 2
    return 1.0 - total / pairs / 12.0


def complement_term(members: Sequence[Member]) -> float:
    """Mean share of each member's needs offered by someone else in the cohort."""
    count = len(members)
    suffix = [0] * (count + 1)
    for i in range(count - 1, -1, -1):
        suffix[i] = suffix[i + 1] | members[i].offers
    prefix = needy = 0
    share = 0.0
    for i, m in enumerate(members):
        if m.needs:
            needy += 1
            share += (m.needs & (prefix | suffix[i + 1])).bit_count() / m.needs.bit_count()
        prefix |= m.offers
    return share / needy if needy else NEUTRAL


def cohort_score(members: Sequence[Member], challenge: str, settings: Settings) -> float:
    """Weighted mean of preference, availability and complement, in [0, 1]."""
    wp, wa, wc = settings.weights
    total = 0.0
    if wp:
        total += wp * preference_term(members, challenge)
    if wa:
        total += wa * availability_term(members)
    if wc:
        total += wc * complement_term(members)
    return total / (wp + wa + wc)


def swap_score(members: Sequence[Member], challenge: str, settings: Settings) -> float:
    """`cohort_score` in one function body, bit for bit: the improvement pass scores a
    hundred thousand candidate swaps, and the calls between the three terms cost more
    than the terms themselves."""
    wp, wa, wc = (
        settings.weight_preference,
        settings.weight_availability,
        settings.weight_complement,
    )
    total = 0.0
    if wp:
        pref = 0.0
        for m in members:
            choices = m.choices
            if choices and choices[0] == challenge:
                pref += 1.0
            elif challenge in choices:
                pref += 1.0 / (choices.index(challenge) + 1)
        total += wp * (pref / len(members) if members else 0.0)
    if wa:
        masks = [m.mask for m in members if m.hours]
        if len(masks) < 2:
            total += wa * availability_term(members)
        else:
            hours = [m.hours for m in members if m.hours]
            pair_sum = 0.0
            common = masks[0]
            for i in range(1, len(masks)):
                a, ha = masks[i], hours[i]
                common &= a
                for j in range(i):
                    hb = hours[j]
                    pair_sum += (a & masks[j]).bit_count() / (ha if ha < hb else hb)
            pairs = len(masks) * (len(masks) - 1) // 2
            total += wa * (0.5 * pair_sum / pairs + 0.5 * common.bit_count() / min(hours))
    if wc:
        total += wc * complement_term(members)
    return total / (wp + wa + wc)


def context_fit(members: Sequence[Member], settings: Settings) -> float:
    """Score without the preference term: how well a group works together."""
    _, wa, wc = settings.weights
    if not wa and not wc:
        return NEUTRAL
    total = wa * availability_term(members) if wa else 0.0
    if wc:
        total += wc * complement_term(members)
    return total / (wa + wc)


def common_mask(members: Iterable[Member]) -> int:
    """Slots when every member who gave availability is free (0 unless two or more gave it).

    One person's own free time is not time shared with anyone, so it takes two.
    """
    common, sharing = -1, 0
    for m in members:
        if m.hours:
            common &= m.mask
            sharing += 1
    return 0 if sharing < 2 else common


def overlap_hours(members: Iterable[Member]) -> float:
    """Weekly hours when every member who gave availability is free."""
    return common_mask(members).bit_count() * SLOT_MINUTES / 60


def cohort_ids(taken: Iterable[str] = ()) -> Iterator[str]:
    """Sequential ids C0001, C0002, ... skipping ids already in use."""
    used = set(taken)
    number = 0
    while True:
        number += 1
        candidate = f"C{number:04d}"
        if candidate not in used:
            yield candidate


Group = tuple[str, str, Sequence[Member], float | None]


def assemble(
    groups: Iterable[Group],
    unplaced: Sequence[Unplaced],
    settings: Settings,
    started: float,
    quality: Quality | None = None,
    hours: Sequence[float | None] = (),
) -> Result:
    """Turn (cohort_id, challenge, members, score or None) groups into a reported Result.

    `hours`, when given, holds each group's common free hours where already known
    (None where not), so a MOOC's 200,000 cohorts need not be intersected again.
    """
    cohorts: list[Cohort] = []
    first = matched = rank = 0
    known = iter(hours)
    for cohort_id, challenge, members, score in groups:
        if score is None:
            score = cohort_score(members, challenge, settings)
        ids = tuple([m.learner_id for m in members])
        free = next(known, None)
        if free is None:
            free = overlap_hours(members)
        cohorts.append(Cohort(cohort_id, challenge, ids, score, free))
        viable = settings.minimum <= len(members) <= settings.maximum
        for m in members:
            if m.first == challenge:
                rank += 1
                first += viable
                matched += viable
            else:
                rank += rank_of(m.choices, challenge)
                matched += viable and challenge in m.choices
    report = _report(cohorts, unplaced, (first, matched, rank), started, quality)
    return Result(tuple(cohorts), tuple(unplaced), report)


def _report(
    cohorts: Sequence[Cohort],
    unplaced: Sequence[Unplaced],
    counts: tuple[int, int, int],
    started: float,
    quality: Quality | None,
) -> Report:
    first, matched, rank = counts
    placed = sum(len(c.members) for c in cohorts)
    learners = placed + len(unplaced)
    sizes = [len(c.members) for c in cohorts] or [0]
    overlaps = [c.overlap_hours for c in cohorts] or [0.0]
    return Report(
        learners=learners,
        placed=placed,
        cohorts=len(cohorts),
        first_choice_share=first / learners if learners else 0.0,
        any_choice_share=matched / learners if learners else 0.0,
        size_min=min(sizes),
        size_max=max(sizes),
        median_overlap_hours=float(statistics.median(overlaps)),
        worst_overlap_hours=min(overlaps),
        worst_cohort_score=min((c.score for c in cohorts), default=0.0),
        seconds=time.perf_counter() - started,
        total_rank=rank,
        method=quality.method if quality else "",
        proven=quality.proven if quality else False,
        placed_bound=quality.placed_bound if quality else placed,
        rank_bound=quality.rank_bound if quality else rank,
        worst_overlap_bound=quality.worst_overlap_bound if quality else None,
    )
