"""Reported items as plain values for staff: what was written, by whom, where and when."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.models import TARGET_TYPES, Exchange, ExchangeMessage, Gift, ModerationCase, Post


@dataclass(frozen=True, slots=True)
class Target:
    """A reportable item as plain values, with where and when it was written for staff."""

    type: str
    id: int
    author_id: int | None
    title: str
    body: str
    cohort_id: int | None = None
    written_at: datetime | None = None
    #: The conversation a message belongs to, so staff can read it whole.
    exchange_id: int | None = None


def gift_target(gift: Gift) -> Target:
    return Target(
        "gift", gift.id, gift.author_id, gift.title, gift.body, gift.cohort_id, gift.created_at
    )


def message_target(message: ExchangeMessage, gift: Gift) -> Target:
    return Target(
        "message",
        message.id,
        message.author_id,
        f"Message about “{gift.title}”",
        message.body,
        gift.cohort_id,
        message.created_at,
        message.exchange_id,
    )


def targets_of(session: Session, cases: Sequence[ModerationCase]) -> dict[int, Target]:
    """Every case's item as plain values, loaded a kind at a time for the whole queue."""
    ids = {kind: {c.target_id for c in cases if c.target_type == kind} for kind in TARGET_TYPES}
    posts = {p.id: p for p in session.scalars(select(Post).where(Post.id.in_(ids["post"])))}
    messages = {
        m.id: (m, e)
        for m, e in session.execute(
            select(ExchangeMessage, Exchange)
            .join(Exchange, Exchange.id == ExchangeMessage.exchange_id)
            .where(ExchangeMessage.id.in_(ids["message"]))
        )
    }
    gift_ids = ids["gift"] | {e.gift_id for _, e in messages.values()}
    gifts = {g.id: g for g in session.scalars(select(Gift).where(Gift.id.in_(gift_ids)))}
    out = {}
    for case in cases:
        if case.target_type == "gift":
            out[case.id] = gift_target(gifts[case.target_id])
        elif case.target_type == "message":
            message, exchange = messages[case.target_id]
            out[case.id] = message_target(message, gifts[exchange.gift_id])
        else:
            out[case.id] = post_target(case, posts.get(case.target_id))
    return out


def post_target(case: ModerationCase, post: Post | None) -> Target:
    if post is None:
        return Target(
            "post", case.target_id, case.author_id, "Board message", "(deleted with its cohort)"
        )
    return Target(
        "post", post.id, post.author_id, "Board message", post.body, post.cohort_id, post.created_at
    )
