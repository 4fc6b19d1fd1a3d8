"""Formation's findings in words: why a learner was left out, and how good a formation is."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from cohorts.formation.values import (
    CANNOT_SPLIT,
    NO_CHOICES,
    NO_ROOM,
    TOO_FEW,
    Result,
    Settings,
    Unplaced,
)

QUALITY_KEYS = (
    "method",
    "proven",
    "placed",
    "placed_bound",
    "total_rank",
    "rank_bound",
    "worst_overlap_hours",
    "worst_overlap_bound",
)


def stored_findings(result: Result) -> tuple[str, str]:
    """The left-out learners' reason codes and the quality claim, as JSON to keep."""
    left_out = {u.learner_id: [u.code, u.challenge_id, u.count] for u in result.unplaced}
    report = result.report.as_dict()
    return json.dumps(left_out), json.dumps({key: report[key] for key in QUALITY_KEYS})


def challenge_code(challenge_id: str) -> str:
    """Name a challenge by its id, for the command line where there are no titles."""
    return f"challenge {challenge_id}"


def reason_words(
    item: Unplaced, settings: Settings, name: Callable[[str], str] = challenge_code
) -> str:
    """Say in one clause why formation left this learner out."""
    if item.code == NO_CHOICES:
        return "no challenges chosen"
    challenge = name(item.challenge_id)
    noun = "learner" if item.count == 1 else "learners"
    if item.code == TOO_FEW:
        return (
            f"only {item.count} {noun} chose {challenge} (a cohort needs at least "
            f"{settings.minimum}) and no other choice had room"
        )
    if item.code == CANNOT_SPLIT:
        return (
            f"{challenge} had {item.count} {noun}, which cannot be split into cohorts of "
            f"{settings.minimum} to {settings.maximum}, and no other choice had room"
        )
    if item.code == NO_ROOM:
        return "every cohort their choices could form was needed to place more of the others"
    return "no cohort could take them"


def quality_words(formed: Mapping[str, Any], now: Mapping[str, Any] | None = None) -> str:
    """How close the formation came to the best possible, as staff should read it.

    `formed` is the report at formation time, `now` the report on the stored cohorts;
    after edits or late joiners the claim is about the formation, and the sentence says so.
    Both bounds are valid whichever method ran, so meeting them is a proof either way.
    """
    if not formed.get("method"):
        return ""
    claim = _claim(formed) + _hours_claim(formed)
    if now is not None and (
        now.get("placed"),
        now.get("total_rank"),
    ) != (formed.get("placed"), formed.get("total_rank")):
        return f"When formed, before later changes: {claim[0].lower()}{claim[1:]}"
    return claim


def _hours_claim(formed: Mapping[str, Any]) -> str:
    """The worst cohort's common free time next to the solver's proven ceiling for it."""
    bound, worst = formed.get("worst_overlap_bound"), formed.get("worst_overlap_hours")
    if bound is None or worst is None:
        return ""
    if worst >= bound:
        return (
            f" The cohort with the least common free time has {worst:g} h a week, "
            "the most possible with learners on these challenges (proven)."
        )
    return (
        f" The cohort with the least common free time has {worst:g} h a week; "
        f"with learners on these challenges, no formation gives it more than {bound:g} h."
    )


def _claim(formed: Mapping[str, Any]) -> str:
    placed, bound = int(formed["placed"]), int(formed["placed_bound"])
    rank, rank_bound = int(formed["total_rank"]), int(formed["rank_bound"])
    how = (
        "proven by the exact solver"
        if formed["method"] == "exact"
        else "a quick count; the exact solver runs for smaller courses"
    )
    if placed < bound:
        return (
            f"Placed {placed} learners; at most {bound} could be placed ({how}), "
            f"so up to {bound - placed} more might fit."
        )
    if rank <= rank_bound:
        return (
            "Best possible placement (proven): no formation places more learners, "
            "or places them on choices they ranked higher."
        )
    gap = 100.0 * (rank - rank_bound) / rank_bound if rank_bound else 0.0
    return (
        f"Within {gap:.0f}% of the best possible placement: the choices learners got add up "
        f"to a total rank of {rank}, and no formation can go below {rank_bound} ({how})."
    )
