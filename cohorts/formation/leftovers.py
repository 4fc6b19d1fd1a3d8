"""Learners without a viable group: into cohorts with room, or a new cohort of their own."""

from __future__ import annotations

from collections import Counter

from cohorts.formation.building import Draft, chunk
from cohorts.formation.scoring import cohort_score, context_fit
from cohorts.formation.values import TOO_FEW, Member, Settings, Unplaced

JOIN_CANDIDATES = 32


def too_few(m: Member, closed: dict[str, int]) -> Unplaced:
    """Why a learner whose every choice closed was left out."""
    first = m.choices[0]
    return Unplaced(m.learner_id, TOO_FEW, first, closed.get(first, 0))


def place_leftovers(
    late: list[tuple[Member, Unplaced]], drafts: list[Draft], settings: Settings
) -> tuple[list[Draft], list[Unplaced]]:
    """Seat late learners in open cohorts with room; group the rest in new cohorts where
    enough of them share a choice; report why for whoever is still left."""
    by_challenge: dict[str, list[Draft]] = {}
    for draft in drafts:
        if draft.open:
            by_challenge.setdefault(draft.challenge, []).append(draft)
    waiting: list[tuple[Member, Unplaced]] = []
    for member, reason in late:
        draft = _pick(member, by_challenge, settings)
        if draft is None:
            waiting.append((member, reason))
        else:
            draft.members.append(member)
            draft.hours = None
            draft.score = cohort_score(draft.members, draft.challenge, settings)
    fresh, waiting = _new_cohorts(waiting, settings)
    return fresh, [reason for _, reason in waiting]


def _new_cohorts(
    waiting: list[tuple[Member, Unplaced]], settings: Settings
) -> tuple[list[Draft], list[tuple[Member, Unplaced]]]:
    """Open cohorts for the challenge most of the waiting learners share, while enough do."""
    fresh: list[Draft] = []
    while len(waiting) >= settings.minimum:
        counts = Counter(c for m, _ in waiting for c in m.choices)
        challenge, count = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if count < settings.minimum:
            break
        k_low, k_high = -(-count // settings.maximum), count // settings.minimum
        k = min(max(int(count / settings.target + 0.5), k_low), k_high)
        chosen = [pair for pair in waiting if challenge in pair[0].choices]
        chosen.sort(key=lambda pair: (pair[0].choices.index(challenge), pair[0].tiebreak))
        taken = chosen[: min(count, k * settings.maximum)]
        picked = {id(m) for m, _ in taken}
        waiting = [pair for pair in waiting if id(pair[0]) not in picked]
        for draft in chunk(challenge, [m for m, _ in taken], k):
            draft.score = cohort_score(draft.members, challenge, settings)
            fresh.append(draft)
    return fresh, waiting


def _pick(joiner: Member, by_challenge: dict[str, list[Draft]], settings: Settings) -> Draft | None:
    """Best open cohort with room: higher-ranked choice, then fit, then smaller size."""
    for challenge in joiner.choices:
        roomy = [d for d in by_challenge.get(challenge, ()) if len(d.members) < settings.maximum]
        roomy = sorted(roomy, key=lambda d: len(d.members))[:JOIN_CANDIDATES]
        if roomy:
            return min(
                roomy,
                key=lambda d: (-context_fit([*d.members, joiner], settings), len(d.members)),
            )
    return None
