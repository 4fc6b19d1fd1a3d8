"""Scoring many cohorts at once with numpy, bit for bit as `scoring.cohort_score` does.

A MOOC's formation scores 200,000 fresh cohorts; one Python call per cohort costs about
three seconds there. Here the cohorts are grouped by size and each term is computed for a
whole group at a time, in the same order of floating-point operations as the one-cohort
functions, so every score is identical to theirs (the tests compare them).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cohorts.formation.scoring import availability_term
from cohorts.formation.values import NEUTRAL, SLOT_MINUTES, Member, Settings, Timing


def _words(values: list[int]) -> np.ndarray:
    """Big-int bitmasks as rows of 64-bit words, so numpy can AND and count them."""
    top = max(values, default=0)
    if top < 1 << 64:
        return np.array(values, dtype=np.uint64).reshape(len(values), 1)
    index = {v: i for i, v in enumerate(dict.fromkeys(values))}
    width = top.bit_length() + 63 >> 6
    raw = b"".join(v.to_bytes(width * 8, "little") for v in index)
    table = np.frombuffer(raw, dtype="<u8").reshape(len(index), width)
    return table[np.array([index[v] for v in values])]


def _count(words: np.ndarray) -> np.ndarray:
    """Set bits per row of (..., width) words."""
    return np.bitwise_count(words).sum(axis=-1, dtype=np.int64)


def score_groups(
    groups: Sequence[Sequence[Member]], challenges: Sequence[str], settings: Settings
) -> tuple[list[float], list[float]]:
    """Each group's cohort score and common free hours (`scoring.overlap_hours`)."""
    scores = [0.0] * len(groups)
    hours = [0.0] * len(groups)
    by_size: dict[int, list[int]] = {}
    for position, members in enumerate(groups):
        by_size.setdefault(len(members), []).append(position)
    for size, positions in by_size.items():
        if size == 0:
            continue
        done = _score_size(
            [groups[p] for p in positions], [challenges[p] for p in positions], settings
        )
        for p, score, free in zip(positions, *done, strict=True):
            scores[p], hours[p] = score, free
    return scores, hours


def _score_size(
    groups: list[Sequence[Member]], challenges: list[str], settings: Settings
) -> tuple[list[float], list[float]]:
    """Scores and common hours of groups that all have the same size."""
    size = len(groups[0])
    shape = (len(groups), size)
    wp, wa, wc = settings.weights
    # Each column becomes an array, and its list is dropped, before the next: a MOOC's
    # columns hold a million entries each.
    ranks, timings, offers, needs = _columns(groups, challenges)
    rank = np.array(ranks).reshape(shape)
    del ranks
    words, rows, hours = _timing_rows(timings)
    del timings
    offered = _words(offers).reshape(*shape, -1)
    del offers
    needed = _words(needs).reshape(*shape, -1)
    del needs
    total = np.zeros(len(groups))
    if wp:
        pref = np.zeros(len(groups))
        for i in range(size):
            pref = pref + rank[:, i]
        total = total + wp * (pref / size)
    del rank
    rows = rows.reshape(shape)
    hours = hours.reshape(shape)
    common, sharing = _common(words, rows, hours)
    if wa:
        avail = _availability(words, rows, hours, common, sharing)
        for g in np.flatnonzero(sharing < 2):
            avail[g] = availability_term(groups[g])
        total = total + wa * avail
    if wc:
        total = total + wc * _complement(offered, needed)
    free = np.where(sharing >= 2, _count(common) * SLOT_MINUTES / 60, 0.0)
    return (total / (wp + wa + wc)).tolist(), free.tolist()


def _columns(
    groups: list[Sequence[Member]], challenges: list[str]
) -> tuple[list[float], list[Timing], list[int], list[int]]:
    """Each member's preference term, timing, offers and needs, read in one pass.

    Members of formed cohorts lie scattered in memory, so every pass over them costs
    a cache miss per member; one pass instead of five saves most of a MOOC's scoring.
    """
    ranks: list[float] = []
    timings: list[Timing] = []
    offers: list[int] = []
    needs: list[int] = []
    rank, timing, offer, need = ranks.append, timings.append, offers.append, needs.append
    for members, challenge in zip(groups, challenges, strict=True):
        for m in members:
            if m.first == challenge:
                rank(1.0)
            elif challenge in m.choices:
                rank(1.0 / (m.choices.index(challenge) + 1))
            else:
                rank(0.0)
            timing(m.timing)
            offer(m.offers)
            need(m.needs)
    return ranks, timings, offers, needs


def _timing_rows(timings: list[Timing]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mask words per distinct timing, each member's row among them, and its hours.

    Masks are converted once per distinct timing and looked up by row where needed,
    rather than copied out for every member (48 MB for a MOOC).
    """
    index = {t: i for i, t in enumerate(dict.fromkeys(timings))}
    rows = np.array([index[t] for t in timings], dtype=np.intp)
    words = _words([t.mask for t in index])
    hours = np.array([t.hours for t in index], dtype=np.int64)
    return words, rows, hours[rows]


def _common(
    words: np.ndarray, rows: np.ndarray, hours: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The slots all members who gave hours share, and how many gave hours."""
    valid = hours > 0
    ones = np.full((len(rows), words.shape[1]), np.iinfo(np.uint64).max, dtype=np.uint64)
    common = ones
    for i in range(rows.shape[1]):
        common = np.where(valid[:, i, None], common & words[rows[:, i]], common)
    return common, valid.sum(axis=1)


def _availability(
    words: np.ndarray,
    rows: np.ndarray,
    hours: np.ndarray,
    common: np.ndarray,
    sharing: np.ndarray,
) -> np.ndarray:
    """Half mean pairwise overlap, half time common to all (groups with two sharers or more)."""
    valid = hours > 0
    pair_sum = np.zeros(len(rows))
    for i in range(1, rows.shape[1]):
        for j in range(i):
            both = valid[:, i] & valid[:, j]
            smaller = np.where(both, np.minimum(hours[:, i], hours[:, j]), 1)
            overlap = _count(words[rows[:, i]] & words[rows[:, j]])
            pair_sum = pair_sum + np.where(both, overlap / smaller, 0.0)
    pairs = np.maximum(sharing * (sharing - 1) // 2, 1)
    least = np.where(valid, hours, np.iinfo(np.int64).max).min(axis=1)
    least = np.where(sharing > 0, least, 1)
    return 0.5 * pair_sum / pairs + 0.5 * _count(common) / least


def _complement(offered: np.ndarray, needed: np.ndarray) -> np.ndarray:
    """Mean share of each member's needs offered by someone else in the group."""
    size = offered.shape[1]
    suffix = [np.zeros_like(offered[:, 0])] * (size + 1)
    for i in range(size - 1, -1, -1):
        suffix[i] = suffix[i + 1] | offered[:, i]
    prefix = np.zeros_like(offered[:, 0])
    share = np.zeros(len(offered))
    needy = np.zeros(len(offered), dtype=np.int64)
    for i in range(size):
        wanted = _count(needed[:, i])
        has = wanted > 0
        met = _count(needed[:, i] & (prefix | suffix[i + 1]))
        share = share + np.where(has, met / np.where(has, wanted, 1), 0.0)
        needy += has
        prefix = prefix | offered[:, i]
    return np.where(needy > 0, share / np.maximum(needy, 1), NEUTRAL)
