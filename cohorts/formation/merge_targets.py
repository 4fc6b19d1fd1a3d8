"""Where a small cohort could merge: pure, so it is tested without a database."""

from collections.abc import Sequence


def merge_targets(
    cohorts: Sequence[tuple[int, int, bool, bool, int]], minimum: int, maximum: int
) -> list[tuple[int, int | None]]:
    """For each cohort below ``minimum`` whose merge was not dismissed, in the given order:
    the smallest unlocked cohort of its challenge (then the lowest id) that can take its
    members without passing ``maximum``, or None.

    ``cohorts`` holds (id, challenge id, locked, merge dismissed, members).
    """
    sizes = {cid: size for cid, _, _, _, size in cohorts}
    # Each challenge's unlocked cohorts, smallest first: the best target is the first one
    # that is not the cohort itself, and if that one has no room, none has.
    smallest_first: dict[int, list[int]] = {}
    for cid, challenge, locked, _, _ in cohorts:
        if not locked:
            smallest_first.setdefault(challenge, []).append(cid)
    for ids in smallest_first.values():
        ids.sort(key=lambda c: (sizes[c], c))
    found: list[tuple[int, int | None]] = []
    for cid, challenge, _, dismissed, size in cohorts:
        if size >= minimum or dismissed:
            continue
        best = next((c for c in smallest_first.get(challenge, ()) if c != cid), None)
        fits = best is not None and sizes[best] + size <= maximum
        found.append((cid, best if fits else None))
    return found
